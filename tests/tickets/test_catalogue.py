"""The category tree (诉求分类) and the dispatch catalogue (派单目录)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from minsheng.org.models import Division, Unit
from minsheng.tickets.catalogue import (
    HOTLINE_TAXONOMY_CSV,
    MESSAGE_BOARD_CSV,
    TaxonomyError,
    dispatch_decision,
    load_categories,
    responsible_unit,
    seed_demo_catalogue,
    township_code_for,
)
from minsheng.tickets.models import CatalogueEntry, Category


def _taxonomy_counts(path: Path = MESSAGE_BOARD_CSV) -> tuple[int, int, int]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    level1 = {r["level1"] for r in rows}
    level2 = {(r["level1"], r["level2"]) for r in rows}
    level3 = {(r["level1"], r["level2"], r["level3"]) for r in rows if r["level3"]}
    return len(level1), len(level2), len(level3)


def _write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("level1,level2,level3\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Loading the taxonomy


def test_the_message_board_taxonomy_has_15_roots_118_branches_and_517_leaves() -> None:
    assert _taxonomy_counts() == (15, 118, 517)


def test_the_hotline_tree_names_what_county_callers_say() -> None:
    with HOTLINE_TAXONOMY_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = {r["level1"] for r in rows}
    for field in ("市政公用", "城乡建设", "交通运输", "市场监管", "生态环境", "教育", "卫生健康"):
        assert field in fields
    for field in ("医疗保障", "人力社保", "民政", "农业农村", "自然资源", "公安", "水利"):
        assert field in fields
    assert "应急管理" in fields and "村务基层治理" in fields
    leaves = {r["level3"]: r["synonyms"] for r in rows if r["level3"]}
    for leaf in ("路灯不亮", "停水", "水质", "停电", "电压不稳", "燃气泄漏", "拖欠工资"):
        assert leaves[leaf], leaf
    for leaf in ("医保报销", "低保申请", "占道经营", "噪音扰民", "秸秆焚烧", "宅基地", "电信诈骗"):
        assert leaves[leaf], leaf
    assert "户口迁移" in leaves
    # Every field has its 其他, so that any call can be filed.
    assert {r["level1"] for r in rows if r["level2"] == "其他"} == fields


@pytest.mark.django_db
def test_the_hotline_tree_is_the_default_and_loads_its_synonyms() -> None:
    assert load_categories() > 200
    leaf = Category.objects.get(full_name="市政公用/供水/停水")
    assert "断水" in leaf.synonyms.split("|")
    assert Category.objects.get(full_name="市政公用/其他").parent is not None


@pytest.mark.django_db
def test_merging_synonyms_adds_the_files_and_keeps_the_rows_own(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "level1,level2,level3,synonyms\n市政公用,供水,停水,没水|断水\n", encoding="utf-8"
    )
    load_categories(path)
    leaf = Category.objects.get(full_name="市政公用/供水/停水")
    leaf.synonyms = "没水|水停了"  # an administrator removed 断水 and added 水停了
    leaf.save()
    path.write_text(
        "level1,level2,level3,synonyms\n市政公用,供水,停水,没水|断水|水管爆\n", encoding="utf-8"
    )
    assert load_categories(path) == 0
    leaf.refresh_from_db()
    assert leaf.synonyms == "没水|水停了"  # untouched without the flag
    load_categories(path, merge_synonyms=True)
    leaf.refresh_from_db()
    assert leaf.synonyms == "没水|水停了|断水|水管爆"


@pytest.mark.django_db
def test_it_loads_every_node_of_the_shipped_taxonomy() -> None:
    assert load_categories(MESSAGE_BOARD_CSV) == 15 + 118 + 517
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
    load_categories(MESSAGE_BOARD_CSV)
    with django_assert_max_num_queries(3):
        assert load_categories(MESSAGE_BOARD_CSV) == 0
    assert Category.objects.count() == 650


@pytest.mark.django_db
def test_it_loads_in_a_handful_of_queries(django_assert_max_num_queries) -> None:
    # One read of what exists, then an insert and a read of ids per level, plus the savepoint;
    # SQLite splits the 517 leaves (seven columns each) into four inserts.
    with django_assert_max_num_queries(11):
        load_categories(MESSAGE_BOARD_CSV)


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
    call_command("load_categories", "--message-board")
    assert "新增 650 个" in capsys.readouterr().out
    call_command("load_categories", "--message-board")
    assert "新增 0 个，现有 650 个" in capsys.readouterr().out
    call_command("load_categories")
    hotline = Category.objects.filter(full_name__startswith="市政公用").count()
    assert (
        hotline > 20
        and f"现有 {650 + Category.objects.count() - 650} 个" in capsys.readouterr().out
    )


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

CHENGGUAN = "410927100000"
DEMO_UNITS = (
    *("tq-slj", "tq-zjj", "tq-rsj", "tq-jyj", "tq-jtysj", "tq-cgj", "tq-scjgj", "tq-sthj"),
    *("tq-wjw", "tq-gaj", "tq-mzj", "tq-nyncj", "tq-zrzyj", "tq-ybj", "tq-gdgs", "tq-zls"),
    *("tq-rqgs", "tq-yjglj", "tq-xfjy", "tq-sfj", "tq-wglyj", "tq-tyjrj", "tq-swj", "tq-fgw"),
    *("tq-czj", "tq-gxj", "tq-zwfw", "tq-gjj", "tq-cl", "tq-hwj", "sunkou-zzzx"),
)


@pytest.fixture
def demo_units(places) -> None:
    for code in DEMO_UNITS:
        _unit(code)
    chengguan = Division.objects.create(
        code=CHENGGUAN, name="城关镇", level=4, parent=places["county"]
    )
    places["chengguan"] = chengguan
    for code, division in (("sunkou", places["sunkou"]), ("houmiao", places["houmiao"])):
        Unit.objects.create(
            code=code, name=f"{division.name}人民政府", kind=Unit.Kind.TOWNSHIP, division=division
        )
    Unit.objects.create(
        code="chengguan", name="城关镇人民政府", kind=Unit.Kind.TOWNSHIP, division=chengguan
    )


def _routed(full_name: str, division: Division | None) -> str | None:
    unit = responsible_unit(category=Category.objects.get(full_name=full_name), division=division)
    return unit.code if unit else None


def test_the_demo_catalogue_routes_matters_to_the_right_units(places, demo_units) -> None:
    assert seed_demo_catalogue() > 30
    houmiao = places["houmiao"]
    assert _routed("市政公用/供水/停水", houmiao) == "tq-zls"
    assert _routed("市政公用/供电/停电", houmiao) == "tq-gdgs"
    assert _routed("市政公用/供电/电压不稳", houmiao) == "tq-gdgs"
    assert _routed("市政公用/供气/燃气泄漏", houmiao) == "tq-rqgs"
    assert _routed("医疗保障/医保待遇/医保报销", houmiao) == "tq-ybj"
    assert _routed("公安/诈骗/电信诈骗", houmiao) == "tq-gaj"
    assert _routed("公安/户籍证件/户口迁移", houmiao) == "tq-gaj"
    assert _routed("人力社保/劳动保障/拖欠工资", houmiao) == "tq-rsj"
    assert _routed("城乡建设/工程建设/农民工工资", houmiao) == "tq-rsj"
    assert _routed("民政/社会救助/低保申请", houmiao) == "tq-mzj"
    assert _routed("应急管理/消防救援/消防安全隐患", houmiao) == "tq-xfjy"
    assert _routed("水利/河湖管理/黄河防汛", houmiao) == "tq-hwj"
    # The demo county has no bank regulator: the dispatcher decides.
    assert _routed("金融服务/银行保险/银行保险服务", houmiao) is None


def test_a_village_street_lamp_goes_to_its_township_government(places, demo_units) -> None:
    seed_demo_catalogue()
    for leaf in ("市政公用/路灯/路灯不亮", "村务基层治理/村内公共事务/村内道路"):
        assert _routed(leaf, places["village"]) == "sunkou"
        assert _routed(leaf, places["houmiao"]) == "houmiao"
    for leaf in ("农业农村/农业生产/秸秆焚烧", "农业农村/农村改革/宅基地"):
        assert _routed(leaf, places["village"]) == "sunkou"
    decision = dispatch_decision(
        category=Category.objects.get(full_name="市政公用/路灯/路灯不亮"),
        division=places["village"],
    )
    assert decision.territorial and "属地" in decision.why
    # A utility is the company's wherever it is.
    assert _routed("市政公用/供电/停电", places["village"]) == "tq-gdgs"


def test_a_street_stall_in_the_county_seat_goes_to_the_urban_management_bureau(
    places, demo_units
) -> None:
    seed_demo_catalogue()
    stall = "城市管理/市容秩序/占道经营"
    assert _routed(stall, places["chengguan"]) == "tq-cgj"
    assert _routed(stall, places["sunkou"]) == "sunkou"
    assert _routed("市政公用/路灯/路灯不亮", places["chengguan"]) == "tq-cgj"
    decision = dispatch_decision(
        category=Category.objects.get(full_name=stall), division=places["chengguan"]
    )
    assert decision.township and "城关镇" in decision.why and "城市管理局" in decision.why


def test_a_territorial_entry_without_a_place_falls_through(places, demo_units) -> None:
    seed_demo_catalogue()
    # No place: 属地 cannot apply, and 市政公用 has no county-wide unit: the dispatcher decides.
    assert _routed("市政公用/路灯/路灯不亮", None) is None
    assert _routed("城市管理/环境卫生/渣土扬尘", None) == "tq-cgj"


def test_an_override_for_one_township(places, demo_units) -> None:
    seed_demo_catalogue()
    disputes = "村务基层治理/矛盾纠纷/邻里纠纷"
    assert _routed(disputes, places["village"]) == "sunkou-zzzx"  # 孙口镇's own rule
    assert _routed(disputes, places["houmiao"]) == "houmiao"  # everywhere else: 属地
    CatalogueEntry.objects.create(
        category=Category.objects.get(full_name="市政公用/供水/停水"),
        township_id=places["houmiao"].code,
        unit=Unit.objects.get(code="tq-slj"),
        note="侯庙镇由水利局的农村水厂供水",
    )
    assert _routed("市政公用/供水/停水", places["houmiao"]) == "tq-slj"
    assert _routed("市政公用/供水/停水", places["sunkou"]) == "tq-zls"


def test_a_catalogue_entry_is_a_unit_or_the_township_never_both(places, demo_units) -> None:
    from django.db import IntegrityError, transaction

    leaf = Category.objects.create(name="x", level=1, full_name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogueEntry.objects.create(category=leaf, unit=None, to_township=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogueEntry.objects.create(
            category=leaf, unit=Unit.objects.get(code="tq-cgj"), to_township=True
        )


def test_the_demo_catalogue_is_idempotent_and_keeps_admin_changes(places, demo_units) -> None:
    first = seed_demo_catalogue()
    entry = CatalogueEntry.objects.get(category__full_name="交通运输", township=None)
    entry.unit = Unit.objects.get(code="tq-cgj")
    entry.save()
    assert seed_demo_catalogue() == 0
    assert CatalogueEntry.objects.count() == first
    entry.refresh_from_db()
    assert entry.unit is not None and entry.unit.code == "tq-cgj"


def test_missing_units_and_townships_are_skipped(db: None) -> None:
    _unit("tq-jtysj")
    # No 城关镇 or 孙口镇 divisions: their rules are skipped; the 属地 rules need no unit.
    created = seed_demo_catalogue()
    coded = set(CatalogueEntry.objects.exclude(unit=None).values_list("unit__code", "township"))
    assert coded == {("tq-jtysj", None)}
    assert created == 1 + CatalogueEntry.objects.filter(to_township=True).count()


@pytest.mark.django_db
def test_the_demo_catalogue_fits_the_real_demo_county() -> None:
    from minsheng.org.demo import seed_demo

    seed_demo(password="a-long-demo-password")
    created = seed_demo_catalogue()
    units = set(CatalogueEntry.objects.exclude(unit=None).values_list("unit__code", flat=True))
    assert units <= {*DEMO_UNITS}
    assert created == CatalogueEntry.objects.count() > 40
    village = Division.objects.filter(parent_id=SUNKOU).first()
    assert village is not None
    assert _routed("村务基层治理/村务管理/村务公开", village) == "sunkou"
    assert _routed("市政公用/路灯/路灯不亮", village) == "sunkou"


# ---------------------------------------------------------------------------------------------
# The admin


def test_the_admin_cleans_synonyms_and_refuses_a_broken_pattern(db: None) -> None:
    from minsheng.tickets.admin import CategoryForm

    form = CategoryForm(
        data={"name": "停水", "is_active": "on", "synonyms": "没水｜断水、停水\n灯+黑"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["synonyms"] == "没水|断水|停水|灯+黑"
    bad = CategoryForm(data={"name": "停水", "is_active": "on", "synonyms": "灯+"})
    assert not bad.is_valid() and "组合词" in str(bad.errors)


def test_the_admin_asks_for_a_unit_or_the_township(places, tree) -> None:
    from minsheng.tickets.admin import CatalogueEntryForm

    unit = _unit("tq-cgj")
    leaf = tree["村务公开"]
    both = CatalogueEntryForm(data={"category": leaf.pk, "unit": unit.pk, "to_township": "on"})
    assert not both.is_valid() and "属地乡镇" in str(both.errors)
    neither = CatalogueEntryForm(data={"category": leaf.pk})
    assert not neither.is_valid() and "责任单位" in str(neither.errors)
    territorial = CatalogueEntryForm(data={"category": leaf.pk, "to_township": "on"})
    assert territorial.is_valid(), territorial.errors
