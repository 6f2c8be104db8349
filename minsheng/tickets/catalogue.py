"""The category tree (诉求分类) and the dispatch catalogue (派单目录).

`load_categories` turns a three-level taxonomy CSV into Category rows: the hotline tree
(`HOTLINE_TAXONOMY_CSV`, the default and the demo's: fields, matters, what callers say, each leaf
with synonyms; docs/routing.md says what it is based on) or the message board's
(`MESSAGE_BOARD_CSV`, a city web forum's taxonomy, for installations that want it).
`dispatch_decision` answers "who should this ticket go to, and why?" from the catalogue;
`seed_demo_catalogue` fills the catalogue of the demo county 台前县.

`Category.full_name` ("城乡建设/城乡规划/违章建筑") is the node's materialised path, like
`Unit.path`: a category's ancestors are its full name's prefixes, so the catalogue lookup needs no
walk up the tree and runs as one query.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from minsheng.org.models import Division, Unit, division_code_prefix
from minsheng.textproc.lexicon import SETTING_MARK
from minsheng.tickets.models import CatalogueEntry, Category

DATA = Path(__file__).resolve().parent / "data"
HOTLINE_TAXONOMY_CSV = DATA / "hotline_taxonomy.csv"
MESSAGE_BOARD_CSV = DATA / "taxonomy.csv"
TAXONOMY_CSV = HOTLINE_TAXONOMY_CSV  # the default tree
LEVEL_COLUMNS = ("level1", "level2", "level3")
SYNONYMS_COLUMN = "synonyms"
SYNONYM_SEPARATOR = "|"
SEPARATOR = "/"
NAME_MAX = Category._meta.get_field("name").max_length or 60
FULL_NAME_MAX = Category._meta.get_field("full_name").max_length or 200


class TaxonomyError(ValueError):
    """The taxonomy CSV cannot be loaded; the message names the line (in Chinese)."""


# ---------------------------------------------------------------------------------------------
# Loading the category tree


def _read_paths(path: Path) -> list[tuple[str, ...]]:
    return [names for names, _synonyms in _read_rows(path)]


def _read_rows(path: Path) -> list[tuple[tuple[str, ...], str]]:
    """Each data row as its non-empty names from the root down, validated, with the leaf's
    synonyms ("" without the optional column), cleaned to "a|b|c"."""
    paths: list[tuple[tuple[str, ...], str]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in LEVEL_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise TaxonomyError(f"{path}：缺少列 {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            names = [(row.get(column) or "").strip() for column in LEVEL_COLUMNS]
            # A shorter row ("城乡建设,其他,") is a category without children at that depth;
            # a gap ("城乡建设,,事故处理") would attach a leaf to nothing.
            while names and not names[-1]:
                names.pop()
            if not names:
                continue
            if not all(names):
                raise TaxonomyError(f"{path} 第 {line} 行：分类层级不连续")
            for name in names:
                if SEPARATOR in name:
                    raise TaxonomyError(f"{path} 第 {line} 行：分类名称不能含“/”：{name}")
                if len(name) > NAME_MAX:
                    raise TaxonomyError(f"{path} 第 {line} 行：分类名称超过 {NAME_MAX} 字：{name}")
            if len(SEPARATOR.join(names)) > FULL_NAME_MAX:
                raise TaxonomyError(f"{path} 第 {line} 行：完整分类名称过长")
            raw = (row.get(SYNONYMS_COLUMN) or "").replace("｜", SYNONYM_SEPARATOR)
            synonyms = SYNONYM_SEPARATOR.join(
                dict.fromkeys(t.strip() for t in raw.split(SYNONYM_SEPARATOR) if t.strip())
            )
            paths.append((tuple(names), synonyms))
    return paths


@transaction.atomic
def load_categories(path: Path | None = None, *, merge_synonyms: bool = False) -> int:
    """Create the Category rows of a level1,level2,level3[,synonyms] CSV that do not exist yet.

    Existing rows (matched by full name) are left as they are, so what administrators changed
    afterwards (a node switched off, a synonym removed) survives a reload; `merge_synonyms`
    adds the file's synonyms that an existing row lacks (an upgrade's new vocabulary), keeping
    the row's own. Returns the number created.
    Queries: one read of the existing full names, then per level one insert (SQLite splits it
    into batches of about 200 rows) and one read of the new ids.
    """
    nodes: dict[str, tuple[int, str, str | None]] = {}  # full name → (level, name, parent's)
    synonyms: dict[str, str] = {}
    for names, leaf_synonyms in _read_rows(path or TAXONOMY_CSV):
        for depth in range(1, len(names) + 1):
            full_name = SEPARATOR.join(names[:depth])
            parent = SEPARATOR.join(names[: depth - 1]) or None
            nodes.setdefault(full_name, (depth, names[depth - 1], parent))
        if leaf_synonyms:
            synonyms[SEPARATOR.join(names)] = leaf_synonyms

    ids: dict[str, int] = dict(
        Category.objects.filter(full_name__in=list(nodes)).values_list("full_name", "id")
    )
    if merge_synonyms:
        _merge_synonyms({name: terms for name, terms in synonyms.items() if name in ids})
    created = 0
    for level in range(1, len(LEVEL_COLUMNS) + 1):
        new = [
            Category(
                name=name,
                level=level,
                full_name=full_name,
                parent_id=ids[parent] if parent else None,
                synonyms=synonyms.get(full_name, ""),
            )
            for full_name, (node_level, name, parent) in nodes.items()
            if node_level == level and full_name not in ids
        ]
        if not new:
            continue
        Category.objects.bulk_create(new)
        created += len(new)
        if level == len(LEVEL_COLUMNS):
            break
        # Re-read instead of trusting bulk_create's returned pks: the children of this level
        # need the ids, and this is right on every backend.
        ids.update(
            Category.objects.filter(full_name__in=[c.full_name for c in new]).values_list(
                "full_name", "id"
            )
        )
    return created


def _merge_synonyms(synonyms: dict[str, str]) -> None:
    changed = []
    for category in Category.objects.filter(full_name__in=list(synonyms)):
        own = [t for t in category.synonyms.split(SYNONYM_SEPARATOR) if t]
        new = [t for t in synonyms[category.full_name].split(SYNONYM_SEPARATOR) if t]
        # A word the new file marks as a setting ("~医院") replaces the same word unmarked: the
        # tree now weighs it as a setting. A word an administrator marked stays marked.
        settings = {t[len(SETTING_MARK) :] for t in new if t.startswith(SETTING_MARK)}
        marked = [SETTING_MARK + t if t in settings else t for t in own]
        merged = list(dict.fromkeys([*marked, *new]))
        merged = [t for t in merged if t not in settings or SETTING_MARK + t not in merged]
        if merged != own:
            category.synonyms = SYNONYM_SEPARATOR.join(merged)
            changed.append(category)
    Category.objects.bulk_update(changed, ["synonyms"], batch_size=200)


# ---------------------------------------------------------------------------------------------
# The catalogue lookup


def township_code_for(division: Division | None) -> str | None:
    """The 12-digit code of the township a division is in (itself at level 4), else None."""
    if division is None or division.level < Division.Level.TOWNSHIP:
        return None
    return division_code_prefix(division.code, Division.Level.TOWNSHIP).ljust(12, "0")


def _ancestor_full_names(category: Category) -> list[str]:
    """The category's full name and its prefixes, most specific first."""
    parts = category.full_name.split(SEPARATOR)
    return [SEPARATOR.join(parts[:depth]) for depth in range(len(parts), 0, -1)]


@dataclass(frozen=True)
class Decision:
    """The catalogue's answer and the reason, in words for the dispatcher's screen."""

    unit: Unit | None
    why: str
    category: str = ""  # the full name of the category whose entry decided
    township: bool = False  # a per-township entry decided (an override)
    territorial: bool = False  # 属地: the township government of the place


def _township_government(township: str) -> Unit | None:
    return (
        Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, division_id=township, is_active=True)
        .order_by("path")
        .first()
    )


def dispatch_decision(*, category: Category | None, division: Division | None) -> Decision:
    """派单目录 lookup: the unit the catalogue names for a category in a place, and why.

    From the category up to its root, at each level an entry for the ticket's township beats
    the county-wide default (township empty); the first level with an entry that applies wins.
    So a leaf's default beats its parent's township entry: the more specific category is the
    stronger fact. An entry naming an inactive unit is ignored (the unit was dissolved), and so
    is a 属地 entry when the place is unknown or its township has no government unit: the lookup
    falls through to the parent's entry. Two queries (the entries; a 属地 entry's township
    government).
    """
    if category is None:
        return Decision(None, _("未选择分类"))
    names = _ancestor_full_names(category)
    township = township_code_for(division)
    places = Q(township__isnull=True)
    if township is not None:
        places |= Q(township_id=township)
    entries = CatalogueEntry.objects.filter(places, category__full_name__in=names).select_related(
        "unit", "category", "township"
    )
    found = {(entry.category.full_name, entry.township_id is None): entry for entry in entries}
    for name in names:
        for is_default in (False, True):
            entry = found.get((name, is_default))
            if entry is None:
                continue
            place = "" if is_default else f"（{entry.township.name if entry.township else ''}）"
            words = {"place": place, "leaf": name.rsplit(SEPARATOR, 1)[-1]}
            words["note"] = f"：{entry.note}" if entry.note else ""
            if entry.to_township:
                if township is None:
                    continue
                government = _township_government(township)
                if government is None:
                    continue
                return Decision(
                    government,
                    _("派单目录%(place)s：“%(leaf)s”属地管理，由所在乡镇办理%(note)s") % words,
                    name,
                    not is_default,
                    True,
                )
            if entry.unit is not None and entry.unit.is_active:
                return Decision(
                    entry.unit,
                    _("派单目录%(place)s：“%(leaf)s”由%(unit)s办理%(note)s")
                    % {**words, "unit": entry.unit.name},
                    name,
                    not is_default,
                )
    return Decision(None, _("派单目录中没有该分类的责任单位，请派单员选择"))


def responsible_unit(*, category: Category | None, division: Division | None) -> Unit | None:
    """The unit of `dispatch_decision`, for callers that need no reason."""
    return dispatch_decision(category=category, division=division).unit


# ---------------------------------------------------------------------------------------------
# The demo county's catalogue

DEMO_TOWNSHIP_SUNKOU = "410927102000"  # 孙口镇
DEMO_TOWNSHIP_CHENGGUAN = "410927100000"  # 城关镇, the county seat
TOWNSHIP = "@township"  # a Rule's unit: 属地, the township government of the place


@dataclass(frozen=True)
class Rule:
    category: str  # full name in the taxonomy
    unit: str  # unit code, or TOWNSHIP
    township: str | None = None  # 12-digit division code, or None for the county-wide default
    note: str = ""


# County-wide defaults of the hotline tree (hotline_taxonomy.csv), most general first: each
# field to the department the 2018 institutional reform gave it (medical insurance to 医保局,
# land, planning and forests to 自然资源局, fire services to the 消防救援大队 of the emergency
# system, 宅基地 management to 农业农村 but its approval to the township, by 土地管理法 art. 62),
# utilities to their companies. Public space outside the county seat is 属地: a village's lamp,
# road, rubbish, pond or stall goes to its township government, which hands it to its 执法大队,
# its stations or the village (北京市接诉即办工作条例: clear matters straight to the township).
# The county seat's public space is the 城市管理局's (DEMO_TOWNSHIP_RULES).
DEMO_DEFAULTS: tuple[Rule, ...] = (
    Rule("市政公用", TOWNSHIP, note="乡村公共设施由乡镇负责"),
    Rule("市政公用/供水", "tq-zls"),
    Rule("市政公用/供电", "tq-gdgs"),
    Rule("市政公用/供气", "tq-rqgs"),
    Rule("市政公用/供暖", "tq-zjj"),
    Rule("城市管理", TOWNSHIP, note="乡镇综合行政执法"),
    Rule("城市管理/环境卫生/渣土扬尘", "tq-cgj"),
    Rule("城乡建设", "tq-zjj"),
    Rule("城乡建设/工程建设/农民工工资", "tq-rsj", note="劳动保障监察"),
    Rule("交通运输", "tq-jtysj"),
    Rule("公安", "tq-gaj"),
    Rule("市场监管", "tq-scjgj"),
    Rule("生态环境", "tq-sthj"),
    Rule("教育", "tq-jyj"),
    Rule("卫生健康", "tq-wjw"),
    Rule("医疗保障", "tq-ybj"),
    Rule("人力社保", "tq-rsj"),
    Rule("民政", "tq-mzj"),
    Rule("农业农村", "tq-nyncj"),
    Rule("农业农村/农村改革/宅基地", TOWNSHIP, note="宅基地由乡镇人民政府审核批准"),
    Rule("农业农村/农村改革/土地承包", TOWNSHIP, note="乡镇农村经营管理站调处"),
    Rule("农业农村/农业生产/秸秆焚烧", TOWNSHIP, note="秸秆禁烧属地责任"),
    Rule("自然资源", "tq-zrzyj"),
    Rule("水利", "tq-slj"),
    Rule("水利/河湖管理/黄河防汛", "tq-hwj"),
    Rule("应急管理", "tq-yjglj"),
    Rule("应急管理/消防救援", "tq-xfjy"),
    Rule("村务基层治理", TOWNSHIP, note="村级事务由乡镇指导办理"),
    Rule("文化旅游", "tq-wglyj"),
    Rule("退役军人", "tq-tyjrj"),
    Rule("税务", "tq-swj"),
    Rule("政务服务", "tq-zwfw"),
    Rule("通信", "tq-gxj", note="协调电信运营商"),
    Rule("住房公积金", "tq-gjj"),
    Rule("残疾人", "tq-cl"),
    Rule("司法", "tq-sfj"),
    Rule("发展改革", "tq-fgw"),
    Rule("财政", "tq-czj"),
)

# Per-township entries (overrides of the defaults above): the county seat's public space is the
# 城市管理局's; 孙口镇 hands neighbours' disputes straight to its 综治中心.
DEMO_TOWNSHIP_RULES: tuple[Rule, ...] = (
    Rule("市政公用", "tq-cgj", DEMO_TOWNSHIP_CHENGGUAN, "县城公共设施由城市管理局负责"),
    Rule("城市管理", "tq-cgj", DEMO_TOWNSHIP_CHENGGUAN, "县城市容秩序由城市管理局负责"),
    Rule("村务基层治理/矛盾纠纷/邻里纠纷", "sunkou-zzzx", DEMO_TOWNSHIP_SUNKOU, "综治中心调解"),
)


def _seed_rules(rules: Iterable[Rule]) -> int:
    """Create the catalogue entries that do not exist yet; skip rules whose category, unit or
    township is missing. Existing entries are kept even if they name another unit: after the
    first run the catalogue belongs to the administrators."""
    rules = list(rules)
    categories = {
        c.full_name: c for c in Category.objects.filter(full_name__in={r.category for r in rules})
    }
    units = {u.code: u for u in Unit.objects.filter(code__in={r.unit for r in rules})}
    townships = set(
        Division.objects.filter(code__in={r.township for r in rules if r.township}).values_list(
            "code", flat=True
        )
    )
    existing: set[tuple[int, str | None]] = set(
        CatalogueEntry.objects.filter(category__in=list(categories.values())).values_list(
            "category_id", "township_id"
        )
    )
    new: list[CatalogueEntry] = []
    for rule in rules:
        category, unit = categories.get(rule.category), units.get(rule.unit)
        territorial = rule.unit == TOWNSHIP
        if category is None or (unit is None and not territorial):
            continue
        if rule.township and rule.township not in townships:
            continue
        if (category.pk, rule.township) in existing:
            continue
        existing.add((category.pk, rule.township))
        new.append(
            CatalogueEntry(
                category=category,
                township_id=rule.township,
                unit=None if territorial else unit,
                to_township=territorial,
                note=rule.note,
            )
        )
    CatalogueEntry.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def seed_demo_catalogue() -> int:
    """Fill the demo county's 派单目录 (after the org demo is seeded); returns entries created."""
    load_categories(HOTLINE_TAXONOMY_CSV)
    return _seed_rules([*DEMO_DEFAULTS, *DEMO_TOWNSHIP_RULES])
