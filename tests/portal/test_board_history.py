"""`manage.py load_demo_board`: the message board data as approved history — masked as it is
loaded, likes from the votes, replies from the replies file, categories from the hotline
tree's words, idempotent, and skipped with a message when the files are absent."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from minsheng.portal.board.history import REPLIES, VOTES, load_history
from minsheng.portal.models import PublicMessage
from tests.conftest import Org
from tests.portal.board_helpers import tree

SHARED = Path(settings.MINSHENG_TRIAGE_DATA)


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    write(
        tmp_path / VOTES,
        ["id", "user", "title", "time", "text", "votes_against", "votes_for"],
        [
            [
                "101",
                "A0001",
                "A3区路灯坏了",
                "2019/2/28 11:25:05",
                "小区门口路灯坏了，联系电话13912345678，身份证11010519491231002X。",
                "0",
                "7",
            ],
            [
                "102",
                "A0002",
                "道路破损",
                "2019/3/1 8:00:00",
                "道路破损严重，多处坑洼。\n请尽快修。",
                "1",
                "0",
            ],
            ["103", "A0003", "没有时间的行", "yesterday", "时间读不出来。", "0", "1"],
            ["", "A0004", "没有编号", "2019/3/1 8:00:00", "没有编号的行。", "0", "1"],
            ["104", "A0005", "票数不是数字", "2019/3/2 9:00:00", "票数写坏了。", "0", "很多"],
        ],
    )
    write(
        tmp_path / REPLIES,
        ["id", "user", "title", "time", "text", "reply", "reply_time"],
        [
            [
                "2549",
                "A00045581",
                "物业管理有问题",
                "2019/4/25 9:32:09",
                "物业公司乱收停车费。",
                "网友“A00045581”：您好！经调查……如有疑问请拨打13800138000。",
                "2019/5/10 14:56:53",
            ],
        ],
    )
    return tmp_path


def test_the_history_is_loaded_masked_and_approved(org: Org, files: Path) -> None:
    tree()
    result = load_history(files)
    assert (result.created, result.known, result.skipped, result.missing) == (4, 0, 2, [])
    lamp = PublicMessage.objects.get(source="votes:101")
    assert lamp.ticket is None and lamp.state == PublicMessage.State.APPROVED
    assert "13912345678" not in lamp.text and "139****5678" in lamp.text
    assert "11010519491231002X" not in lamp.text
    assert lamp.like_count == 7 and lamp.reply_text == "" and lamp.township is None
    assert lamp.posted_at.isoformat() == "2019-02-28T03:25:05+00:00"  # 11:25 in Beijing
    assert lamp.topic is not None and lamp.topic.name == "市政公用"  # 路灯
    assert lamp.category is not None and lamp.category.full_name == "市政公用/供电/路灯"
    road = PublicMessage.objects.get(source="votes:102")
    assert road.topic is not None and road.topic.name == "交通运输"
    assert PublicMessage.objects.get(source="votes:104").like_count == 0
    reply = PublicMessage.objects.get(source="replies:2549")
    assert "13800138000" not in reply.reply_text and "138****8000" in reply.reply_text
    assert "A00045581" not in reply.reply_text  # the board's pseudonym, like a name
    assert reply.replied_at is not None and reply.like_count == 0

    client = Client()
    page = client.get(f"/h5/board/{reply.pk}/").content.decode()
    assert "经调查" in page and "已办结" in page
    page = client.get("/h5/board/?status=done").content.decode()
    assert "物业管理有问题" in page and "A3区路灯坏了" not in page
    assert "A3区路灯坏了" in client.get("/h5/board/?order=liked").content.decode()


def test_loading_twice_adds_nothing(org: Org, files: Path) -> None:
    load_history(files)
    again = load_history(files)
    assert (again.created, again.known) == (0, 4)
    assert PublicMessage.objects.count() == 4


def test_the_command_says_when_the_files_are_absent(org: Org, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("load_demo_board", folder=tmp_path, stdout=out)
    assert "不存在，已跳过" in out.getvalue() and VOTES in out.getvalue()
    assert not PublicMessage.objects.exists()


def test_the_command_reports_what_it_loaded(org: Org, files: Path) -> None:
    out = io.StringIO()
    call_command("load_demo_board", folder=files, stdout=out)
    assert "新导入 4 条" in out.getvalue()


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / VOTES).is_file(), reason="../shared/data/messages is absent")
def test_the_real_board_data_loads(org: Org) -> None:
    result = load_history(SHARED)
    assert result.created == 4326 + 2816 and result.skipped == 0
    assert PublicMessage.objects.filter(like_count__gt=0).count() > 1000
    assert PublicMessage.objects.exclude(reply_text="").count() == 2816
