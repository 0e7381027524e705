"""Write analysis/data/ordinary-feedback-train.tsv: the TRAIN half of the NHS feedback comments as `ok` rows.

Run: python scripts/make_ordinary_feedback.py [PATH to nhs-feedback-neas.csv]

Split rule (also used by scripts/evaluate_screening.py for the HELD-OUT half): a comment is TRAIN when
the first byte of SHA-256(comment_id) is even, HELD-OUT otherwise. Never train or tune on HELD-OUT.
TRAIN comments the precise rules flag are left out (an ambulance trust's feedback can mention an
overdose or a self-harm call; labelling those `ok` would teach the model that such words are ordinary).
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.screening import ORDINARY_FEEDBACK_DATA, screen_by_rules  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "nhs-feedback-neas.csv"


def is_train(comment_id: str) -> bool:
    return hashlib.sha256(comment_id.encode("utf-8")).digest()[0] % 2 == 0


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_comments(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(r["comment_id"], one_line(r["comment"])) for r in csv.DictReader(handle) if one_line(r["comment"])]


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    seen, rows, flagged = set(), [], 0
    for comment_id, text in read_comments(source):
        if not is_train(comment_id) or text.lower() in seen:
            continue
        seen.add(text.lower())
        if screen_by_rules(text).level != "none":
            flagged += 1
            continue
        rows.append(text)
    with ORDINARY_FEEDBACK_DATA.open("w", encoding="utf-8", newline="") as handle:
        handle.write("label\tlevel\tcategory\ttext\n")
        for text in rows:
            handle.write(f"ok\tnone\tnone\t{text}\n")
    print(f"{len(rows)} TRAIN comments written to {ORDINARY_FEEDBACK_DATA} ({flagged} left out: the rules flag them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
