"""How well safeguarding screening generalises, measured on text each model has not seen.

Run: make bench-screening   (or: python scripts/evaluate_screening.py [--heldout PATH] [--skip-loco])

1. Grouped cross-validation on the whole training set (analysis/data/: the dev set
   safeguarding-train.tsv plus the ordinary answers written for Chorus, ordinary-answers.tsv and
   short-answers.tsv):
   5 folds, near-duplicate phrasings kept in one fold (analysis.screening.near_duplicate_groups), the
   threshold chosen inside each training fold by the screener's own inner grouped CV. Recall and
   false-positive rate are reported on the dev set's rows; the ordinary answers' flag rate apart.
2. Leave-one-category-out: for each of the 20 kinds of harm, train without that kind's
   disclosures and report the recall on them (would this kind be missed if we had no examples?).
3. The old 158-text set (tests/data/safeguarding_screening.csv) as unseen text for the model.
   The rules were written against it, so the rules' share of that figure is a training figure.
4. --heldout PATH: a TSV with the training set's columns, scored by the screener fitted on the
   whole training set. Run it once per held-out set; never tune on it.
5. The real NHS feedback comments (../shared/data/nhs-feedback-neas.csv; adult patient feedback with
   essentially no disclosures; licensed for development and evaluation only, so never shipped or
   trained on): the share flagged, any level and urgent, on ALL comments, and on the odd half
   (first byte of SHA-256(comment_id) odd) for comparison with the earlier NHS-trained veto.
   Skipped with a note when the shared data is absent.
6. Cost: fit time and memory, CPU time per answer.

Every rate has a Wilson 95% interval.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import re
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402

from analysis.screening import (  # noqa: E402
    CATEGORIES,
    LabelledSet,
    SafeguardingScreener,
    _sentence_vectors,
    load_labelled_set,
    screen_by_rules,
    training_groups,
    training_set,
)

OLD_SET = ROOT / "tests" / "data" / "safeguarding_screening.csv"
NHS_FEEDBACK = ROOT.parent / "shared" / "data" / "nhs-feedback-neas.csv"


def read_comments(path: Path) -> list[tuple[str, str]]:
    """(comment_id, comment on one line) for every non-empty comment."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = ((r["comment_id"], re.sub(r"\s+", " ", r["comment"]).strip()) for r in csv.DictReader(handle))
        return [(comment_id, text) for comment_id, text in rows if text]


def in_odd_half(comment_id: str) -> bool:
    """The earlier step's HELD-OUT half (it trained on the even half): kept to compare figures."""
    return hashlib.sha256(comment_id.encode("utf-8")).digest()[0] % 2 == 1


def wilson(hits: int, total: int) -> str:
    """The rate with its Wilson 95% interval, e.g. '0.962 (0.942-0.975)'."""
    if total == 0:
        return "n/a"
    z = 1.96
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return f"{p:.3f} ({max(0.0, centre - half):.3f}-{min(1.0, centre + half):.3f})"


def figures(levels: list[str], predicted: list[str], by_rules: list[str] | None = None,
            by_model: np.ndarray | None = None) -> dict[str, str]:
    truth = np.asarray(levels)
    guess = np.asarray(predicted)
    disclosure, flagged = truth != "none", guess != "none"
    tp, fp = int((disclosure & flagged).sum()), int((~disclosure & flagged).sum())
    urgent = truth == "urgent"
    out = {
        "recall": wilson(tp, int(disclosure.sum())),
        "false-positive rate": wilson(fp, int((~disclosure).sum())),
        "precision": wilson(tp, tp + fp),
        "urgent recall": wilson(int((urgent & (guess == "urgent")).sum()), int(urgent.sum())),
        "urgent precision": wilson(int((urgent & (guess == "urgent")).sum()), int((guess == "urgent").sum())),
    }
    if by_rules is not None:
        rules = np.asarray(by_rules) != "none"
        out["recall, rules alone"] = wilson(int((disclosure & rules).sum()), int(disclosure.sum()))
        out["false-positive rate, rules alone"] = wilson(int((~disclosure & rules).sum()), int((~disclosure).sum()))
    if by_model is not None:
        out["recall, model alone"] = wilson(int((disclosure & by_model).sum()), int(disclosure.sum()))
        out["false-positive rate, model alone"] = wilson(int((~disclosure & by_model).sum()), int((~disclosure).sum()))
    return out


def model_flags(screener: SafeguardingScreener, texts: list[str]) -> np.ndarray:
    disclosure, _, ordinary = screener.decision_scores(texts)
    return (disclosure >= screener.threshold_) & (ordinary <= screener.ordinary_veto_threshold_)


def table(title: str, rows: dict[str, str]) -> None:
    print(f"\n### {title}\n\n| figure | value (95% interval) |\n|---|---|")
    for name, value in rows.items():
        print(f"| {name} | {value} |")


def subset(labelled: LabelledSet, keep: np.ndarray) -> LabelledSet:
    pick = np.flatnonzero(keep)
    ordinary = None if labelled.ordinary is None else [labelled.ordinary[i] for i in pick]
    sources = None if labelled.sources is None else [labelled.sources[i] for i in pick]
    return LabelledSet([labelled.texts[i] for i in pick], [labelled.levels[i] for i in pick],
                       [labelled.categories[i] for i in pick], ordinary, sources)


PARAMS: dict = {}  # --set NAME=VALUE: screener parameters other than the shipped defaults (for choosing)


def fit(labelled: LabelledSet) -> SafeguardingScreener:
    return SafeguardingScreener(**PARAMS).fit(labelled.texts, labelled.levels, labelled.categories, labelled.ordinary,
                                              labelled.sources)


def leave_one_source_out(labelled: LabelledSet) -> None:
    """The generalisation figure: each source (writer) scored by a screener fitted on the others alone."""
    sources = np.asarray(labelled.sources, dtype=object)
    print("\n### Leave one source out (fitted, thresholds included, without the held-out source)\n")
    print("| held-out source | texts | disclosures | recall (95% interval) | false-positive rate (95% interval) | "
          "urgent recall | precision |\n|---|---|---|---|---|---|---|")
    recalls, rates = [], []
    for source in dict.fromkeys(labelled.sources):
        held = sources == source
        screener = fit(subset(labelled, ~held))
        part = subset(labelled, held)
        predicted = np.asarray([r.level for r in screener.screen_all(part.texts)])
        truth = np.asarray(part.levels)
        disclosure, flagged = truth != "none", predicted != "none"
        tp, fp, n_pos, n_neg = int((disclosure & flagged).sum()), int((~disclosure & flagged).sum()), int(disclosure.sum()), int((~disclosure).sum())
        urgent = truth == "urgent"
        if n_pos:
            recalls.append(tp / n_pos)
        if n_pos and n_neg:
            rates.append(fp / n_neg)
        print(f"| {source} | {len(truth)} | {n_pos} | {wilson(tp, n_pos)} | {wilson(fp, n_neg)} | "
              f"{wilson(int((urgent & (predicted == 'urgent')).sum()), int(urgent.sum()))} | {wilson(tp, tp + fp)} |")
    print(f"| **mean of the labelled sources** | | | {np.mean(recalls):.3f} | {np.mean(rates):.3f} | | |")


def grouped_cross_validation(labelled: LabelledSet, dev_rows: int, n_splits: int = 5, random_state: int = 1) -> None:
    groups = training_groups(labelled.texts, labelled.ordinary)
    sizes = np.unique(groups, return_counts=True)[1]
    print(f"\nNear-duplicate groups: {len(sizes)} groups for {len(labelled.texts)} texts, "
          f"{int((sizes > 1).sum())} with more than one text, largest {int(sizes.max())}.")
    predicted = [""] * len(labelled.texts)
    category_hits = category_total = 0
    folds = StratifiedGroupKFold(n_splits, shuffle=True, random_state=random_state)
    for train, test in folds.split(labelled.texts, labelled.levels, groups):
        screener = fit(subset(labelled, np.isin(np.arange(len(labelled.texts)), train)))
        results = screener.screen_all([labelled.texts[i] for i in test])
        for i, result in zip(test, results, strict=True):
            predicted[i] = result.level
            if labelled.levels[i] != "none" and result.level != "none":
                category_total += 1
                category_hits += labelled.categories[i] in result.categories
    ordinary_rows = np.asarray(labelled.ordinary, bool)
    dev = np.flatnonzero(~ordinary_rows)  # the labelled rows (dev and blind sets); the ordinary answers apart
    by_rules = [screen_by_rules(labelled.texts[i]).level for i in dev]
    rows = figures([labelled.levels[i] for i in dev], [predicted[i] for i in dev], by_rules)
    rows["right kind of harm among the flagged disclosures"] = wilson(category_hits, category_total)
    ordinary = np.asarray(predicted)[ordinary_rows]
    rows["ordinary answers flagged (any level)"] = wilson(int((ordinary != "none").sum()), len(ordinary))
    rows["ordinary answers flagged urgent"] = wilson(int((ordinary == "urgent").sum()), len(ordinary))
    table(f"Grouped {n_splits}-fold cross-validation (threshold chosen inside each training fold); "
          f"recall, FPR and precision on the {len(dev)} labelled rows", rows)
    disclosure = np.asarray(labelled.levels) != "none"
    missed = [i for i in np.flatnonzero(disclosure) if predicted[i] == "none"]
    per_category = {c: sum(labelled.categories[i] == c for i in missed) for c in CATEGORIES}
    print("\nMissed disclosures by kind: " + ", ".join(f"{c} {n}" for c, n in per_category.items() if n) + ".")


def leave_one_category_out(labelled: LabelledSet) -> None:
    print("\n### Leave one category out (trained without that kind's disclosures; recall on them)\n")
    print("| kind of harm | disclosures | recall (95% interval) | of which by the rules alone | urgent recall |\n|---|---|---|---|---|")
    categories = np.asarray(labelled.categories)
    total_hits = total = 0
    for category in CATEGORIES:
        held = categories == category
        screener = fit(subset(labelled, ~held))
        texts = [t for t, h in zip(labelled.texts, held, strict=True) if h]
        levels = [v for v, h in zip(labelled.levels, held, strict=True) if h]
        predicted = [r.level for r in screener.screen_all(texts)]
        hits = sum(p != "none" for p in predicted)
        rules = sum(screen_by_rules(t).level != "none" for t in texts)
        urgent = [p for p, v in zip(predicted, levels, strict=True) if v == "urgent"]
        total_hits += hits
        total += len(texts)
        print(f"| {category} | {len(texts)} | {wilson(hits, len(texts))} | {rules} | "
              f"{wilson(sum(p == 'urgent' for p in urgent), len(urgent))} |")
    print(f"| **all kinds** | {total} | {wilson(total_hits, total)} | | |")


def old_set(screener: SafeguardingScreener) -> None:
    rows = list(csv.DictReader(OLD_SET.open(encoding="utf-8")))
    texts = [r["text"] for r in rows]
    levels = [r["expected"] for r in rows]
    predicted = [r.level for r in screener.screen_all(texts)]
    by_rules = [screen_by_rules(t).level for t in texts]
    table(f"The old {len(rows)}-text set (model never trained on it; rules were written against it)",
          figures(levels, predicted, by_rules, model_flags(screener, texts)))


def heldout(screener: SafeguardingScreener, path: Path) -> None:
    labelled = load_labelled_set(path)
    predicted = [r.level for r in screener.screen_all(labelled.texts)]
    by_rules = [screen_by_rules(t).level for t in labelled.texts]
    table(f"Held-out set {path.name} ({len(labelled.texts)} texts), screener fitted on the whole training set",
          figures(labelled.levels, predicted, by_rules, model_flags(screener, labelled.texts)))


def nhs_heldout(screener: SafeguardingScreener) -> None:
    if not NHS_FEEDBACK.is_file():
        print(f"\n(NHS figures skipped: {NHS_FEEDBACK} is absent)")
        return
    comments = read_comments(NHS_FEEDBACK)
    texts = [text for _, text in comments]
    odd = np.asarray([in_odd_half(comment_id) for comment_id, _ in comments])
    levels = np.asarray([r.level for r in screener.screen_all(texts)])
    by_rules = np.asarray([screen_by_rules(t).level for t in texts])
    by_model = model_flags(screener, texts)
    table(f"NHS feedback, ALL {len(texts)} real comments (never trained or tuned on)", {
        "flagged (any level)": wilson(int((levels != "none").sum()), len(texts)),
        "flagged urgent": wilson(int((levels == "urgent").sum()), len(texts)),
        "flagged by the rules alone": wilson(int((by_rules != "none").sum()), len(texts)),
        "flagged by the model alone": wilson(int(by_model.sum()), len(texts)),
    })
    table(f"NHS feedback, odd half ({int(odd.sum())} comments; first byte of SHA-256(comment_id) odd; "
          "for comparison with the earlier NHS-trained veto)", {
        "flagged (any level)": wilson(int((levels[odd] != "none").sum()), int(odd.sum())),
        "flagged urgent": wilson(int((levels[odd] == "urgent").sum()), int(odd.sum())),
    })


def cost(labelled: LabelledSet) -> SafeguardingScreener:
    """Fit once (timed and traced), then CPU time per answer one at a time, as the participant path does."""
    wall = time.perf_counter()
    _sentence_vectors(["load the sentence-vector model"])
    load_wall = time.perf_counter() - wall
    wall, cpu = time.perf_counter(), time.process_time()
    screener = fit(labelled)
    fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    tracemalloc.start()
    fit(labelled)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    texts = load_labelled_set().texts  # the dev set's texts: longer than most ordinary answers
    cpu = time.process_time()
    for text in texts:
        screener.screen_all([text])
    per_answer = (time.process_time() - cpu) / len(texts) * 1000
    cpu = time.process_time()
    for text in texts:
        screen_by_rules(text)
    rules_per_answer = (time.process_time() - cpu) / len(texts) * 1000
    table("Cost", {
        "loading the sentence-vector model (once per process)": f"{load_wall:.1f} s",
        "fit on the training set (wall, CPU)": f"{fit_wall:.1f} s, {fit_cpu:.1f} s",
        "peak Python memory during a fit (tracemalloc)": f"{peak / 2**20:.0f} MiB",
        "peak resident memory of this process so far": f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB",
        f"CPU per answer, one at a time ({len(texts)} answers)": f"{per_answer:.2f} ms (rules alone {rules_per_answer:.2f} ms)",
    })
    return screener


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", "--blind", type=Path, action="append", default=[],
                        help="a TSV with columns label, level, category, text, never trained or tuned on (may be repeated)")
    parser.add_argument("--skip-loso", action="store_true", help="skip the leave-one-source-out run (5 fits)")
    parser.add_argument("--skip-nhs", action="store_true", help="skip the NHS feedback comments (embedding 5,084 texts)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a SafeguardingScreener parameter for every fit here, e.g. C=30 (for comparing choices)")
    parser.add_argument("--skip-loco", action="store_true", help="skip the leave-one-category-out run (20 fits)")
    parser.add_argument("--skip-cv", action="store_true", help="skip the grouped cross-validation (5 fits)")
    args = parser.parse_args()
    for assignment in args.set:
        name, _, value = assignment.partition("=")
        PARAMS[name] = value if name in ("representation", "threshold_cv") else eval(value, {})  # numbers, tuples
    for path in args.heldout:
        if not path.is_file():
            print(f"evaluate_screening: no such file: {path}", file=sys.stderr)
            return 2
    started = time.perf_counter()
    labelled = training_set()
    dev_rows = sum(not o for o in labelled.ordinary)
    print(f"## Safeguarding screening ({len(labelled.texts)} training texts: {dev_rows} labelled (the dev set and "
          f"the three spent blind sets), {len(labelled.texts) - dev_rows} ordinary answers; "
          f"{sum(v != 'none' for v in labelled.levels)} disclosures, {sum(v == 'urgent' for v in labelled.levels)} urgent)")
    screener = cost(labelled)
    if not args.skip_loso:
        leave_one_source_out(labelled)
    if not args.skip_cv:
        grouped_cross_validation(labelled, dev_rows)
    if not args.skip_loco:
        leave_one_category_out(labelled)
    old_set(screener)
    if not args.skip_nhs:
        nhs_heldout(screener)
    for path in args.heldout:
        heldout(screener, path)
    print(f"\n(evaluated in {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
