"""Write analysis/data/training-minilm-vectors.npz (MiniLM's vectors of screening's training texts) and
analysis/data/training-thresholds.json (the thresholds the default screener's leave-one-source-out chooses).

Run after changing a training file, a SafeguardingScreener default, scikit-learn or the MiniLM package:
python scripts/make_screening_vectors.py (a stale file is ignored at start-up, so forgetting costs time,
not correctness).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.screening import TRAINING_THRESHOLDS_DATA, TRAINING_VECTORS_DATA, save_training_thresholds, save_training_vectors  # noqa: E402

if __name__ == "__main__":
    save_training_vectors()
    print(f"wrote {TRAINING_VECTORS_DATA}")
    print(f"wrote {TRAINING_THRESHOLDS_DATA}: {save_training_thresholds()}")
