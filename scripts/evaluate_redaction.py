"""How well redaction generalises: personal details removed and ordinary phrases kept.

Run: make bench-redaction   (or: NLTK_DATA=... python scripts/evaluate_redaction.py [--loso-only] [--blind PATH])

First, the generalisation figure: leave-one-source-out over the seven labelled files (pii-dev, our
pii-extra.tsv and the five spent blind sets analysis/data/pii-blind-{1,...,5}.tsv, now training text):
each file scored by the rules and a tagger fitted on the other four. A new blind set is scored once
with --blind PATH (the shipped tagger, fitted on all five, never saw it).

Input files are TSV with the columns `text`, `must_remove` and `must_keep` (`|`-separated,
`(none)` for none), like ../shared/data/pii-dev.tsv.

- removed: a must_remove detail counts as removed only when every letter and digit of every
  whole-word occurrence of it in the text lies inside a redacted span (a half-redacted name or
  address counts as a miss).
- kept: a must_keep phrase counts as kept when no occurrence of it overlaps a redacted span.

The development file and our own labelled texts (analysis/data/pii-extra.tsv, another writer)
are pooled and split into five folds, grouped so that texts written from the same template (the
same words once the personal details are masked) stay in one fold. Rules are tuned by looking
only at the tuning folds (0-2); the held-out folds (3-4) are reported separately, overall, per
file and per kind of detail.

The learned name tagger (analysis.name_model) ships fitted on both files, so every figure on
them here uses a tagger fitted on other folds only: on the held-out folds, one fitted on the
tuning folds; in the grouped 5-fold cross-validation, one fitted on the other four folds. The
cross-writer lines fit on one writer's file and score the other's (nearest to a blind set). A
--heldout file is scored with the shipped tagger (it never saw that file).
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.name_model import (  # noqa: E402
    BLIND_DATA,
    EXTRA_DATA,
    LabelledText,
    NameTagger,
    detail_places,
    labelled_items,
    ordinary_texts,
)
from analysis.redact import TITLES, Span, find, lexicon  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "pii-dev.tsv"
KINDS = ("NAME", "PHONE", "EMAIL", "HANDLE", "POSTCODE", "ADDRESS", "ESTATE", "SCHOOL/CLUB", "DATE", "REG", "AGE", "NUMBER")
FOLDS = 5
TUNING_FOLDS = frozenset({0, 1, 2})
SAME_TEMPLATE = 0.5  # Jaccard similarity of masked word sets at which two texts share a template
WORD = re.compile(r"[^\W_]+")


@dataclass
class Row:
    text: str
    must_remove: list[str]
    must_keep: list[str]
    fold: int = 0
    source: str = ""


@dataclass
class Score:
    removed: int = 0
    to_remove: int = 0
    kept: int = 0
    to_keep: int = 0
    absent: int = 0  # labelled details that do not occur in their text (counted as not removed)
    misses: list[str] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [removed, to remove]

    def line(self, label: str) -> str:
        return (f"| {label} | {self.to_remove} details, {self.to_keep} phrases | "
                f"removed {self.removed / max(self.to_remove, 1):.1%} ({self.removed}/{self.to_remove}) · "
                f"kept {self.kept / max(self.to_keep, 1):.1%} ({self.kept}/{self.to_keep})"
                + (f" · {self.absent} labelled details not found in their text" if self.absent else "") + " |")

    def kinds_line(self, label: str) -> str:
        parts = [f"{k} {r / n:.0%} ({r}/{n})" for k in KINDS if (rn := self.by_kind.get(k)) for r, n in [rn]]
        return f"| {label} | removed by kind | {' · '.join(parts)} |"


def kind_of(item: str) -> str:
    """What kind of detail a labelled item is, by its shape (for the by-kind figures only)."""
    low = item.lower()
    if re.fullmatch(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", item):
        return "EMAIL"
    if re.fullmatch(r"\d{1,2}", item):
        return "AGE"
    if re.fullmatch(r"[A-Z]{2}\d{2}\s?[A-Z]{3}", item, re.I):
        return "REG"
    if re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?(?:\s*\d[A-Z]{2})?", item, re.I):
        return "POSTCODE"
    digits = sum(c.isdigit() for c in item)
    if digits >= 9 and re.fullmatch(r"[\d\s()+\-]+", item):
        return "PHONE" if re.match(r"\s*(?:\+|\(?0|44)", item) else "NUMBER"
    if re.search(r"\d{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+[A-Za-z]{3,}\s+\d{4}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}", item):
        return "DATE"
    if digits >= 4 and not re.search(r"[A-Za-z]", item.replace("*", "")):
        return "NUMBER"
    if re.search(r"\bestate\b", low):
        return "ESTATE"
    if re.search(r"\b(?:school|academy|college|primary|high|sixth form|youth (?:club|centre)|hub|pru|centre)\b", low):
        return "SCHOOL/CLUB"
    if re.search(r"^(?:flat|apartment)\b|\b(?:road|rd|street|avenue|lane|close|drive|way|grove|gardens|place|crescent|"
                 r"court|terrace|house|tower|mews|row|green|parade|rise|vale|view|walk|square)\b", low):
        return "ADDRESS"
    if item.startswith("@") or re.search(r"[_#./]|\d", item) or (item.isalnum() and item.lower() != item
                                                                and not item.istitle() and len(item) > 6):
        return "HANDLE"
    return "NAME"


TITLES_OPTIONAL = False  # --titles-optional: score "PC Hughes" as "Hughes" (a title left in place is no miss)
TITLE = re.compile(r"^(?:(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r")\.?\s+)+(?=\S)", re.I)


def read_rows(path: Path) -> list[Row]:
    """Rows of a labelled TSV; a missing column is an error that names the file."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if not {"text", "must_remove", "must_keep"} <= set(reader.fieldnames or ()):
            raise SystemExit(f"{path}: needs the columns text, must_remove and must_keep (tab-separated)")
        rows = [Row(r["text"], labelled_items(r["must_remove"]), labelled_items(r["must_keep"])) for r in reader]
    if TITLES_OPTIONAL:
        for row in rows:
            row.must_remove = [TITLE.sub("", item) for item in row.must_remove]
    return rows


occurrences = detail_places  # whole-word occurrences of a labelled item, as the tagger's training reads them


def covered(text: str, start: int, end: int, spans: list[Span]) -> bool:
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, end) if text[i].isalnum())


def assign_folds(rows: list[Row]) -> None:
    """Group texts that share a template (union-find on masked word sets), then fold by group."""
    def masked(row: Row) -> set[str]:
        text = row.text
        for item in row.must_remove:
            text = text.replace(item, " ")
        return {w.lower() for w in WORD.findall(text) if not w.isdigit()}

    words = [masked(r) for r in rows]
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(rows)):
        for j in range(i):
            union = words[i] | words[j]
            if union and len(words[i] & words[j]) / len(union) >= SAME_TEMPLATE:
                parent[root(i)] = root(j)
    for i, row in enumerate(rows):
        row.fold = zlib.crc32(rows[root(i)].text.encode("utf-8")) % FOLDS


SHIPPED = "shipped"


def evaluate(rows: list[Row], show_misses: bool = False, name_tagger=SHIPPED) -> Score:
    """Removed and kept over rows; name_tagger None for the rules alone, or a tagger fitted elsewhere."""
    score = Score()
    for row in rows:
        spans = find(row.text) if name_tagger is SHIPPED else find(row.text, name_tagger)
        for item in row.must_remove:
            places = occurrences(row.text, item)
            score.to_remove += 1
            score.absent += not places
            tally = score.by_kind.setdefault(kind_of(item), [0, 0])
            tally[1] += 1
            if places and all(covered(row.text, s, e, spans) for s, e in places):
                score.removed += 1
                tally[0] += 1
            elif show_misses:
                score.misses.append(f"  left   {item!r:32} in {row.text}")
        for phrase in row.must_keep:
            places = occurrences(row.text, phrase)
            score.to_keep += 1
            if not any(sp.start < e and s < sp.end for s, e in places for sp in spans):
                score.kept += 1
            elif show_misses:
                score.misses.append(f"  broke  {phrase!r:32} in {row.text}")
    return score


TAGGER_PARAMS: dict = {}  # --set NAME=VALUE: NameTagger parameters other than the shipped defaults (for choosing)


def fitted_on(rows: list[Row], ordinary: list[LabelledText]) -> NameTagger:
    """A tagger fitted as the shipped one is, on these rows and these of our ordinary answers."""
    return NameTagger(**TAGGER_PARAMS).fit([LabelledText(r.text, tuple(r.must_remove)) for r in rows] + ordinary)


def leave_one_source_out(rows: list[Row], ordinary: list[LabelledText], show_misses: frozenset[str] = frozenset(),
                         by_kind: bool = False) -> tuple[float, float]:
    """The generalisation figure: each source (writer) scored with a tagger fitted on the other sources
    (and all our ordinary answers). The rules were written against pii-dev and pii-extra, so on those two
    rows the rules' share is a training figure; the sources whose misses were read to change the rules
    are tuned on (docs/benchmarks.md says which)."""
    print("\n| held-out source (leave-one-source-out) | size | rules + tagger fitted on the other sources |\n|---|---|---|")
    removed, kept, pooled, misses = [], [], Score(), []
    for source in dict.fromkeys(r.source for r in rows):
        tagger = fitted_on([r for r in rows if r.source != source], ordinary)
        part = [r for r in rows if r.source == source]
        score = evaluate(part, show_misses=source in show_misses, name_tagger=tagger)
        rules = evaluate(part, name_tagger=None)
        removed.append(score.removed / max(score.to_remove, 1))
        kept.append(score.kept / max(score.to_keep, 1))
        add(pooled, score)
        misses += [f"{source}: {m.strip()}" for m in score.misses]
        print(score.line(f"{source} ({len(part)} texts)").rstrip(" |")
              + f" · rules alone removed {rules.removed / max(rules.to_remove, 1):.1%} |")
        if by_kind:
            print(score.kinds_line(source))
    print(f"| **mean of the {len(removed)} sources** | | removed {sum(removed) / len(removed):.1%} · "
          f"kept {sum(kept) / len(kept):.1%} |")
    print(pooled.kinds_line("all sources pooled"))
    if misses:
        print("\nMisses (left = a detail not removed, broke = a phrase not kept) on " + ", ".join(sorted(show_misses)) + ":")
        print("\n".join(misses))
    return sum(removed) / len(removed), sum(kept) / len(kept)


def add(total: Score, part: Score) -> None:
    for name in ("removed", "to_remove", "kept", "to_keep", "absent"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    for kind, (removed, count) in part.by_kind.items():
        tally = total.by_kind.setdefault(kind, [0, 0])
        tally[0] += removed
        tally[1] += count


def changed_texts(texts: list[str], name_tagger=SHIPPED) -> int:
    """How many texts lose anything: on text with (almost) no personal details, over-redaction."""
    if name_tagger is SHIPPED:
        return sum(bool(find(t)) for t in texts)
    return sum(bool(find(t, name_tagger)) for t in texts)


def speed(texts: list[str], repeats: int) -> str:
    """Median cost per text over `repeats` passes (after one warm-up pass that loads the lexicons)."""
    for text in texts:
        find(text)
    per_text, cpu_per_text = [], []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            find(text)
        per_text.append((time.perf_counter() - started) / len(texts))
        cpu_per_text.append((time.process_time() - cpu) / len(texts))
    mean_chars = sum(map(len, texts)) / len(texts)
    return (f"{statistics.median(per_text) * 1e3:.3f} ms per text wall, {statistics.median(cpu_per_text) * 1e3:.3f} ms CPU "
            f"({len(texts)} texts, mean {mean_chars:.0f} characters, median of {repeats} passes)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV, help="development TSV (default ../shared/data/pii-dev.tsv)")
    parser.add_argument("--extra", type=Path, default=EXTRA_DATA,
                        help="our own labelled TSV, pooled with --dev for the folds (default analysis/data/pii-extra.tsv)")
    parser.add_argument("--fit-on", choices=("all", "dev"), default="all",
                        help="which files' rows the out-of-fold taggers learn from (dev: as before pii-extra.tsv existed)")
    parser.add_argument("--heldout", "--blind", type=Path, action="append", default=[],
                        help="a TSV never used for tuning (same columns); may be given more than once")
    parser.add_argument("--blind-sets", type=Path, nargs="*", default=list(BLIND_DATA),
                        help="the spent blind sets, now training sources (default analysis/data/pii-blind-{1,...,5}.tsv)")
    parser.add_argument("--loso-only", action="store_true",
                        help="only the leave-one-source-out figures (and any --heldout), not the folds")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a NameTagger parameter for every tagger fitted here, e.g. threshold=0.5 (for comparing choices)")
    parser.add_argument("--misses", action="store_true", help="list misses on the tuning folds only")
    parser.add_argument("--loso-misses", action="append", default=[], metavar="SOURCE",
                        help="list the leave-one-source-out misses of this source (file name); may be given more than once")
    parser.add_argument("--titles-optional", action="store_true",
                        help="score a labelled 'PC Hughes' as 'Hughes': the convention of writers who leave titles out")
    parser.add_argument("--by-kind", action="store_true", help="removed by kind for each held-out source")
    parser.add_argument("--speed", type=Path, nargs="?", const=ROOT.parent / "shared" / "data" / "nhs-feedback-neas.csv",
                        help="also time redaction on this CSV's `comment` column (default: the NHS feedback file)")
    args = parser.parse_args(argv)
    global TITLES_OPTIONAL
    TITLES_OPTIONAL = args.titles_optional
    for assignment in args.set:
        name, _, value = assignment.partition("=")
        TAGGER_PARAMS[name] = eval(value, {})  # numbers and booleans

    started = time.perf_counter()
    lexicon()  # NLTK's names, words and tagger: loaded once per process
    loaded = time.perf_counter() - started
    print("| set | size | figures |")
    print("|---|---|---|")
    rows: list[Row] = []
    for path in (args.dev, args.extra, *args.blind_sets):
        if path.exists():
            for row in read_rows(path):
                row.source = path.name
                rows.append(row)
    if rows:
        leave_one_source_out(rows, ordinary_texts(), frozenset(args.loso_misses), args.by_kind)
    if rows and not args.loso_only:
        assign_folds(rows)
        sources = sorted({r.source for r in rows})
        learn = [r for r in rows if args.fit_on == "all" or r.source == args.dev.name]
        tuning = [r for r in rows if r.fold in TUNING_FOLDS]
        heldout = [r for r in rows if r.fold not in TUNING_FOLDS]
        ordinary = ordinary_texts()
        on_tuning = fitted_on([r for r in learn if r.fold in TUNING_FOLDS], ordinary)
        print(evaluate(heldout, name_tagger=None).line(
            f"held-out folds ({len(heldout)} texts, grouped by template), rules alone"))
        on_heldout = evaluate(heldout, name_tagger=on_tuning)
        print(on_heldout.line(f"held-out folds ({len(heldout)} texts), rules + tagger fitted on the tuning folds"))
        print(on_heldout.kinds_line("held-out folds, rules + tagger"))
        for source in sources:
            part = [r for r in heldout if r.source == source]
            print(evaluate(part, name_tagger=on_tuning).line(f"held-out folds of {source} ({len(part)} texts), rules + tagger"))
        cross, rules_alone, ordinary_changed = Score(), Score(), 0
        for fold in range(FOLDS):
            test = [r for r in rows if r.fold == fold]
            tagger = fitted_on([r for r in learn if r.fold != fold], [o for k, o in enumerate(ordinary) if k % FOLDS != fold])
            add(cross, evaluate(test, name_tagger=tagger))
            add(rules_alone, evaluate(test, name_tagger=None))
            ordinary_changed += changed_texts([o.text for o in ordinary[fold::FOLDS]], tagger)
        print(rules_alone.line(f"all {FOLDS} folds, rules alone (rules tuned on folds 0-2)"))
        print(cross.line(f"grouped {FOLDS}-fold CV, rules + tagger fitted on the other folds"))
        print(cross.kinds_line(f"grouped {FOLDS}-fold CV"))
        if len(sources) == 2 and args.fit_on == "all":
            for fit, score in (sources, sources[::-1]):
                tagger = fitted_on([r for r in rows if r.source == fit], ordinary)
                print(evaluate([r for r in rows if r.source == score], name_tagger=tagger).line(
                    f"cross-writer: tagger fitted on {fit}, scored on {score}"))
        print(f"| our ordinary answers the rules find no name in ({len(ordinary)}) | texts that lose anything | "
              f"rules alone {changed_texts([o.text for o in ordinary], None)} · rules + tagger fitted on the "
              f"other folds {ordinary_changed} |")
        inner = Score()  # for choices: grouped CV inside the tuning folds, never the held-out ones
        for fold in sorted(TUNING_FOLDS):
            tagger = fitted_on([r for r in learn if r.fold in TUNING_FOLDS - {fold}], ordinary)
            add(inner, evaluate([r for r in tuning if r.fold == fold], name_tagger=tagger))
        print(inner.line(f"inner grouped CV on the tuning folds {sorted(TUNING_FOLDS)} (for choices)"))
        print(inner.kinds_line("inner grouped CV on the tuning folds"))
        tuned = evaluate(tuning, show_misses=args.misses, name_tagger=on_tuning)
        print(tuned.line(f"tuning folds {sorted(TUNING_FOLDS)} ({len(tuning)} texts), tuned on"))
    for path in args.heldout:
        print(evaluate(read_rows(path)).line(f"held out: {path.name}"))
    if args.speed:
        with args.speed.open(encoding="utf-8", newline="") as handle:
            comments = [r["comment"] for r in csv.DictReader(handle) if r.get("comment", "").strip()]
        print(f"\nover-redaction on {args.speed.name} (real comments, almost no personal details): texts that lose "
              f"anything: rules alone {changed_texts(comments, None)}, rules + shipped tagger "
              f"{changed_texts(comments)} of {len(comments)}")
        print(f"speed on {args.speed.name}: {speed(comments, 3)}")
    if rows and not args.loso_only:
        print(f"speed on the labelled texts: {speed([r.text for r in rows], 5)}")
    print(f"lexicons and tagger loaded once per process in {loaded:.2f} s")
    print(f"\n(evaluated in {time.perf_counter() - started:.1f} s)")
    if args.misses and rows:
        print("\nMisses on the tuning folds:")
        print("\n".join(tuned.misses))


if __name__ == "__main__":
    main()
