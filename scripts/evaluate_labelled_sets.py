"""Precision and recall of screening, redaction and sentiment on Chorus's own labelled sets.

Run: make bench-labelled   (or: NLTK_DATA=... python scripts/evaluate_labelled_sets.py)
"""

from __future__ import annotations

import csv
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.redact import find  # noqa: E402
from analysis.screening import OLD_CATEGORIES, screen  # noqa: E402
from analysis.sentiment import score  # noqa: E402

DATA = ROOT / "tests" / "data"


def screening() -> str:
    rows = list(csv.DictReader((DATA / "safeguarding_screening.csv").open(encoding="utf-8")))
    results = [(r, screen(r["text"])) for r in rows]
    positives = [(r, s) for r, s in results if r["expected"] != "none"]
    negatives = [(r, s) for r, s in results if r["expected"] == "none"]
    tp = sum(s.level != "none" for _, s in positives)
    fp = sum(s.level != "none" for _, s in negatives)
    level = sum(s.level == r["expected"] for r, s in positives)
    category = sum(bool(OLD_CATEGORIES[r["categories"]] & set(s.categories)) for r, s in positives)
    return (
        f"| screening | {len(rows)} ({len(positives)} disclosures, {len(negatives)} hard negatives) | "
        f"recall {tp / len(positives):.3f} · false-positive rate {fp / len(negatives):.3f} · "
        f"precision {tp / max(tp + fp, 1):.3f} · level exact {level / len(positives):.3f} · "
        f"category found {category / len(positives):.3f} |"
    )


def redaction() -> str:
    mark = re.compile(r"\{([A-Z]+):([^}]*)\}")
    expected = predicted = hit = 0
    for line in (DATA / "redaction.txt").read_text(encoding="utf-8").splitlines():
        spans, plain, cursor = [], "", 0
        for m in mark.finditer(line):
            plain += line[cursor:m.start()]
            spans.append((len(plain), len(plain) + len(m.group(2))))
            plain += m.group(2)
            cursor = m.end()
        plain += line[cursor:]
        found = find(plain)
        expected += len(spans)
        predicted += len(found)
        hit += sum(any(f.start < e and s < f.end for f in found) for s, e in spans)
    return f"| redaction | {expected} personal details in 40 lines | recall {hit / expected:.3f} · precision {hit / max(predicted, 1):.3f} |"


def sentiment() -> str:
    rows = list(csv.DictReader((DATA / "sentiment.csv").open(encoding="utf-8")))
    predicted = [(r["label"], score(r["text"]).label) for r in rows]
    parts = [f"accuracy {sum(a == b for a, b in predicted) / len(rows):.3f}"]
    for label in ("positive", "neutral", "negative"):
        tp = sum(a == b == label for a, b in predicted)
        parts.append(
            f"{label} P {tp / max(sum(b == label for _, b in predicted), 1):.2f} R {tp / max(sum(a == label for a, _ in predicted), 1):.2f}"
        )
    return f"| sentiment | {len(rows)} survey answers | {' · '.join(parts)} |"


if __name__ == "__main__":
    started = time.perf_counter()
    print("| component | labelled set | figures |")
    print("|---|---|---|")
    for line in (screening(), redaction(), sentiment()):
        print(line)
    print(f"\n(evaluated in {time.perf_counter() - started:.1f} s)")
