"""台前县 from the demo's division files, the hotline's category tree, 孙口镇's council and the
users of the bulk intake's tests."""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook

from minsheng.governance.models import Council
from minsheng.governance.services.councils import council_create
from minsheng.org.demo import DIVISIONS_DIR
from minsheng.org.divisions_import import import_divisions
from minsheng.org.models import Division, Role, User
from minsheng.tickets.catalogue import HOTLINE_TAXONOMY_CSV, load_categories
from tests.conftest import People, make_user

COUNTY = "410927000000"
SUNKOU = "410927102000"
HOUMIAO = "410927101000"
SUNKOU_VILLAGE = "410927102201"  # 孙口村委会


@dataclass
class Setup:
    people: People
    county: Division
    sunkou: Division
    council: Council
    admin: User
    secretary: User  # unit leader of 孙口镇人民政府
    stranger: User  # unit leader of 侯庙镇人民政府
    handler: User  # a station handler, no intake


def make_setup(people: People) -> Setup:
    import_divisions([DIVISIONS_DIR])
    load_categories(HOTLINE_TAXONOMY_CSV, merge_synonyms=True)
    org = people.org
    admin = make_user("root", org.hotline, Role.ADMINISTRATOR)
    sunkou = Division.objects.get(code=SUNKOU)
    council = council_create(actor=admin, division=sunkou, unit=org.sunkou)
    return Setup(
        people=people,
        county=Division.objects.get(code=COUNTY),
        sunkou=sunkou,
        council=council,
        admin=admin,
        secretary=make_user("leader-sunkou", org.sunkou, Role.UNIT_LEADER),
        stranger=make_user("leader-houmiao", org.houmiao, Role.UNIT_LEADER),
        handler=make_user("h-team", org.sunkou_team, Role.HANDLER),
    )


def sheet(*rows: list[object], header: list[str] | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "意见建议"
    ws.append(
        header
        or ["序号", "村（社区）/地点", "意见建议内容", "提出人", "联系电话", "分类", "处理方式"]
    )
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
