"""The category classifier (智能派单): training, top-3 suggestions, model files, bad input."""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import joblib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.textproc.classify import (
    CATEGORY_NAMES_SHARE,
    FORMAT,
    FORMAT_VERSION,
    SEPARATOR,
    Classifier,
    Example,
    ModelFileError,
    ModelVersionError,
    TrainingDataError,
    category_names_from_paths,
    evaluate,
    read_labelled_csv,
    read_taxonomy_csv,
    read_texts_csv,
)

LABELLED = Path(__file__).resolve().parents[3] / "shared" / "data" / "messages" / "labelled.csv"

# A small hand-written sample: four categories, each with its own vocabulary.
SAMPLE: dict[str, list[str]] = {
    "城乡建设": [
        "小区门口道路施工围挡占道，一年了还没修好",
        "楼房违章建筑加盖三层，城管不管",
        "小区物业不作为，电梯坏了一个月没人修",
        "老旧小区改造施工噪音大，工地夜间施工",
        "房屋征收补偿标准太低，拆迁安置房迟迟不交房",
        "开发商延期交房，房产证办不下来",
    ],
    "教育文体": [
        "学校乱收补课费，老师在校外办培训班",
        "孩子上小学学区划分不合理，入学难",
        "幼儿园收费太高，民办幼儿园老师待遇低",
        "中学老师体罚学生，学校不处理",
        "高考招生政策咨询，学生学籍怎么转",
        "学校食堂饭菜差，学生家长有意见",
    ],
    "劳动和社会保障": [
        "公司拖欠工资三个月，工人讨薪无门",
        "单位不给缴纳社保，养老保险断缴",
        "咨询退休待遇，养老金怎么计算",
        "工伤认定难，劳动仲裁不受理",
        "医保报销比例咨询，职工医疗保险怎么转移",
        "失业保险金怎么领取，就业培训补贴",
    ],
    "环境保护": [
        "化工厂排放污水，河水发黑发臭",
        "搅拌站粉尘污染严重，空气很差",
        "夜间烧烤油烟扰民，噪音污染",
        "工厂偷排废气，刺鼻气味熏人",
        "垃圾焚烧厂污染环境，环评没有公示",
        "养殖场粪便污染河流，臭气熏天",
    ],
}
UNLABELLED = [
    "道路施工围挡影响出行",
    "学校补课收费问题",
    "工厂拖欠工人工资",
    "河道污水排放发臭",
    "小区物业乱收费",
    "学生入学政策咨询",
    "社保缴费基数咨询",
    "餐馆油烟噪音扰民",
]


def sample_examples() -> list[Example]:
    return [
        Example(text=text, label=label, title=text[:6])
        for label, texts in SAMPLE.items()
        for text in texts
    ]


@pytest.fixture(scope="module")
def model() -> Classifier:
    return Classifier.train(sample_examples(), UNLABELLED, sources=["sample"])


def test_top3_with_scores_best_first(model: Classifier) -> None:
    suggestions = model.suggest("工厂排放的污水把河流污染了，发黑发臭")
    assert len(suggestions) == 3
    assert suggestions[0].label == "环境保护"
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert sum(scores) <= 1.0001
    assert len({s.label for s in suggestions}) == 3


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("老师在校外办补课班，学校乱收费", "教育文体"),
        ("老板拖欠工资不给，想申请劳动仲裁", "劳动和社会保障"),
        ("小区旁边违章建筑，城管不管", "城乡建设"),
    ],
)
def test_clear_texts_get_their_category(model: Classifier, text: str, label: str) -> None:
    assert model.suggest(text)[0].label == label


def test_title_is_read_too(model: Classifier) -> None:
    assert model.suggest("", title="拖欠工资，社保断缴")[0].label == "劳动和社会保障"


def test_text_is_normalised_first(model: Classifier) -> None:
    """Traditional characters and full-width letters read as their simplified forms."""
    simplified = model.suggest("化工厂排放污水，河水发黑发臭")
    traditional = model.suggest("化工廠排放汙水，河水發黑發臭")
    assert traditional[0].label == simplified[0].label == "环境保护"


def test_k_limits_the_answer(model: Classifier) -> None:
    assert len(model.suggest("学校乱收费", k=1)) == 1
    assert len(model.suggest("学校乱收费", k=10)) == 4  # only four categories exist


def test_nothing_to_suggest_for_no_texts(model: Classifier) -> None:
    assert model.suggest_many([]) == []
    assert model.predict([("", ""), ("学校乱收费", "")]) == [None, "教育文体"]


def test_training_info_is_kept(model: Classifier) -> None:
    info = model.info
    assert info.examples == 24
    assert info.label_counts == {label: 6 for label in SAMPLE}
    assert info.unlabelled == len(UNLABELLED)
    assert info.pseudo_labelled > 0  # self-training took some of the unlabelled texts
    assert info.sources == ("sample",)
    assert sorted(model.labels) == sorted(SAMPLE)


def test_without_self_training(model: Classifier) -> None:
    plain = Classifier.train(sample_examples(), UNLABELLED, self_training=False)
    assert plain.info.pseudo_labelled == 0
    assert plain.suggest("化工厂排放污水")[0].label == "环境保护"


def test_two_categories_work(model: Classifier) -> None:
    examples = [e for e in sample_examples() if e.label in ("教育文体", "环境保护")]
    two = Classifier.train(examples, self_training=False)
    suggestions = two.suggest("学校乱收补课费")
    assert [s.label for s in suggestions] == ["教育文体", "环境保护"]
    assert suggestions[0].score > suggestions[1].score


# --- model files


def test_save_and_load_give_the_same_answers(model: Classifier, tmp_path: Path) -> None:
    path = model.save(tmp_path / "sub" / "model.joblib")
    loaded = Classifier.load(path)
    texts = ["学校乱收补课费", "工厂偷排废气", "拖欠工资", "违章建筑"]
    assert [loaded.suggest(t) for t in texts] == [model.suggest(t) for t in texts]
    assert loaded.info == model.info
    assert not list(path.parent.glob(".*partial"))


def test_a_file_of_another_version_is_refused(model: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "old.joblib"
    payload = {
        "format": FORMAT,
        "version": FORMAT_VERSION + 1,
        "info": model.info,
        "features": None,
        "model": None,
    }
    joblib.dump(payload, path)
    with pytest.raises(ModelVersionError, match="格式版本"):
        Classifier.load(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"not a model at all", b"\x80\x04\x95garbage"],
)
def test_a_foreign_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "foreign.joblib"
    path.write_bytes(content)
    with pytest.raises(ModelFileError):
        Classifier.load(path)


def test_another_pickle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dict.joblib"
    joblib.dump({"format": "something-else", "version": FORMAT_VERSION}, path)
    with pytest.raises(ModelFileError, match="不是"):
        Classifier.load(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="找不到"):
        Classifier.load(tmp_path / "none.joblib")


# --- bad input


def test_empty_text_gives_no_suggestion(model: Classifier) -> None:
    assert model.suggest("") == []
    assert model.suggest("   \n\t ") == []


def test_emoji_only_gives_no_suggestion(model: Classifier) -> None:
    assert model.suggest("😀😡👍🏽👨‍👩‍👧") == []


def test_emoji_in_text_is_ignored(model: Classifier) -> None:
    assert model.suggest("😡😡 化工厂排放污水，河水发臭 😡")[0].label == "环境保护"


def test_long_text_is_read_up_to_the_limit(model: Classifier) -> None:
    text = "化工厂排放污水，河水发黑发臭。" * 7000  # 105,000 characters
    assert len(text) > 100_000
    assert model.suggest(text)[0].label == "环境保护"


def test_binary_bytes_never_crash(model: Classifier) -> None:
    garbage = bytes(range(256)) * 4
    assert isinstance(model.suggest(garbage), list)
    assert model.suggest("学校乱收费".encode())[0].label == "教育文体"
    assert isinstance(model.suggest(garbage.decode("latin-1")), list)


def test_mixed_scripts(model: Classifier) -> None:
    text = "Factory 排放污水 pollution, река 河水发臭 ١٢٣ \u0000\ufffd\ud800"
    assert model.suggest(text)[0].label == "环境保护"


def test_non_text_is_a_clear_error(model: Classifier) -> None:
    with pytest.raises(TypeError, match="expected str or bytes"):
        model.suggest(123)  # type: ignore[arg-type]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300), st.text(max_size=30))
def test_arbitrary_text_never_crashes(model: Classifier, text: str, title: str) -> None:
    suggestions = model.suggest(text, title)
    assert len(suggestions) <= 3
    assert all(s.label in SAMPLE and 0 <= s.score <= 1 for s in suggestions)


# --- training data


def test_one_category_is_refused() -> None:
    with pytest.raises(TrainingDataError, match="两个"):
        Classifier.train([Example("学校乱收费", "教育文体"), Example("补课", "教育文体")])


def test_a_category_with_one_example_is_refused() -> None:
    examples = [*sample_examples(), Example("气象预报不准", "气象")]
    with pytest.raises(TrainingDataError, match="气象"):
        Classifier.train(examples)


def test_too_little_text_is_refused() -> None:
    examples = [Example("甲", "a"), Example("乙", "a"), Example("丙", "b"), Example("丁", "b")]
    with pytest.raises(TrainingDataError, match="太少"):
        Classifier.train(examples)


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_read_labelled_csv(tmp_path: Path) -> None:
    rows = [
        {"id": "1", "title": "乱收费", "text": "学校乱收费", "category": "教育文体"},
        {"id": "2", "title": "", "text": "", "category": "教育文体"},  # skipped: no text
        {"id": "3", "title": "", "text": "污水", "category": ""},  # skipped: no label
    ]
    path = write_csv(tmp_path / "l.csv", rows, ["id", "title", "text", "category"])
    assert read_labelled_csv(path) == [Example("学校乱收费", "教育文体", "乱收费")]


def test_labelled_csv_errors(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="找不到"):
        read_labelled_csv(tmp_path / "missing.csv")
    no_label = write_csv(tmp_path / "a.csv", [{"text": "x"}], ["text"])
    with pytest.raises(TrainingDataError, match="缺少列 category"):
        read_labelled_csv(no_label)
    empty = write_csv(tmp_path / "b.csv", [], ["text", "category"])
    with pytest.raises(TrainingDataError, match="没有可用的行"):
        read_labelled_csv(empty)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("text,category\n学校乱收费,教育文体\n".encode("gbk"))
    with pytest.raises(TrainingDataError, match="UTF-8"):
        read_labelled_csv(gbk)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"text,category\n\x00\x01\x02,\xff\xfe\n")
    with pytest.raises(TrainingDataError):
        read_labelled_csv(binary)


def test_read_texts_csv(tmp_path: Path) -> None:
    rows = [{"title": "标题", "text": "内容"}, {"title": "", "text": ""}]
    path = write_csv(tmp_path / "u.csv", rows, ["title", "text"])
    assert read_texts_csv(path) == ["标题\n内容"]
    with pytest.raises(TrainingDataError, match="缺少列 text"):
        read_texts_csv(write_csv(tmp_path / "v.csv", [{"title": "x"}], ["title"]))


# --- evaluation


def test_evaluate_counts() -> None:
    truth = ["a", "a", "b", "b"]
    predicted: list[str | None] = ["a", "b", "b", None]
    result = evaluate(truth, predicted)
    assert result.accuracy == 0.5
    by_label = {r.label: r for r in result.classes}
    assert by_label["a"].precision == 1.0 and by_label["a"].recall == 0.5
    assert by_label["b"].precision == 0.5 and by_label["b"].recall == 0.5
    assert result.macro_f1 == pytest.approx((2 / 3 + 0.5) / 2)
    assert result.summary() == "accuracy=0.500 macro_f1=0.583 n=4"


@pytest.mark.shared
@pytest.mark.skipif(not LABELLED.is_file(), reason="../shared/data/messages is absent")
def test_learns_the_real_messages() -> None:
    """Trained on 60% of labelled.csv, it gets most of the rest right (far above chance, 1/7)."""
    examples = read_labelled_csv(LABELLED)
    random.Random(7).shuffle(examples)
    cut = len(examples) * 3 // 5
    trained = Classifier.train(examples[:cut], self_training=False)
    rest = examples[cut:]
    result = evaluate([e.label for e in rest], trained.predict([(e.text, e.title) for e in rest]))
    assert len(Counter(e.label for e in examples)) == 7
    assert result.accuracy > 0.6
    assert result.macro_f1 > 0.55


# --- The category tree's own words ---------------------------------------------------------------

TREE = [
    ("城乡建设", "城乡规划", "违章建筑"),
    ("城乡建设", "住房保障", "其他"),
    ("城乡建设", "其他", "其他"),
    ("环境保护", "环境污染", "电磁污染"),
    ("环境保护", "环境污染", "噪音污染"),
    ("教育文体", "教师队伍和待遇", "原民办代课教师"),
    ("卫生计生", "医疗服务", "其他"),
]


def test_category_names_from_paths_describe_a_label_by_the_names_below_it() -> None:
    names = category_names_from_paths(TREE, ["城乡建设", "环境保护", "教育文体", "交通运输"])
    assert names == {
        "城乡建设": ["城乡规划 违章建筑", "住房保障"],  # 其他 says nothing, and only once
        "环境保护": ["环境污染 电磁污染", "环境污染 噪音污染"],
        "教育文体": ["教师队伍和待遇 原民办代课教师"],
    }  # 交通运输 is not in the tree, 卫生计生 not a label
    leaves = category_names_from_paths(TREE, ["城乡建设/城乡规划/违章建筑", "环境保护/环境污染"])
    assert leaves == {"环境保护/环境污染": ["电磁污染", "噪音污染"]}  # a leaf has nothing below


def test_read_taxonomy_csv(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.csv"
    path.write_text(
        "level1,level2,level3\n城乡建设,城乡规划,违章建筑\n环境保护,环境污染,\n", "utf-8"
    )
    assert read_taxonomy_csv(path) == [
        ("城乡建设", "城乡规划", "违章建筑"),
        ("环境保护", "环境污染"),
    ]
    path.write_text("name,parent\n城乡建设,\n", "utf-8")
    with pytest.raises(TrainingDataError, match="缺少列 level1"):
        read_taxonomy_csv(path)
    with pytest.raises(TrainingDataError, match="找不到文件"):
        read_taxonomy_csv(tmp_path / "missing.csv")


TEACHERS = "原民办代课教师的待遇"
"""SAMPLE's 待遇 and 教师 lean to 劳动和社会保障; the tree files 原民办代课教师 under 教育文体."""
RADIATION = "楼顶新装的基站电磁辐射太强"
"""Not one of its characters' pairs is in SAMPLE; the tree's 电磁污染 names it."""


@pytest.fixture(scope="module")
def named() -> Classifier:
    names = category_names_from_paths(TREE, SAMPLE)
    return Classifier.train(sample_examples(), UNLABELLED, category_names=names)


def test_the_category_names_teach_what_the_examples_do_not(
    model: Classifier, named: Classifier
) -> None:
    assert model.suggest(TEACHERS)[0].label == "劳动和社会保障"
    assert named.suggest(TEACHERS)[0].label == "教育文体"
    # Where the examples give nothing to go on, the names alone answer, never surer than
    # their share (the SVM's share is spread evenly over the four categories).
    assert model.suggest(RADIATION) == []
    alone = named.suggest(RADIATION)
    assert alone[0].label == "环境保护"
    assert alone[0].score <= CATEGORY_NAMES_SHARE + (1 - CATEGORY_NAMES_SHARE) / 4 + 1e-4
    assert alone[1].score >= (1 - CATEGORY_NAMES_SHARE) / 4 - 1e-4
    # A single character shared with a description (电 of 电磁污染) names nothing.
    assert named.suggest("电") == [] and named.suggest("😀😀") == []
    assert named.info.params["category_names"] == 5  # the descriptions of TREE under the labels
    assert named.info.params["category_names_share"] == CATEGORY_NAMES_SHARE
    assert model.info.params["category_names"] == 0
    # The examples still count: what they teach clearly stays.
    assert named.suggest("公司拖欠工资三个月")[0].label == "劳动和社会保障"
    assert sum(s.score for s in named.suggest(RADIATION, k=4)) == pytest.approx(1, abs=1e-3)


def test_without_descriptions_for_any_label_the_names_are_not_used() -> None:
    plain = Classifier.train(
        sample_examples(),
        UNLABELLED,
        # 交通运输 is no label here; 环境保护's "descriptions" say nothing.
        category_names={"交通运输": ["公交线路"], "环境保护": ["", " 其他 ", "😀"]},
    )
    assert plain.info.params["category_names"] == 0
    assert plain.suggest(TEACHERS)[0].label == "劳动和社会保障"
    assert plain.suggest(RADIATION) == []


def test_names_that_leave_no_terms_are_left_out() -> None:
    """A corpus so small that the names' vocabulary prunes every term still trains."""
    texts = [("甲乙甲", "甲乙"), ("甲乙甲", "乙甲"), ("乙甲乙甲", "甲乙"), ("乙甲乙甲", "乙甲")]
    examples = [Example(text=text, label=label) for text, label in texts]
    model = Classifier.train(examples, category_names={"甲乙": ["甲"], "乙甲": ["乙"]})
    assert model.info.params["category_names"] == 0
    assert {s.label for s in model.suggest("甲乙甲乙甲")} == {"甲乙", "乙甲"}


def test_the_category_names_are_kept_in_the_model_file(named: Classifier, tmp_path: Path) -> None:
    loaded = Classifier.load(named.save(tmp_path / "named.joblib"))
    texts = [TEACHERS, RADIATION, "学校乱收补课费", "违章建筑"]
    assert [loaded.suggest(t) for t in texts] == [named.suggest(t) for t in texts]


def test_a_file_from_before_the_category_names_still_loads(
    model: Classifier, tmp_path: Path
) -> None:
    path = model.save(tmp_path / "old.joblib")
    payload = joblib.load(path)
    del payload["category_names"]
    joblib.dump(payload, path)
    assert Classifier.load(path).suggest("工厂偷排废气") == model.suggest("工厂偷排废气")


def test_the_separator_is_the_category_trees() -> None:
    from minsheng.tickets.catalogue import SEPARATOR as TREE_SEPARATOR

    assert SEPARATOR == TREE_SEPARATOR
