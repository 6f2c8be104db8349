"""The category tree (诉求分类) and the dispatch catalogue (派单目录)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from minsheng.org.models import Division, Unit
from minsheng.tickets.catalogue import (
    DEMO_TOWNSHIP_SUNKOU,
    TAXONOMY_CSV,
    TaxonomyError,
    load_categories,
    responsible_unit,
    seed_demo_catalogue,
    township_code_for,
)
from minsheng.tickets.models import CatalogueEntry, Category


def _taxonomy_counts() -> tuple[int, int, int]:
    with TAXONOMY_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    level1 = {r["level1"] for r in rows}
    level2 = {(r["level1"], r["level2"]) for r in rows}
    level3 = {(r["level1"], r["level2"], r["level3"]) for r in rows}
    return len(level1), len(level2), len(level3)


def _write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("level1,level2,level3\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Loading the taxonomy


def test_the_shipped_taxonomy_has_15_roots_118_branches_and_517_leaves() -> None:
    assert _taxonomy_counts() == (15, 118, 517)


@pytest.mark.django_db
def test_it_loads_every_node_of_the_shipped_taxonomy() -> None:
    assert load_categories() == 15 + 118 + 517
    assert Category.objects.filter(level=1).count() == 15
    assert Category.objects.filter(level=2).count() == 118
    assert Category.objects.filter(level=3).count() == 517
    leaf = Category.objects.select_related("parent__parent").get(
        full_name="城乡建设/安全生产/事故处理"
    )
    assert leaf.name == "事故处理"
    assert leaf.parent is not None and leaf.parent.full_name == "城乡建设/安全生产"
    assert leaf.parent.parent is not None and leaf.parent.parent.full_name == "城乡建设"
    assert leaf.parent.parent.parent_id is None
    # Same name under two roots: two nodes.
    assert Category.objects.filter(name="安全生产", level=2).count() == 2


@pytest.mark.django_db
def test_it_creates_nothing_the_second_time(django_assert_max_num_queries) -> None:
    load_categories()
    with django_assert_max_num_queries(3):
        assert load_categories() == 0
    assert Category.objects.count() == 650


@pytest.mark.django_db
def test_it_loads_in_a_handful_of_queries(django_assert_max_num_queries) -> None:
    # One read of what exists, then an insert and a read of ids per level, plus the savepoint;
    # SQLite splits the 517 leaves into three inserts.
    with django_assert_max_num_queries(10):
        load_categories()


@pytest.mark.django_db
def test_it_adds_only_the_new_nodes_of_a_second_file(tmp_path: Path) -> None:
    load_categories(_write_csv(tmp_path / "a.csv", ["城乡建设,村镇建设,新农村建设"]))
    created = load_categories(
        _write_csv(
            tmp_path / "b.csv", ["城乡建设,村镇建设,新农村建设", "城乡建设,村镇建设,村庄规划"]
        )
    )
    assert created == 1
    leaf = Category.objects.get(full_name="城乡建设/村镇建设/村庄规划")
    assert leaf.level == 3 and leaf.parent is not None and leaf.parent.name == "村镇建设"


@pytest.mark.django_db
def test_it_accepts_shorter_rows_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("\ufefflevel1,level2,level3\n民政,其他,\n政法,,\n", encoding="utf-8")
    assert load_categories(path) == 3
    assert set(Category.objects.values_list("full_name", "level")) == {
        ("民政", 1),
        ("民政/其他", 2),
        ("政法", 1),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row", ["城乡建设,,事故处理", "城乡建设,安全/生产,事故处理", "城乡建设,安全生产," + "长" * 61]
)
def test_it_refuses_a_bad_row_and_writes_nothing(tmp_path: Path, row: str) -> None:
    path = _write_csv(tmp_path / "bad.csv", ["交通运输,客货运输,货物运输", row])
    with pytest.raises(TaxonomyError, match="第 3 行"):
        load_categories(path)
    assert not Category.objects.exists()


@pytest.mark.django_db
def test_the_command_loads_and_summarises_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_categories")
    assert "新增 650 个" in capsys.readouterr().out
    call_command("load_categories")
    assert "新增 0 个，现有 650 个" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_command_reports_a_missing_or_bad_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("load_categories", "--path", str(tmp_path / "none.csv"))
    bad = _write_csv(tmp_path / "bad.csv", ["城乡建设,,事故处理"])
    with pytest.raises(CommandError, match="数据库未作任何修改"):
        call_command("load_categories", "--path", str(bad))


# ---------------------------------------------------------------------------------------------
# The catalogue lookup

SUNKOU = "410927102000"
SUNKOU_VILLAGE = "410927102201"
HOUMIAO = "410927103000"


@pytest.fixture
def places(db: None) -> dict[str, Division]:
    county = Division.objects.create(code="410927000000", name="台前县", level=3)
    made = {"county": county}
    for key, code, name, level, parent in (
        ("sunkou", SUNKOU, "孙口镇", 4, county),
        ("houmiao", HOUMIAO, "侯庙镇", 4, county),
    ):
        made[key] = Division.objects.create(code=code, name=name, level=level, parent=parent)
    made["village"] = Division.objects.create(
        code=SUNKOU_VILLAGE, name="孙口村委会", level=5, parent=made["sunkou"]
    )
    return made


def _unit(code: str) -> Unit:
    return Unit.objects.create(code=code, name=code, kind=Unit.Kind.DEPARTMENT)


@pytest.fixture
def tree(tmp_path: Path, db: None) -> dict[str, Category]:
    load_categories(_write_csv(tmp_path / "t.csv", ["农村农业,村务管理,村务公开"]))
    return {c.name: c for c in Category.objects.all()}


def _entry(category: Category, unit: Unit, township: str | None = None) -> CatalogueEntry:
    return CatalogueEntry.objects.create(category=category, unit=unit, township_id=township)


def test_township_code_is_the_division_itself_or_the_villages_township(places) -> None:
    assert township_code_for(places["sunkou"]) == SUNKOU
    assert township_code_for(places["village"]) == SUNKOU
    assert township_code_for(places["county"]) is None
    assert township_code_for(None) is None


def test_the_most_specific_entry_wins_step_by_step(places, tree) -> None:
    leaf, branch, root = tree["村务公开"], tree["村务管理"], tree["农村农业"]
    entries = [
        _entry(leaf, _unit("leaf-sunkou"), SUNKOU),
        _entry(leaf, _unit("leaf-default")),
        _entry(branch, _unit("branch-sunkou"), SUNKOU),
        _entry(branch, _unit("branch-default")),
        _entry(root, _unit("root-default")),
    ]
    expected = ["leaf-sunkou", "leaf-default", "branch-sunkou", "branch-default", "root-default"]
    for entry, code in zip(entries, expected, strict=True):
        unit = responsible_unit(category=leaf, division=places["sunkou"])
        assert unit is not None and unit.code == code
        entry.delete()
    assert responsible_unit(category=leaf, division=places["sunkou"]) is None


def test_a_village_ticket_finds_its_townships_entry(places, tree) -> None:
    leaf = tree["村务公开"]
    _entry(leaf, _unit("county-default"))
    _entry(leaf, _unit("sunkou-gov"), SUNKOU)
    village = responsible_unit(category=leaf, division=places["village"])
    assert village is not None and village.code == "sunkou-gov"


def test_another_township_and_no_place_get_the_default(places, tree) -> None:
    branch = tree["村务管理"]
    _entry(branch, _unit("county-default"))
    _entry(branch, _unit("sunkou-gov"), SUNKOU)
    for division in (places["houmiao"], places["county"], None):
        unit = responsible_unit(category=tree["村务公开"], division=division)
        assert unit is not None and unit.code == "county-default"


def test_a_leaf_default_beats_the_parents_township_entry(places, tree) -> None:
    _entry(tree["村务管理"], _unit("branch-sunkou"), SUNKOU)
    _entry(tree["村务公开"], _unit("leaf-default"))
    unit = responsible_unit(category=tree["村务公开"], division=places["sunkou"])
    assert unit is not None and unit.code == "leaf-default"


def test_an_entry_for_an_inactive_unit_is_skipped(places, tree) -> None:
    dissolved = _unit("dissolved")
    dissolved.is_active = False
    dissolved.save()
    _entry(tree["村务公开"], dissolved)
    _entry(tree["农村农业"], _unit("root-default"))
    unit = responsible_unit(category=tree["村务公开"], division=None)
    assert unit is not None and unit.code == "root-default"


def test_no_category_means_no_unit(places) -> None:
    assert responsible_unit(category=None, division=places["sunkou"]) is None


def test_the_lookup_is_one_query(places, tree, django_assert_num_queries) -> None:
    for code, category, township in (
        ("a", "村务公开", SUNKOU),
        ("b", "村务公开", None),
        ("c", "村务管理", SUNKOU),
        ("d", "农村农业", None),
    ):
        _entry(tree[category], _unit(code), township)
    leaf = Category.objects.get(pk=tree["村务公开"].pk)  # parents not loaded
    with django_assert_num_queries(1):
        unit = responsible_unit(category=leaf, division=places["village"])
    assert unit is not None and unit.code == "a"


# ---------------------------------------------------------------------------------------------
# The demo county's catalogue

DEMO_UNITS = (
    *("tq-slj", "tq-zjj", "tq-rsj", "tq-jyj", "tq-jtysj", "tq-cgj", "tq-scjgj", "tq-sthj"),
    *("tq-wjw", "tq-gaj", "tq-mzj", "tq-nyncj", "tq-zrzyj", "tq-ybj", "tq-gdgs", "tq-zls"),
    *("tq-rqgs", "sunkou"),
)


@pytest.fixture
def demo_units(places) -> None:
    for code in DEMO_UNITS:
        _unit(code)


def _routed(full_name: str, division: Division | None) -> str | None:
    unit = responsible_unit(category=Category.objects.get(full_name=full_name), division=division)
    return unit.code if unit else None


def test_the_demo_catalogue_routes_matters_to_the_right_units(places, demo_units) -> None:
    assert seed_demo_catalogue() > 30
    houmiao = places["houmiao"]
    assert _routed("交通运输/客货运输/货物运输", houmiao) == "tq-jtysj"
    assert _routed("城乡建设/城市建设和市政管理/自来水供应", houmiao) == "tq-zls"
    assert _routed("城乡建设/城市建设和市政管理/电力供应", houmiao) == "tq-gdgs"
    assert _routed("城乡建设/城市建设和市政管理/燃气供应", houmiao) == "tq-rqgs"
    assert _routed("城乡建设/城市建设和市政管理/城管执法", houmiao) == "tq-cgj"
    assert _routed("城乡建设/住房保障与房地产/物业服务", houmiao) == "tq-zjj"
    assert _routed("劳动和社会保障/劳动关系/农民工权益", houmiao) == "tq-rsj"
    assert _routed("劳动和社会保障/城镇居民社会保险/城镇居民医疗保险", houmiao) == "tq-ybj"
    assert _routed("卫生计生/食品药品监管/食品安全", houmiao) == "tq-scjgj"
    assert _routed("卫生计生/医政监管/非法行医", houmiao) == "tq-wjw"
    assert _routed("环境保护/环境污染/噪音污染", houmiao) == "tq-sthj"
    assert _routed("教育文体/教育收费/乱收费", houmiao) == "tq-jyj"
    assert _routed("农村农业/水利水电/防汛抗旱", houmiao) == "tq-slj"
    assert _routed("政法/社会治安/治安案件", houmiao) == "tq-gaj"
    assert _routed("政法/仲裁与调解/劳动仲裁", houmiao) == "tq-rsj"
    assert _routed("民政/社会救助/农村低保", houmiao) == "tq-mzj"
    # No unit in the demo county for these: the dispatcher decides.
    assert _routed("纪检监察/贪污贿赂/贪污", houmiao) is None
    assert _routed("政法/诉讼/民事诉讼", houmiao) is None


def test_village_affairs_in_sunkou_go_straight_to_the_township(places, demo_units) -> None:
    seed_demo_catalogue()
    assert DEMO_TOWNSHIP_SUNKOU == SUNKOU
    for full_name in ("农村农业/村务管理/村务公开", "城乡建设/村镇建设/新农村建设"):
        assert _routed(full_name, places["village"]) == "sunkou"
        assert _routed(full_name, places["sunkou"]) == "sunkou"
        assert _routed(full_name, places["houmiao"]) in {"tq-nyncj", "tq-zjj"}
    # A county department's duty is not pushed down to the township.
    assert _routed("城乡建设/城市建设和市政管理/电力供应", places["village"]) == "tq-gdgs"


def test_the_demo_catalogue_is_idempotent_and_keeps_admin_changes(places, demo_units) -> None:
    first = seed_demo_catalogue()
    entry = CatalogueEntry.objects.get(category__full_name="交通运输", township=None)
    entry.unit = Unit.objects.get(code="tq-cgj")
    entry.save()
    assert seed_demo_catalogue() == 0
    assert CatalogueEntry.objects.count() == first
    entry.refresh_from_db()
    assert entry.unit.code == "tq-cgj"


def test_missing_units_and_townships_are_skipped(db: None) -> None:
    _unit("tq-jtysj")
    _unit("sunkou")  # the unit exists, but the township division 孙口镇 does not
    assert seed_demo_catalogue() == 2  # 交通运输 and 城乡建设/…/公共汽车
    assert set(CatalogueEntry.objects.values_list("unit__code", "township")) == {("tq-jtysj", None)}


@pytest.mark.django_db
def test_the_demo_catalogue_fits_the_real_demo_county() -> None:
    from minsheng.org.demo import seed_demo

    seed_demo(password="a-long-demo-password")
    created = seed_demo_catalogue()
    units = set(CatalogueEntry.objects.values_list("unit__code", flat=True))
    assert units <= {*DEMO_UNITS}
    assert created == CatalogueEntry.objects.count() > 40
    village = Division.objects.filter(parent_id=SUNKOU).first()
    assert village is not None
    assert _routed("农村农业/村务管理/集体财务公开", village) == "sunkou"
