"""Nothing personal on the board: phones and ID numbers written every which way inside the
citizen's words and inside the official reply, and the citizen's name, appear neither on the
board's list, nor on the message's page, nor in either Atom feed (hypothesis-generated, with the
generators of tests/textproc/test_pii.py)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.org.models import Division
from minsheng.portal import services
from minsheng.portal.board import services as board
from minsheng.textproc.pii import normalize_phone
from tests.conftest import People
from tests.portal.board_helpers import SUNKOU, replied, tree
from tests.portal.conftest import VILLAGE
from tests.textproc.test_pii import (
    heard_mobiles,
    id_numbers,
    leftover_pii,
    mobile_numbers,
    spell_mobile,
    wrong_check,
)

NAME = "王小明"

personal = st.one_of(
    st.builds(spell_mobile, mobile_numbers, st.integers(0, 4)),
    heard_mobiles(),
    id_numbers,
    st.builds(wrong_check, id_numbers),
)
words = st.text(
    alphabet=st.sampled_from("孙口村路灯坏了请尽快处理晚上看不见 ，。！\n"), max_size=15
)


@st.composite
def texts(draw: st.DrawFn) -> tuple[str, list[str]]:
    values = draw(st.lists(personal, min_size=1, max_size=3))
    parts = [draw(words), "路灯坏了"]
    for value in values:
        parts += [" ", value, " ", draw(words)]
    return "".join(parts), values


def forms_of(value: str) -> set[str]:
    """The value as written, and as the digits a reader would take from it."""
    found = {value}
    phone = normalize_phone(value)
    if phone:
        found.add(phone)
    return found


@pytest.fixture
def board_county(county: object, people: People) -> People:
    tree()
    return people


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(report=texts(), reply=texts())
def test_nothing_personal_on_the_board_its_pages_or_its_feeds(
    board_county: People, report: tuple[str, list[str]], reply: tuple[str, list[str]]
) -> None:
    people = board_county
    text, values = report
    receipt, _code = services.citizen_report(
        services.NewReport(
            phone="13912345678",
            kind="complaint",
            text=f"我是{NAME}。{text}",
            name=NAME,
            division=Division.objects.get(code=VILLAGE),
            submission_key=uuid.uuid4().hex,
            wants_public=True,
        )
    )
    message = board.approve(message=receipt.ticket.public_message, actor=people.operator)
    reply_text, reply_values = reply
    replied(people, receipt.ticket, f"{NAME}您好：{reply_text}")
    assert message.topic_id is not None  # 路灯: the category feed has it

    client = Client()
    pages = {
        "list": client.get("/h5/board/?q=路灯"),
        "message": client.get(f"/h5/board/{message.pk}/"),
        "township feed": client.get(f"/h5/board/feed/township/{SUNKOU}/"),
        "category feed": client.get(f"/h5/board/feed/category/{message.topic_id}/"),
    }
    secrets = {NAME, "13912345678"} | {f for v in values + reply_values for f in forms_of(v)}
    for where, response in pages.items():
        assert response.status_code == 200, where
        html = response.content.decode()
        assert message.title in html or where == "list" and message.title[:10] in html, where
        for secret in secrets:
            assert secret not in html, (where, secret)
        assert leftover_pii(html) == [], where
    assert "您好" in pages["message"].content.decode()  # the reply is there, masked
