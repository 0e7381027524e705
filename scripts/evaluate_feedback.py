"""Themes and sentiment on real feedback (../shared/data/nhs-feedback-neas.csv), dev or held-back part.

    python scripts/evaluate_feedback.py sentiment --part heldback
    python scripts/evaluate_feedback.py themes --part heldback [--samples 3 --sample-size 1500]
    python scripts/evaluate_feedback.py speed   # CPU to load the shipped sentiment model and per answer scored

The split is fixed in scripts/feedback_split.py. Sentiment: macro-F1 over positive (1-2),
neutral (3), negative (4-5) on coded comments, for the shipped model (our own text), the model
fitted at run time on the DEVELOPMENT part only, VADER alone, TextBlob alone and the rule that
was there before (git HEAD~ of analysis/sentiment.py, if given with --before). Themes: NMI of
the assignments (other and general each count as one group) against the primary human theme
(rule in feedback_split.primary_theme; comments with none left out), and the shape figures.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import feedback_split  # noqa: E402

from analysis import resources  # noqa: E402

resources.use_paths([ROOT.parent / "shared" / "nltk_data", ROOT / "var" / "nltk_data"])
NOT_ANSWERED = "Did not answer"


def comments(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["comment"].strip() and r["comment"].strip() != NOT_ANSWERED]


def sentiment(part: str) -> None:
    from nltk.sentiment.vader import SentimentIntensityAnalyzer
    from sklearn.metrics import f1_score
    from textblob import TextBlob

    from analysis import sentiment as module

    rows = [r for r in comments(feedback_split.load(part)) if r["sentiment3"]]
    texts, truth = [r["comment"] for r in rows], [r["sentiment3"] for r in rows]
    print(f"{part}: {len(rows)} coded comments, {dict(Counter(truth))}")

    def three(value: float, at: float = 0.05) -> str:
        return "positive" if value >= at else "negative" if value <= -at else "neutral"

    vader = SentimentIntensityAnalyzer()
    results = {
        "VADER alone (compound, ±0.05)": [three(vader.polarity_scores(t)["compound"]) for t in texts],
        "TextBlob alone (polarity, ±0.05)": [three(TextBlob(t).sentiment.polarity) for t in texts],
        "shipped model (weights: dev part + our 252 answers)": [s.label for s in module.score_many(texts)],
    }
    dev = [r for r in comments(feedback_split.load("dev")) if r["sentiment3"]]
    fitted = module.SentimentModel().fit([r["comment"] for r in dev], [r["sentiment3"] for r in dev])
    predicted = fitted.predict(texts)
    results["model fitted at run time on the dev part"] = [
        "neutral" if module.is_non_answer(t) else p for t, p in zip(texts, predicted, strict=True)
    ]
    for name, labels in results.items():
        print(f"| {name} | {f1_score(truth, labels, average='macro'):.3f} | {f1_score(truth, labels, average=None, labels=['positive', 'neutral', 'negative']).round(3).tolist()} |")


def speed() -> None:
    """CPU (process time, not wall) to load the shipped weights and to score dev comments one at a time and 64 at once."""
    import time

    from analysis import sentiment as module

    texts = [r["comment"] for r in comments(feedback_split.load("dev"))][:320]
    cpu = time.process_time()
    module.load_weights()
    load = time.process_time() - cpu
    module.score_many(texts[:5])  # first call pays for VADER's and TextBlob's lexicons
    cpu = time.process_time()
    for text in texts:
        module.score(text)
    one = (time.process_time() - cpu) / len(texts) * 1000
    cpu = time.process_time()
    for start in range(0, len(texts), 64):
        module.score_many(texts[start:start + 64])
    batch = (time.process_time() - cpu) / len(texts) * 1000
    print(f"| load the shipped weights | {load * 1000:.0f} ms CPU |")
    print(f"| score one at a time ({len(texts)} dev comments) | {one:.2f} ms CPU per answer |")
    print(f"| score 64 at a time | {batch:.2f} ms CPU per answer |")


def themes(part: str, samples: int, sample_size: int) -> None:
    from sklearn.metrics import normalized_mutual_info_score

    from analysis.themes import ThemeModel

    rows = comments(feedback_split.load(part))
    runs = [("whole part", rows)]
    population = comments(feedback_split.load("all"))
    runs += [(f"sample {seed} of {sample_size} (whole set)", random.Random(seed).sample(population, sample_size)) for seed in range(samples)]
    for name, chosen in runs:
        model = ThemeModel(random_state=0).fit([r["comment"] for r in chosen])
        result = model.result_
        scored = [(r["primary_theme"], a) for r, a in zip(chosen, result.assignments, strict=True) if r["primary_theme"] and a]
        nmi = normalized_mutual_info_score([t for t, _ in scored], [a for _, a in scored])
        topical = [t for t in result.themes if t.kind in ("theme", "general")]
        n = sum(t.size for t in result.themes)
        other = sum(t.size for t in result.themes if t.kind == "other")
        print(f"\n### {part}: {name}: {len(chosen)} comments; NMI {nmi:.3f} over {len(scored)} with a human theme; "
              f"themes {sum(t.kind == 'theme' for t in result.themes)} (+ general {'yes' if any(t.kind == 'general' for t in result.themes) else 'no'}); "
              f"largest {max(t.size for t in topical) / n:.3f}; other {other / n:.3f}")
        for t in result.themes:
            print(f"- {t.label} [{t.kind}] {t.size} ({t.share:.1%}) sentiment {t.sentiment_split} · {', '.join(t.keywords[:5])}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("sentiment", "themes", "speed"))
    parser.add_argument("--part", choices=("dev", "heldback"), default="dev")
    parser.add_argument("--samples", type=int, default=0)
    parser.add_argument("--sample-size", type=int, default=1500)
    args = parser.parse_args()
    if args.what == "sentiment":
        sentiment(args.part)
    elif args.what == "speed":
        speed()
    else:
        themes(args.part, args.samples, args.sample_size)


if __name__ == "__main__":
    main()
