"""Bench tool: a province's real divisions and a unit tree for them, for `gen_tickets.py --province`.

The demo has one county (台前县). A provincial or megacity platform dispatches to every city and
county below it, so the statistics benchmark needs that shape: `seed_province("41")` imports the
province's divisions from ../shared/data/divisions (统计用区划代码, five levels) and builds, beside
the demo's own units, the units a provincial 12345 platform dispatches to:

    gov4101            郑州市人民政府                         (a node of the tree, kind department)
      gov410102          中原区人民政府                       (a county-level node)
        410102-zjj         中原区住房和城乡建设局 …             (the demo county's 17 departments
                                                               and companies, for this county)
        t410102001         林山寨街道人民政府                   (a township government)
          t410102001-zfdd    林山寨街道执法大队 …               (its stations and team)
          v410102001001      …社区居委会                        (a village or community)

The demo county's own units (tq-…, sunkou, …) move under gov410927, below 濮阳市's node, so that the whole
tree hangs from the cities. Codes are stable, so running it again adds only what is missing
(and puts the demo units back under their county after `seed_demo` made them top-level again).

No users are created for the new units: the generator's events name no actor for them, and the
statistics pages are read as the demo's `leader`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIVISIONS = REPO.parent / "shared" / "data" / "divisions"
DEMO_PREFIX = "tq-"


@dataclass
class ProvinceResult:
    divisions: int
    units_created: int
    counties: int
    townships: int
    villages: int


def county_node(county6: str) -> str:
    return f"gov{county6}"


def clone_code(county6: str, demo_code: str) -> str:
    """The county's counterpart of a demo county department: tq-zjj → 410102-zjj."""
    return f"{county6}-{demo_code.removeprefix(DEMO_PREFIX)}"


def seed_province(province: str, divisions_dir: Path = DIVISIONS) -> ProvinceResult:
    from django.db import transaction

    from minsheng.org.demo import COUNTY_UNITS, DEMO_COUNTY_CODE, TOWNSHIP_SUBUNITS
    from minsheng.org.divisions_import import import_divisions
    from minsheng.org.models import Division, Unit

    if len(province) != 2 or not province.isdigit():
        raise SystemExit(f"--province wants a 2-digit province code, not {province!r}")
    if not divisions_dir.exists():
        raise SystemExit(f"--province needs the divisions in {divisions_dir}")
    imported = import_divisions([divisions_dir], within=province)
    demo_county6 = DEMO_COUNTY_CODE[:6]

    levels: dict[int, list[Division]] = {}
    for d in Division.objects.filter(code__startswith=province).order_by("code"):
        levels.setdefault(d.level, []).append(d)
    cities = levels.get(Division.Level.CITY, [])
    counties = levels.get(Division.Level.COUNTY, [])
    townships = levels.get(Division.Level.TOWNSHIP, [])
    villages = levels.get(Division.Level.VILLAGE, [])
    city_name = {d.code[:4]: d.name for d in cities}
    township_name = {d.code[:9]: d.name for d in townships}

    existing = set(Unit.objects.values_list("code", flat=True))
    # (code, name, kind, parent code, division code); parents come before children.
    rows: list[tuple[str, str, str, str | None, str]] = []
    for d in cities:
        name = d.name if d.name.endswith("行政区划") else f"{d.name}人民政府"
        rows.append((county_node(d.code[:4]), name, "department", None, d.code))
    for d in counties:
        c6 = d.code[:6]
        rows.append(
            (county_node(c6), f"{d.name}人民政府", "department", county_node(c6[:4]), d.code)
        )
        if c6 == demo_county6:
            continue  # the demo's own departments serve it
        city = city_name.get(c6[:4], "")
        for code, name, kind in COUNTY_UNITS:
            local = name.replace("濮阳市", city).replace("台前县", d.name).replace("台前", d.name)
            rows.append((clone_code(c6, code), local, kind, county_node(c6), d.code))
    for d in townships:
        t9, c6 = d.code[:9], d.code[:6]
        if c6 == demo_county6:
            continue
        gov = f"t{t9}"
        rows.append((gov, f"{d.name}人民政府", "township", county_node(c6), d.code))
        for suffix, name_suffix, kind in TOWNSHIP_SUBUNITS:
            rows.append((f"{gov}-{suffix}", f"{d.name}{name_suffix}", kind, gov, d.code))
    for d in villages:
        if d.code[:6] == demo_county6 or d.code[:9] not in township_name:
            continue
        rows.append((f"v{d.code}", d.name, "village", f"t{d.code[:9]}", d.code))

    with transaction.atomic():
        # The demo county's top-level units (all but the hotline) hang under their county node.
        demo_node = county_node(demo_county6)
        paths: dict[str, str] = {}
        ids: dict[str, int] = {}
        created = 0
        for code, _name, _kind, parent, _division in rows:
            paths[code] = (paths[parent] if parent else "/") + f"{code}/"
        for u in Unit.objects.filter(code__in=[r[0] for r in rows if r[0] in existing]).only(
            "id", "code"
        ):
            ids[u.code] = u.pk
        # Parents first: bulk_create in tree order, a level at a time, to know parents' ids.
        for depth in sorted({p.count("/") for p in paths.values()}):
            batch = [r for r in rows if paths[r[0]].count("/") == depth and r[0] not in existing]
            new_units = [
                Unit(
                    code=code,
                    name=name[:100],
                    kind=kind,
                    parent_id=ids[parent] if parent else None,
                    division_id=division,
                    path=paths[code],
                    is_active=True,
                )
                for code, name, kind, parent, division in batch
            ]
            Unit.objects.bulk_create(new_units, batch_size=5000)
            created += len(new_units)
            for u in Unit.objects.filter(code__in=[r[0] for r in batch]).only("id", "code"):
                ids[u.code] = u.pk
        demo_top = (
            Unit.objects.filter(parent__isnull=True)
            .exclude(kind=Unit.Kind.HOTLINE)
            .exclude(code__startswith="gov")
        )
        for unit in demo_top:
            # Unit.save() recomputes the path and moves the subtree with it.
            unit.parent_id = ids[demo_node]
            unit.save()
    return ProvinceResult(
        divisions=imported.changes,
        units_created=created,
        counties=len(counties),
        townships=len(townships),
        villages=len(villages),
    )
