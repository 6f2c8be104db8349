"""A generated Excel of realistic collected suggestions (the seed's 1,141), for the bulk intake's
tests and bench/bench_bulk_intake.py.

Texts: the real citizens' messages in ../shared/data/messages/labelled.csv (short ones; the
anonymised city's names "A市", "A3区" replaced by the village's) when that file is there, mixed
with suggestions of the kind cadres collect in the villages, written here with the demo county's
village names. Every good row is different (a household or group number varies). Bad rows are
put at fixed places, each of a known kind.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

HEADER = ["序号", "村（社区）/地点", "意见建议内容", "提出人", "联系电话", "分类", "处理方式"]
LABELLED = Path(__file__).resolve().parents[3] / "shared" / "data" / "messages" / "labelled.csv"

TEMPLATES = (
    "{v}第{n}村民组到镇上的道路坑洼不平，雨天积水严重，建议尽快硬化路面。",
    "{v}村口路灯已坏了{n}盏，晚上出行不便，建议维修并增设路灯。",
    "{v}自来水水压低，{n}组高峰时段经常停水，希望供水公司查明原因。",
    "{v}灌溉渠淤堵约{n}00米，影响小麦浇水，建议组织清淤。",
    "{v}垃圾收集点清运不及时，{n}组附近垃圾堆积发臭，建议增加清运次数。",
    "{v}小学门口上下学时段车辆乱停，建议设置护学岗和减速带（第{n}条建议）。",
    "{v}卫生室药品不全，{n}位慢病老人买药要跑到镇上，建议配齐常用药。",
    "{v}留守老人较多，建议在村委会办老年食堂，已有{n}户愿意参加。",
    "{v}黄河滩区生产路{n}号桥桥面破损，农机通行危险，建议尽快维修。",
    "{v}有{n}户低保户反映补助发放时间不固定，建议公开发放时间。",
    "{v}村东坑塘水质发黑，夏天蚊虫多，建议治理坑塘（{n}组村民集体建议）。",
    "{v}网络信号差，{n}组手机经常没信号，建议协调运营商增设基站。",
    "{v}文化广场缺少健身器材，建议增设{n}套。",
    "{v}农户秸秆无处堆放，{n}组路边堆满秸秆有火灾隐患，建议统一清运。",
    "{v}养殖场气味大，影响{n}组村民生活，建议督促整改。",
    "{v}公交班次太少，建议每天增加{n}班到县城的公交。",
    "{v}第{n}组排水沟堵塞，下雨后院子进水，建议疏通排水沟。",
    "{v}幼儿园收费偏高，{n}位家长建议公开收费标准。",
    "{v}危房改造补助迟迟未到位，{n}户村民希望尽快落实。",
    "{v}村里厕所改造后化粪池无人抽，{n}户已满，建议安排抽粪车。",
)
NAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林高罗"
CATEGORIES = ("", "", "", "", "城乡建设/道路/道路破损")
DESTINATIONS = ("", "", "", "转工单", "提交议事会")


@dataclass(frozen=True)
class Generated:
    content: bytes
    rows: int  # data rows
    bad: dict[int, str]  # Excel row number → kind ("empty", "long", "phone", "destination")


def _real_texts() -> list[str]:
    if not LABELLED.exists():
        return []
    with LABELLED.open(encoding="utf-8") as handle:
        texts = [
            " ".join(row["text"].split())
            for row in csv.DictReader(handle)
            if 20 <= len(row["text"].strip()) <= 300
        ]
    return texts


def _localise(text: str, village: str) -> str:
    text = re.sub(r"A\d*[区县市]", village, text)
    return text.replace("A市", "").strip()


def generate(
    villages: Sequence[tuple[str, str]],
    *,
    rows: int = 1141,
    bad: int = 20,
    seed: int = 22,
    real: bool = True,
) -> Generated:
    """`villages`: (township name, village name) pairs, e.g. ("孙口镇", "孙口村委会")."""
    rng = random.Random(seed)
    texts = _real_texts() if real else []
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "意见建议"
    sheet.append(HEADER)
    kinds = ("empty", "long", "phone", "destination")
    bad_rows = {2 + (i + 1) * (rows // (bad + 1)): kinds[i % len(kinds)] for i in range(bad)}
    real_used = 0
    for i in range(rows):
        number = i + 2
        township, village = villages[i % len(villages)]
        short = village.removesuffix("村委会").removesuffix("居委会") + "村"
        place = f"{township}{short}" if i % 3 == 0 else short
        if texts and i % 4 == 1 and real_used < len(texts):
            text = f"{short}村民反映：" + _localise(texts[real_used], short) + f"（第{i}号）"
            real_used += 1
        else:
            text = TEMPLATES[i % len(TEMPLATES)].format(v=short, n=i // len(TEMPLATES) + 1)
        who = rng.choice(NAMES) + "某某"
        phone = f"1380013{i:04d}" if i % 5 == 0 else ""
        category = CATEGORIES[i % len(CATEGORIES)]
        destination = DESTINATIONS[i % len(DESTINATIONS)]
        kind = bad_rows.get(number)
        if kind == "empty":
            text = ""
        elif kind == "long":
            text = text + "情况说明。" * 420
        elif kind == "phone":
            phone = "1380013"
        elif kind == "destination":
            destination = "看着办"
        sheet.append([i + 1, place, text, who, phone, category, destination])
    buffer = io.BytesIO()
    book.save(buffer)
    return Generated(buffer.getvalue(), rows, bad_rows)


def county_villages() -> list[tuple[str, str]]:
    """The demo county's villages, (township, village), from the database."""
    from minsheng.org.models import Division

    return [
        (d.parent.name, d.name)
        for d in Division.objects.filter(code__startswith="410927", level=Division.Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
        if d.parent is not None
    ]
