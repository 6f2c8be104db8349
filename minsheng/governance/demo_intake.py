"""The demo's 集中导入: one file of 40 suggestions collected in 孙口镇's villages, uploaded for
台前县 by the demo `operator` and left as a preview (nothing made until someone confirms it at
/governance/intake/). Two rows are bad on purpose (an empty text, a wrong phone) and one says
the same as another. Called by `manage.py seed_demo`; idempotent: nothing is made when a batch
of this name exists.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from minsheng.governance.models import IntakeBatch
from minsheng.governance.services.intake import intake_upload
from minsheng.org.models import Division, User

FILENAME = "孙口镇走访收集意见建议（演示）.xlsx"
TOWNSHIP_CODE = "410927102000"  # 孙口镇
# What cadres hear in the villages; {v} is the village, {n} varies the household or group.
PHRASES = (
    "{v}第{n}村民组到镇上的道路坑洼不平，雨天积水严重，建议尽快硬化路面。",
    "{v}村口路灯已坏了{n}盏，晚上出行不便，建议维修并增设路灯。",
    "{v}自来水水压低，{n}组高峰时段经常停水，希望供水公司查明原因。",
    "{v}灌溉渠淤堵约{n}00米，影响小麦浇水，建议组织清淤。",
    "{v}垃圾收集点清运不及时，{n}组附近垃圾堆积发臭，建议增加清运次数。",
    "{v}小学门口上下学时段车辆乱停，建议设置护学岗和减速带。",
    "{v}留守老人较多，建议在村委会办老年食堂，已有{n}户愿意参加。",
    "{v}文化广场缺少健身器材，建议增设{n}套。",
)


def demo_workbook(villages: list[str], rows: int = 40) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "意见建议"
    sheet.append(
        ["序号", "村（社区）/地点", "意见建议内容", "提出人", "联系电话", "分类", "处理方式"]
    )
    for i in range(rows):
        village = villages[i % len(villages)].removesuffix("村委会") + "村"
        text = PHRASES[i % len(PHRASES)].format(v=village, n=i // len(PHRASES) + 1)
        phone = f"1390393{i:04d}" if i % 4 == 0 else ""
        destination = "提交议事会" if i % 3 == 0 else ""
        if i == 7:
            text = ""
        if i == 12:
            phone = "139039"
        sheet.append([i + 1, village, text, f"村民{i + 1}", phone, "", destination])
    sheet.append([rows + 1, *list(sheet.iter_rows(min_row=3, max_row=3, values_only=True))[0][1:]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def seed_demo_intake() -> int:
    """Returns the number of rows previewed (0 when the demo already has its batch)."""
    if IntakeBatch.objects.filter(filename=FILENAME).exists():
        return 0
    operator = User.objects.filter(username="operator").first()
    county = Division.objects.filter(code=TOWNSHIP_CODE[:6] + "000000").first()
    villages = list(
        Division.objects.filter(
            code__startswith=TOWNSHIP_CODE[:9], level=Division.Level.VILLAGE
        ).values_list("name", flat=True)[:6]
    )
    if operator is None or county is None or not villages:
        return 0
    batch = intake_upload(
        actor=operator, area=county, filename=FILENAME, content=demo_workbook(villages)
    )
    return batch.rows.count()
