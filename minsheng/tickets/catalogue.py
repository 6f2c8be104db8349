"""The category tree (诉求分类) and the dispatch catalogue (派单目录).

`load_categories` turns the three-level taxonomy CSV into Category rows; `responsible_unit` answers
"who should this ticket go to?" from the catalogue; `seed_demo_catalogue` fills the catalogue of
the demo county 台前县.

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

from minsheng.org.models import Division, Unit, division_code_prefix
from minsheng.tickets.models import CatalogueEntry, Category

TAXONOMY_CSV = Path(__file__).resolve().parent / "data" / "taxonomy.csv"
LEVEL_COLUMNS = ("level1", "level2", "level3")
SEPARATOR = "/"
NAME_MAX = Category._meta.get_field("name").max_length or 60
FULL_NAME_MAX = Category._meta.get_field("full_name").max_length or 200


class TaxonomyError(ValueError):
    """The taxonomy CSV cannot be loaded; the message names the line (in Chinese)."""


# ---------------------------------------------------------------------------------------------
# Loading the category tree


def _read_paths(path: Path) -> list[tuple[str, ...]]:
    """Each data row as its non-empty names from the root down, validated."""
    paths: list[tuple[str, ...]] = []
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
            paths.append(tuple(names))
    return paths


@transaction.atomic
def load_categories(path: Path | None = None) -> int:
    """Create the Category rows of a level1,level2,level3 CSV that do not exist yet.

    Existing rows (matched by full name) are left as they are, so what administrators changed
    afterwards (a node switched off) survives a reload. Returns the number created.
    Queries: one read of the existing full names, then per level one insert (SQLite splits it
    into batches of about 200 rows) and one read of the new ids.
    """
    nodes: dict[str, tuple[int, str, str | None]] = {}  # full name → (level, name, parent's)
    for names in _read_paths(path or TAXONOMY_CSV):
        for depth in range(1, len(names) + 1):
            full_name = SEPARATOR.join(names[:depth])
            parent = SEPARATOR.join(names[: depth - 1]) or None
            nodes.setdefault(full_name, (depth, names[depth - 1], parent))

    ids: dict[str, int] = dict(
        Category.objects.filter(full_name__in=list(nodes)).values_list("full_name", "id")
    )
    created = 0
    for level in range(1, len(LEVEL_COLUMNS) + 1):
        new = [
            Category(
                name=name,
                level=level,
                full_name=full_name,
                parent_id=ids[parent] if parent else None,
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


def responsible_unit(*, category: Category | None, division: Division | None) -> Unit | None:
    """派单目录 lookup: the unit the catalogue names for a category in a place, or None.

    From the category up to its root, at each level an entry for the ticket's township beats
    the county-wide default (township empty); the first level with an entry wins. So a leaf's
    default beats its parent's township entry: the more specific category is the stronger fact.
    Entries naming an inactive unit are ignored (the unit was dissolved; fall through).
    One query.
    """
    if category is None:
        return None
    names = _ancestor_full_names(category)
    township = township_code_for(division)
    places = Q(township__isnull=True)
    if township is not None:
        places |= Q(township_id=township)
    entries = CatalogueEntry.objects.filter(
        places, category__full_name__in=names, unit__is_active=True
    ).select_related("unit", "category")
    found: dict[tuple[str, bool], Unit] = {
        (entry.category.full_name, entry.township_id is None): entry.unit for entry in entries
    }
    for name in names:
        for is_default in (False, True):
            unit = found.get((name, is_default))
            if unit is not None:
                return unit
    return None


# ---------------------------------------------------------------------------------------------
# The demo county's catalogue

DEMO_TOWNSHIP_SUNKOU = "410927102000"  # 孙口镇


@dataclass(frozen=True)
class Rule:
    category: str  # full name in the taxonomy
    unit: str  # unit code
    township: str | None = None  # 12-digit division code, or None for the county-wide default


# County-wide defaults, most general first. The reading of the taxonomy against the demo's
# units follows the 2018 institutional reform: food and drugs went to 市场监管, medical insurance
# and medical prices to 医保局, planning and forestry to 自然资源局, labour arbitration stays with
# 人社局. Where the demo county has no unit (司法局, 文旅局, 应急管理局, 纪委…) there is
# deliberately no entry: the dispatcher decides, rather than the catalogue sending a matter to a
# unit that would only return it.
DEMO_DEFAULTS: tuple[Rule, ...] = (
    Rule("城乡建设", "tq-zjj"),
    Rule("城乡建设/城市建设和市政管理", "tq-cgj"),
    Rule("城乡建设/城市建设和市政管理/小区管理", "tq-zjj"),
    Rule("城乡建设/城市建设和市政管理/冬季采暖", "tq-zjj"),
    Rule("城乡建设/城市建设和市政管理/公共汽车", "tq-jtysj"),
    Rule("城乡建设/城市建设和市政管理/自来水供应", "tq-zls"),
    Rule("城乡建设/城市建设和市政管理/电力供应", "tq-gdgs"),
    Rule("城乡建设/城市建设和市政管理/燃气供应", "tq-rqgs"),
    Rule("城乡建设/城乡规划", "tq-zrzyj"),
    Rule("城乡建设/城乡规划/违章建筑", "tq-cgj"),
    Rule("交通运输", "tq-jtysj"),
    Rule("劳动和社会保障", "tq-rsj"),
    Rule("劳动和社会保障/城镇居民社会保险/新农村合作医疗", "tq-ybj"),
    Rule("劳动和社会保障/城镇居民社会保险/城镇居民医疗保险", "tq-ybj"),
    Rule("劳动和社会保障/城镇职工社会保险/职工医疗保险", "tq-ybj"),
    Rule("劳动和社会保障/城镇职工社会保险/职工生育保险", "tq-ybj"),
    Rule("教育文体", "tq-jyj"),
    Rule("卫生计生", "tq-wjw"),
    Rule("卫生计生/食品药品监管", "tq-scjgj"),
    Rule("卫生计生/医政监管/医疗收费", "tq-ybj"),
    Rule("环境保护", "tq-sthj"),
    Rule("商贸旅游", "tq-scjgj"),
    Rule("农村农业", "tq-nyncj"),
    Rule("农村农业/水利水电", "tq-slj"),
    Rule("农村农业/林业管理", "tq-zrzyj"),
    Rule("民政", "tq-mzj"),
    Rule("国土资源/土地征收", "tq-zrzyj"),
    Rule("国土资源/土地资源管理", "tq-zrzyj"),
    Rule("国土资源/矿产资源管理", "tq-zrzyj"),
    Rule("政法/社会治安", "tq-gaj"),
    Rule("政法/交通管理", "tq-gaj"),
    Rule("政法/户籍证件", "tq-gaj"),
    Rule("政法/刑案侦破", "tq-gaj"),
    Rule("政法/警务督察", "tq-gaj"),
    Rule("政法/仲裁与调解/劳动仲裁", "tq-rsj"),
    Rule("政法/仲裁与调解/人事仲裁", "tq-rsj"),
)

# "Clear matters go straight to the township" (北京市接诉即办工作条例): in 孙口镇, village affairs
# and village-level building, land and sanitation go to the township government, which
# decomposes them to its stations, teams and villages at the weekly council.
DEMO_TOWNSHIP_RULES: tuple[Rule, ...] = (
    Rule("城乡建设/村镇建设", "sunkou", DEMO_TOWNSHIP_SUNKOU),
    Rule("城乡建设/城市建设和市政管理/环境卫生", "sunkou", DEMO_TOWNSHIP_SUNKOU),
    Rule("农村农业/村务管理", "sunkou", DEMO_TOWNSHIP_SUNKOU),
    Rule("农村农业/土地承包经营", "sunkou", DEMO_TOWNSHIP_SUNKOU),
    Rule("民政/基层选举和社区建设/村委会选举", "sunkou", DEMO_TOWNSHIP_SUNKOU),
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
        if category is None or unit is None or (rule.township and rule.township not in townships):
            continue
        if (category.pk, rule.township) in existing:
            continue
        existing.add((category.pk, rule.township))
        new.append(CatalogueEntry(category=category, township_id=rule.township, unit=unit))
    CatalogueEntry.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def seed_demo_catalogue() -> int:
    """Fill the demo county's 派单目录 (after the org demo is seeded); returns entries created."""
    load_categories()
    return _seed_rules([*DEMO_DEFAULTS, *DEMO_TOWNSHIP_RULES])
