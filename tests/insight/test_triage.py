"""智能派单 in the installation: the triage command, suggestions on the desk, the ticket page and
the dispatch queue, and retraining from dispatched tickets."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from minsheng.insight import triage
from minsheng.org.models import Unit
from minsheng.textproc.classify import Classifier
from minsheng.tickets.catalogue import MESSAGE_BOARD_CSV, load_categories
from minsheng.tickets.models import CatalogueEntry, Category, Ticket
from tests.conftest import People
from tests.factories import dispatched, new_ticket
from tests.textproc.test_classify import SAMPLE, UNLABELLED, sample_examples
from tests.tickets.test_views_ticket import login

POLLUTION = "化工厂偷排污水造成水污染，河水发黑发臭"


@pytest.fixture(scope="module")
def sample_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("triage") / "model.joblib"
    Classifier.train(sample_examples(), UNLABELLED).save(path)
    return path


@pytest.fixture
def trained(settings: pytest.FixtureRequest, sample_model_file: Path) -> Path:
    settings.MINSHENG_TRIAGE_MODEL = sample_model_file  # type: ignore[attr-defined]
    return sample_model_file


@pytest.fixture
def model_path(settings: pytest.FixtureRequest, tmp_path: Path, db: None) -> Path:
    """Training reads the category tree from the database."""
    path = tmp_path / "var" / "triage" / "model-v1.joblib"
    settings.MINSHENG_TRIAGE_MODEL = path  # type: ignore[attr-defined]
    return path


def sample_csv(path: Path, rows: list[tuple[str, str]] | None = None) -> Path:
    rows = rows or [(e.text, e.label) for e in sample_examples()]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "user", "title", "time", "text", "category"])
        for n, (text, label) in enumerate(rows, start=1):
            writer.writerow([n, "A0001", text[:8], "2020/1/6 12:09:38", text, label])
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("triage", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def environment_unit(db: None) -> Unit:
    """The real category tree, and a catalogue that sends 环境保护 to 生态环境局."""
    load_categories(MESSAGE_BOARD_CSV)
    unit = Unit.objects.create(code="tq-sthj", name="台前县生态环境局", kind=Unit.Kind.DEPARTMENT)
    CatalogueEntry.objects.create(category=Category.objects.get(full_name="环境保护"), unit=unit)
    return unit


# --- The command ---------------------------------------------------------------------------------


def test_train_writes_the_model_file(model_path: Path, tmp_path: Path) -> None:
    data = sample_csv(tmp_path / "labelled.csv")
    output = run("train", "--input", str(data), "--no-unlabelled")
    assert model_path.is_file()
    assert "已保存" in output and "4 个分类" in output
    model = Classifier.load(model_path)
    assert model.info.examples == 24 and model.info.sources == (str(data),)


def test_train_reads_several_inputs_and_unlabelled_files(model_path: Path, tmp_path: Path) -> None:
    examples = sample_examples()
    first = sample_csv(tmp_path / "a.csv", [(e.text, e.label) for e in examples[:12]])
    second = sample_csv(tmp_path / "b.csv", [(e.text, e.label) for e in examples[12:]])
    unlabelled = tmp_path / "u.csv"
    unlabelled.write_text("title,text\n" + "\n".join(f",{t}" for t in UNLABELLED), "utf-8")
    run("train", "--input", str(first), "--input", str(second), "--unlabelled", str(unlabelled))
    info = Classifier.load(model_path).info
    assert info.examples == 24 and info.unlabelled == len(UNLABELLED)


def test_train_defaults_to_the_data_folder(
    model_path: Path, tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    folder = tmp_path / "messages"
    folder.mkdir()
    sample_csv(folder / "labelled.csv")
    settings.MINSHENG_TRIAGE_DATA = folder  # type: ignore[attr-defined]
    run("train", "--if-missing")
    assert Classifier.load(model_path).info.sources == (str(folder / "labelled.csv"),)


def test_train_if_missing_keeps_an_existing_model(model_path: Path, tmp_path: Path) -> None:
    model_path.parent.mkdir(parents=True)
    model_path.write_bytes(b"existing")
    output = run("train", "--if-missing", "--input", str(sample_csv(tmp_path / "l.csv")))
    assert "已存在" in output
    assert model_path.read_bytes() == b"existing"


def test_train_if_missing_without_data_says_so_quietly(
    model_path: Path, tmp_path: Path, settings: pytest.FixtureRequest
) -> None:
    settings.MINSHENG_TRIAGE_DATA = tmp_path / "nowhere"  # type: ignore[attr-defined]
    output = run("train", "--if-missing")
    assert "找不到训练数据" in output and "暂不可用" in output
    assert not model_path.exists()
    with pytest.raises(CommandError, match="找不到训练数据"):
        run("train")


def test_train_refuses_a_missing_or_bad_csv(model_path: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        run("train", "--input", str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\n1,学校乱收费\n", "utf-8")
    with pytest.raises(CommandError, match="缺少列 category"):
        run("train", "--input", str(bad))
    one_class = sample_csv(tmp_path / "one.csv", [("学校乱收费", "教育文体"), ("补课", "教育文体")])
    with pytest.raises(CommandError, match="两个"):
        run("train", "--input", str(one_class))
    assert not model_path.exists()


def test_evaluate_prints_one_summary_line_then_a_table(trained: Path, tmp_path: Path) -> None:
    rows = [
        ("工厂排放污水，河流发臭", "环境保护"),
        ("学校乱收补课费", "教育文体"),
        ("公司拖欠工资", "劳动和社会保障"),
        ("违章建筑没人管", "城乡建设"),
        ("烧烤油烟噪音扰民", "环境保护"),
    ]
    output = run("evaluate", "--input", str(sample_csv(tmp_path / "test.csv", rows))).splitlines()
    assert re.fullmatch(r"accuracy=\d\.\d{3} macro_f1=\d\.\d{3} n=5", output[0])
    assert sum(1 for line in output if line.startswith("accuracy=")) == 1
    assert output[1].split() == ["class", "precision", "recall", "f1", "support"]
    table = {line.split()[0]: line.split()[1:] for line in output[2:]}
    assert set(table) == set(SAMPLE)
    assert table["环境保护"][-1] == "2"


def test_evaluate_refuses_without_model_or_data(model_path: Path, tmp_path: Path) -> None:
    data = sample_csv(tmp_path / "test.csv")
    with pytest.raises(CommandError, match="找不到模型文件"):
        run("evaluate", "--input", str(data))
    with pytest.raises(CommandError, match="找不到文件"):
        run("evaluate", "--input", str(tmp_path / "missing.csv"))


def test_evaluate_refuses_a_model_of_another_version(model_path: Path, tmp_path: Path) -> None:
    import joblib

    model_path.parent.mkdir(parents=True)
    joblib.dump({"format": "minsheng-triage", "version": 0}, model_path)
    with pytest.raises(CommandError, match="重新训练"):
        run("evaluate", "--input", str(sample_csv(tmp_path / "t.csv")))


# --- Retraining from the database ----------------------------------------------------------------


LEAVES = {
    "城乡建设": "城乡建设/城乡规划/违章建筑",
    "教育文体": "教育文体/教育收费/其他",
    "劳动和社会保障": "劳动和社会保障/工资福利/其他",
    "环境保护": "环境保护/环境污染/水污染",
}


def test_retrain_learns_the_dispatchers_categories(
    people: People, model_path: Path, environment_unit: Unit
) -> None:
    leaves = {label: Category.objects.get(full_name=name) for label, name in LEAVES.items()}
    for example in sample_examples():
        dispatched(
            people, description=example.text, title=example.title, category=leaves[example.label]
        )
    # Not labels: a ticket still waiting for dispatch, and one without a category.
    new_ticket(people, description="化工厂排放污水", category=leaves["教育文体"])
    dispatched(people, description="学校乱收费")

    output = run("retrain", "--no-unlabelled")
    model = Classifier.load(model_path)
    assert "24 条标注样本" in output
    assert model.info.label_counts == {label: 6 for label in SAMPLE}
    assert model.suggest(POLLUTION)[0].label == "环境保护"

    run("retrain", "--no-unlabelled", "--level", "3")
    leaf_model = Classifier.load(model_path)
    assert sorted(leaf_model.labels) == sorted(LEAVES.values())


def test_retrain_refuses_too_few_tickets(people: People, model_path: Path) -> None:
    dispatched(people)
    with pytest.raises(CommandError, match="至少需要"):
        run("retrain", "--no-unlabelled")
    assert not model_path.exists()


# --- Suggestions -----------------------------------------------------------------------------------


def test_suggest_maps_labels_to_categories_leaves_and_units(
    trained: Path, environment_unit: Unit
) -> None:
    result = triage.suggest(POLLUTION)
    assert result.ready and len(result.categories) == 3
    best = result.categories[0]
    # The model says 环境保护; the tree's own leaf name 水污染 in the text says which leaf.
    assert best.label in {"环境保护", "环境保护/环境污染/水污染"} and best.category is not None
    assert best.leaf is not None and best.leaf.full_name == "环境保护/环境污染/水污染"
    assert best.unit == environment_unit
    assert result.unit == environment_unit


def test_a_label_whose_leaves_the_text_does_not_name_falls_back_to_other(
    trained: Path, environment_unit: Unit
) -> None:
    best = triage.suggest("烧烤油烟扰民")
    assert best.best is not None and best.best.label == "环境保护"
    assert best.best.leaf is not None and best.best.leaf.full_name == "环境保护/其他/其他"


def test_a_leaf_named_only_in_part_is_chosen_when_it_alone_is(environment_unit: Unit) -> None:
    nodes = triage._category_nodes()
    environment = nodes["环境保护"]
    leaf = triage._leaf_for(environment, nodes, "楼顶新装的基站电磁辐射太强", set())
    assert leaf is not None and leaf.full_name == "环境保护/环境污染/电磁污染"
    # 污染 is a piece of every 环境污染 leaf: it names none of them.
    leaf = triage._leaf_for(environment, nodes, "这里污染很严重", set())
    assert leaf is not None and leaf.full_name == "环境保护/其他/其他"


def test_without_a_model_there_are_no_suggestions(db: None) -> None:
    result = triage.suggest(POLLUTION)
    assert not result.ready and result.categories == [] and result.unit is None


def test_a_broken_model_file_means_no_suggestions(
    model_path: Path, caplog: pytest.LogCaptureFixture, db: None
) -> None:
    model_path.parent.mkdir(parents=True)
    model_path.write_bytes(b"garbage")
    assert triage.classifier() is None
    assert not triage.suggest(POLLUTION).ready
    assert "triage model not loaded" in caplog.text


def test_a_replaced_model_file_is_loaded_again(model_path: Path, tmp_path: Path, db: None) -> None:
    run("train", "--input", str(sample_csv(tmp_path / "l.csv")), "--no-unlabelled")
    first = triage.classifier()
    assert first is not None and triage.classifier() is first  # loaded once
    two = [(e.text, e.label) for e in sample_examples() if e.label in ("教育文体", "环境保护")]
    run("train", "--input", str(sample_csv(tmp_path / "two.csv", two)), "--no-unlabelled")
    second = triage.classifier()
    assert second is not None and sorted(second.labels) == ["教育文体", "环境保护"]


# --- Pages -----------------------------------------------------------------------------------------


def test_the_desk_shows_top3_as_buttons_that_fill_the_category(
    people: People, client: Client, trained: Path, environment_unit: Unit
) -> None:
    login(client, people.operator)
    response = client.post("/desk/triage", {"text": POLLUTION, "title": "河水污染"})
    html = response.content.decode()
    assert response.status_code == 200
    leaf = Category.objects.get(full_name="环境保护/环境污染/水污染")
    buttons = re.findall(r'<button type="button" data-category="(\d+)"', html)
    assert len(re.findall(r"<li><button", html)) == 3
    assert buttons[0] == str(leaf.pk)
    assert 'aria-keyshortcuts="Alt+1"' in html and 'data-key="3"' in html
    assert "台前县生态环境局" in html and 'data-unit="tq-sthj"' in html


def test_the_desk_slot_is_quiet_without_a_model(people: People, client: Client) -> None:
    login(client, people.operator)
    html = client.post("/desk/triage", {"text": POLLUTION}).content.decode()
    assert "智能分类模型也尚未训练" in html and "<button" not in html
    page = client.get("/desk/new").content.decode()
    assert 'id="category-slot"' in page and "智能分类模型也尚未训练" in page


def test_the_desk_slot_asks_for_text(people: People, client: Client, trained: Path) -> None:
    login(client, people.operator)
    assert "输入诉求内容后显示建议" in client.get("/desk/triage").content.decode()
    assert "不足以给出分类建议" in client.post("/desk/triage", {"text": "😀😀"}).content.decode()
    long = client.post("/desk/triage", {"text": POLLUTION * 10_000})  # 200,000 characters
    assert long.status_code == 200 and "<button" in long.content.decode()


def test_the_desk_triage_is_for_operators_only(people: People, client: Client) -> None:
    login(client, people.alice)
    assert client.post("/desk/triage", {"text": POLLUTION}).status_code == 403


def test_a_refused_intake_shows_the_suggestions_without_js(
    people: People, client: Client, trained: Path, environment_unit: Unit
) -> None:
    login(client, people.operator)
    response = client.post("/desk/new", {"title": "河水污染", "description": POLLUTION})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="triage-choices"' in html and "环境保护" in html


def test_the_dispatch_form_preselects_the_suggested_unit(
    people: People, client: Client, trained: Path, environment_unit: Unit
) -> None:
    ticket: Ticket = new_ticket(people, title="河水污染", description=POLLUTION)
    login(client, people.dispatcher)
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert re.search(r'<option value="tq-sthj"[^>]*selected', html)
    assert "智能分类建议" in html and "环境保护" in html

    queue = client.get("/dispatch/").content.decode()
    assert "建议：台前县生态环境局" in queue


def test_the_operators_category_beats_the_model(
    people: People, client: Client, trained: Path, environment_unit: Unit
) -> None:
    rsj = Unit.objects.create(code="tq-rsj", name="台前县人社局", kind=Unit.Kind.DEPARTMENT)
    CatalogueEntry.objects.create(
        category=Category.objects.get(full_name="劳动和社会保障"), unit=rsj
    )
    category = Category.objects.get(full_name=LEAVES["劳动和社会保障"])
    ticket: Ticket = new_ticket(people, description=POLLUTION, category=category)
    login(client, people.dispatcher)
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert re.search(r'<option value="tq-rsj"[^>]*selected', html)
    assert "建议：台前县人社局" in client.get("/dispatch/").content.decode()


# --- The category tree's names -------------------------------------------------------------------


def test_training_takes_the_names_from_the_installations_category_tree(
    model_path: Path, tmp_path: Path, db: None
) -> None:
    data = sample_csv(tmp_path / "labelled.csv")
    run("train", "--input", str(data), "--no-unlabelled")
    assert Classifier.load(model_path).info.params["category_names"] == 0  # no tree yet

    load_categories(MESSAGE_BOARD_CSV)
    output = run("train", "--input", str(data), "--no-unlabelled")
    model = Classifier.load(model_path)
    described = model.info.params["category_names"]
    assert described > 20 and f"分类树描述 {described} 条" in output
    # 原民办代课教师 is a leaf of 教育文体 in the tree; SAMPLE alone reads 待遇 as 劳动和社会保障.
    assert model.suggest("原民办代课教师的待遇")[0].label == "教育文体"


def test_category_names_follow_the_labels_level(db: None) -> None:
    load_categories(MESSAGE_BOARD_CSV)
    names = triage.category_names(["环境保护", "教育文体/教育收费/乱收费", "没有这个分类"])
    assert "环境污染 噪音污染" in names["环境保护"]
    assert "教育文体/教育收费/乱收费" not in names  # a leaf: nothing below it
    assert "没有这个分类" not in names
    Category.objects.filter(full_name="环境保护/环境污染/噪音污染").update(is_active=False)
    triage._categories.clear()
    assert "环境污染 噪音污染" not in triage.category_names(["环境保护"])["环境保护"]
