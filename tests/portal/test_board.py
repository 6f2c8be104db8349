"""留言板: a citizen's report made public waits for the hotline's moderation; approved
messages are listed, searched and filtered, each with its official reply once the ticket is
replied; a proven phone likes a message once; Atom feeds per township and per category."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from minsheng.lib.snapshot import forget_all
from minsheng.portal.board import services as board
from minsheng.portal.codes import Refused
from minsheng.portal.models import MessageDecision, MessageLike, PublicMessage
from minsheng.tickets import actions
from minsheng.tickets.errors import NotAllowed
from minsheng.tickets.models import Category, Ticket
from tests.conftest import Org, People
from tests.portal.board_helpers import (
    HOUMIAO,
    PHONE,
    SUNKOU,
    published,
    replied,
    report,
    tree,
)
from tests.portal.conftest import prove

ATOM = "{http://www.w3.org/2005/Atom}"
State = PublicMessage.State


@pytest.fixture
def places(county: Org, people: People) -> People:
    """The test county with its places, the category tree, and the hotline's people."""
    tree()
    return people


def login(client: Client, username: str) -> Client:
    from tests.conftest import PASSWORD

    assert client.login(username=username, password=PASSWORD)
    return client


def body(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


# --- From a report to a pending message -----------------------------------------------------------


def test_a_report_made_public_waits_masked_for_moderation(places: People, client: Client) -> None:
    prove(client, PHONE)
    page = client.get("/h5/report/").content.decode()
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    text = "我叫王小明，电话13800138000。孙口村村口的路灯坏了一个多星期，晚上出门不方便。"
    response = client.post(
        "/h5/report/",
        {
            "kind": "complaint",
            "text": text,
            "division": "410927102201",
            "address": "孙口村3组12号",
            "name": "王小明",
            "wants_public": "on",
            "submission_key": key,
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    message = PublicMessage.objects.get()
    assert message.ticket == ticket and message.state == State.PENDING
    assert "13800138000" not in message.text and "王小明" not in message.text
    assert "138****8000" in message.text and "王**" in message.text
    assert "13800138000" not in message.title
    assert message.township_id == SUNKOU and message.like_count == 0
    assert message.posted_at == ticket.created_at
    # The ticket keeps the citizen's words; nothing is public before a moderator decides.
    assert ticket.description == text
    assert "出门不方便" not in body(client.get("/h5/board/"))
    assert client.get(f"/h5/board/{message.pk}/").status_code == 404


@pytest.mark.parametrize("flag", ["anonymous", "confidential"])
def test_anonymous_and_confidential_reports_never_become_public(places: People, flag: str) -> None:
    report(**{flag: True})
    assert Ticket.objects.count() == 1 and not PublicMessage.objects.exists()


def test_a_report_not_made_public_has_no_message(places: People) -> None:
    report(public=False)
    assert not PublicMessage.objects.exists()


# --- Moderation ---------------------------------------------------------------------------------


def test_the_queue_is_for_the_hotline_staff(places: People, client: Client) -> None:
    assert client.get("/board/moderate/").status_code == 302  # to the login page
    login(client, places.alice.username)  # a unit's handler
    assert client.get("/board/moderate/").status_code == 403
    login(client, places.org.leader.username)  # a leader reads, does not moderate
    assert client.get("/board/moderate/").status_code == 403
    ticket = report()
    with pytest.raises(NotAllowed):
        board.approve(message=ticket.public_message, actor=places.alice)
    login(client, places.operator.username)
    page = body(client.get("/board/moderate/"))
    assert ticket.number in page and "待审核 1 条" in page
    assert "留言审核" in body(client.get("/"))  # the navigation's entry


def test_a_moderator_approves_and_the_decision_is_recorded(places: People, client: Client) -> None:
    ticket = report()
    message = ticket.public_message
    login(client, places.operator.username)
    response = client.post(f"/board/moderate/{message.pk}/approve/", {"from": "queue"})
    assert response.status_code == 302 and response["Location"] == "/board/moderate/"
    message.refresh_from_db()
    assert message.state == State.APPROVED
    assert message.moderated_by == places.operator and message.moderated_at is not None
    decision = MessageDecision.objects.get(message=message)
    assert decision.action == "approve" and decision.by == places.operator
    assert "路灯坏了" in body(client.get("/h5/board/"))
    assert client.get(f"/h5/board/{message.pk}/").status_code == 200
    # Approving twice is refused in Chinese, and records nothing more.
    response = client.post(f"/board/moderate/{message.pk}/approve/")
    assert response.status_code == 400 and "已经公开" in body(response)
    assert MessageDecision.objects.count() == 1


def test_rejecting_needs_a_reason(places: People, client: Client) -> None:
    message = report().public_message
    login(client, places.operator.username)
    for reason in ("", "   "):
        response = client.post(f"/board/moderate/{message.pk}/reject/", {"reason": reason})
        assert response.status_code == 400 and "请填写不予公开的理由" in body(response)
    message.refresh_from_db()
    assert message.state == State.PENDING and not MessageDecision.objects.exists()
    with pytest.raises(Refused):
        board.reject(message=message, actor=places.operator, reason=" ")
    response = client.post(
        f"/board/moderate/{message.pk}/reject/", {"reason": "内容涉及他人隐私", "from": "queue"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == State.REJECTED and message.rejection_reason == "内容涉及他人隐私"
    decision = MessageDecision.objects.get()
    assert (decision.action, decision.reason, decision.by) == (
        "reject",
        "内容涉及他人隐私",
        places.operator,
    )
    assert client.get(f"/h5/board/{message.pk}/").status_code == 404
    assert "内容涉及他人隐私" in body(client.get("/board/moderate/?state=rejected"))


def test_an_approved_message_can_be_withdrawn_with_a_reason(places: People) -> None:
    message = published(places)
    board.reject(message=message, actor=places.operator, reason="发现涉及个人住址")
    assert not PublicMessage.objects.filter(state=State.APPROVED).exists()
    assert list(MessageDecision.objects.order_by("id").values_list("action", flat=True)) == [
        "approve",
        "reject",
    ]


def test_a_moderator_masks_more_without_touching_the_ticket(places: People, client: Client) -> None:
    ticket = report("孙口村3组12号门口的路灯坏了，晚上看不见路。")
    message = ticket.public_message
    login(client, places.operator.username)
    response = client.post(
        f"/board/moderate/{message.pk}/",
        {
            # The moderator hides the house number; a phone typed by mistake is masked again.
            "title": "孙口村路灯坏了",
            "text": "孙口村某处门口的路灯坏了，晚上看不见路。可联系13912345678",
            "topic": str(Category.objects.get(full_name="市政公用").pk),
            "township": SUNKOU,
        },
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.title == "孙口村路灯坏了"
    assert "3组12号" not in message.text and "13912345678" not in message.text
    assert "139****5678" in message.text
    assert message.topic is not None and message.topic.name == "市政公用"
    ticket.refresh_from_db()
    assert ticket.description == "孙口村3组12号门口的路灯坏了，晚上看不见路。"
    decision = MessageDecision.objects.get()
    assert decision.action == "edit" and decision.by == places.operator
    # The same text again records nothing.
    board.edit(
        message=message,
        actor=places.operator,
        title=message.title,
        text=message.text,
        topic=message.topic_id,
        township=message.township_id,
    )
    assert MessageDecision.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"title": "", "text": "内容"}, "标题不能为空"),
        ({"title": "标题", "text": "  "}, "内容不能为空"),
        ({"title": "标题", "text": "内容", "topic": "abc"}, "没有这个分类"),
        ({"title": "标题", "text": "内容", "township": "410928100000"}, "没有这个乡镇"),
        ({"title": "标题", "text": "内容", "topic": "99999999999999999999999"}, "没有这个分类"),
    ],
)
def test_bad_edits_get_chinese_reasons(
    places: People, client: Client, data: dict[str, str], said: str
) -> None:
    message = report().public_message
    login(client, places.operator.username)
    response = client.post(f"/board/moderate/{message.pk}/", data)
    assert response.status_code == 400 and said in body(response)
    assert not MessageDecision.objects.exists()


def test_a_report_marked_confidential_after_the_fact_is_not_approved_nor_shown(
    places: People,
) -> None:
    message = published(places)
    Ticket.objects.filter(pk=message.ticket_id).update(confidential=True)
    client = Client()
    assert client.get(f"/h5/board/{message.pk}/").status_code == 404
    assert "路灯坏了" not in body(client.get("/h5/board/"))
    board.reject(message=message, actor=places.operator, reason="保密")
    with pytest.raises(Refused, match="匿名或保密"):
        board.approve(message=message, actor=places.operator)


def test_unknown_messages_are_404_in_the_queue(places: People, client: Client) -> None:
    login(client, places.operator.username)
    for path in ("/board/moderate/999/", "/board/moderate/99999999999999999999999/"):
        assert client.get(path).status_code == 404
    assert client.post("/board/moderate/999/approve/").status_code == 404
    assert client.post("/board/moderate/999/reject/", {"reason": "x"}).status_code == 404
    assert client.get("/board/moderate/?state=nonsense&page=abc").status_code == 200


def test_approval_files_the_message_under_the_router_s_category(places: People) -> None:
    """Reports from the phone site have no category: the approval takes the router's
    suggestion when it is sure enough (here the tree's own leaf name, 路灯)."""
    message = published(places, "孙口村村口的路灯坏了，晚上一片漆黑，路灯一直不亮。")
    assert message.topic is not None and message.topic.name == "市政公用"
    assert message.category is not None and message.category.full_name == "市政公用/供电/路灯"


# --- The public list ----------------------------------------------------------------------------


def test_the_list_is_newest_first_a_page_at_a_time(places: People, client: Client) -> None:
    for n in range(23):
        published(places, f"第{n}号留言：孙口村的路灯坏了。", phone=f"139000000{n:02d}")
    page = body(client.get("/h5/board/"))
    titles = list(dict.fromkeys(re.findall(r"第(\d+)号留言", page)))  # title and excerpt
    assert titles[:3] == ["22", "21", "20"] and len(set(titles)) == 20
    assert "下一页" in page and "上一页" not in page
    second = body(client.get("/h5/board/?page=2"))
    assert sorted(set(re.findall(r"第(\d+)号留言", second))) == ["0", "1", "2"]
    assert "上一页" in second
    for page_number in ("abc", "-1", "１", "99999999999999999999"):
        assert client.get(f"/h5/board/?page={page_number}").status_code == 200


def test_search_and_filters(places: People, client: Client) -> None:
    lamp = published(places, "孙口村村口的路灯坏了，晚上一片漆黑，路灯一直不亮。")
    road = published(
        places, "侯庙镇的道路破损严重，坑坑洼洼不好走。", division=HOUMIAO, phone="13900000001"
    )
    assert road.topic is not None and road.topic.name == "交通运输"
    lamp_topic = lamp.topic_id
    replied(places, lamp.ticket, "已修复路灯。")  # type: ignore[arg-type]
    actions.ticket_callback(
        ticket=Ticket.objects.get(pk=lamp.ticket_id),
        actor=places.operator,
        reached=True,
        resolved=True,
        satisfaction="satisfied",
    )
    assert Ticket.objects.get(pk=lamp.ticket_id).status == "closed"

    def shown(query: str) -> set[str]:
        response = client.get(f"/h5/board/?{query}")
        assert response.status_code == 200, body(response)[:400]
        page = body(response)
        return {n for n, m in (("lamp", "一片漆黑"), ("road", "坑坑洼洼")) if m in page}

    assert shown("") == {"lamp", "road"}
    assert shown("q=漆黑") == {"lamp"}
    assert shown("q=道路+破损") == {"road"}
    assert shown("q=没有这样的话") == set()
    assert shown(f"topic={lamp_topic}") == {"lamp"}
    assert shown(f"township={HOUMIAO}") == {"road"}
    assert shown("status=done") == {"lamp"}
    assert shown("status=open") == {"road"}
    assert shown(f"status=open&township={SUNKOU}") == set()
    # The feeds of the chosen township or category are linked.
    page = body(client.get(f"/h5/board/?township={SUNKOU}&topic={lamp_topic}"))
    assert f"/h5/board/feed/township/{SUNKOU}/" in page
    assert f"/h5/board/feed/category/{lamp_topic}/" in page


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("topic=abc", "没有这个分类"),
        ("topic=99999999999999999999999", "没有这个分类"),
        ("township=410928100000", "没有这个乡镇"),  # a township of another county
        ("township=%3Cscript%3E", "没有这个乡镇"),
        ("status=closed", "办理状态无效"),
        ("order=random", "排序方式无效"),
        ("q=" + "路" * 51, "关键词请控制在"),
    ],
)
def test_bad_filters_get_a_chinese_message_not_a_500(
    places: People, client: Client, query: str, said: str
) -> None:
    published(places)
    response = client.get(f"/h5/board/?{query}")
    assert response.status_code == 400 and said in body(response)
    assert "路灯坏了" in body(response)  # the list, without the bad filter
    assert "<script>" not in body(response)


def test_nul_bytes_are_refused_everywhere_on_the_board(places: People, client: Client) -> None:
    message = published(places)
    assert client.get("/h5/board/?q=%00").status_code == 400
    assert client.get("/h5/board/feed/township/4109%00/").status_code in (400, 404)
    prove(client, PHONE, purpose="like")
    assert client.post(f"/h5/board/{message.pk}/like/", {"x": "\x00"}).status_code == 400
    assert MessageLike.objects.count() == 0
    login(client, places.operator.username)
    response = client.post(f"/board/moderate/{message.pk}/reject/", {"reason": "a\x00b"})
    assert response.status_code == 400
    assert PublicMessage.objects.get().state == State.APPROVED


def test_html_in_a_message_is_escaped(places: People, client: Client) -> None:
    message = published(places, "<script>alert(1)</script> 孙口村路灯坏了 & 没人修")
    page = body(client.get(f"/h5/board/{message.pk}/"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<script>alert" not in body(client.get("/h5/board/"))


# --- A message's page and its reply -------------------------------------------------------------


def test_a_message_page_shows_the_township_never_the_address_and_the_reply_once_replied(
    places: People, client: Client
) -> None:
    ticket = report("孙口村村口的路灯坏了一个多星期，晚上出门不方便。", address="孙口村3组12号")
    message = board.approve(message=ticket.public_message, actor=places.operator)
    page = body(client.get(f"/h5/board/{message.pk}/"))
    assert "孙口镇" in page and "3组12号" not in page and "孙口村委会" not in page
    assert "尚未答复" in page and "办理中" in page
    replied(places, ticket, "王先生您好，路灯已于昨日修复，如有问题请拨打13800138000。")
    page = body(client.get(f"/h5/board/{message.pk}/"))
    assert "路灯已于昨日修复" in page and "13800138000" not in page and "138****8000" in page
    assert "尚未答复" not in page


@pytest.mark.parametrize("path", ["999", "0", "99999999999999999999999", "abc", "-1"])
def test_unknown_messages_are_404(places: People, client: Client, path: str) -> None:
    assert client.get(f"/h5/board/{path}/").status_code == 404
    assert client.post(f"/h5/board/{path}/like/").status_code == 404


# --- Likes ---------------------------------------------------------------------------------------


def test_a_like_needs_a_proven_phone_and_counts_once(places: People, client: Client) -> None:
    message = published(places)
    response = client.post(f"/h5/board/{message.pk}/like/")
    assert response.status_code == 302
    assert response["Location"] == f"/h5/verify/like/?next=%2Fh5%2Fboard%2F{message.pk}%2F"
    assert not MessageLike.objects.exists()
    page = body(client.get(response["Location"]))
    assert "点赞附议：先验证手机号" in page
    # Proving the phone comes back to the message.
    client.post(response["Location"], {"step": "send", "phone": "13700001111"})
    from tests.portal.conftest import last_code

    back = client.post(
        response["Location"],
        {"step": "check", "phone": "13700001111", "code": last_code("13700001111")},
    )
    assert back.status_code == 302 and back["Location"] == f"/h5/board/{message.pk}/"
    response = client.post(f"/h5/board/{message.pk}/like/")
    assert response.status_code == 302
    page = body(client.get(response["Location"]))
    assert "点赞成功" in page and "1 人点赞附议" in page and "您已点赞附议过" in page
    # A second like by the same phone: refused in Chinese, counted once.
    response = client.post(f"/h5/board/{message.pk}/like/")
    assert response.status_code == 400 and "只能点赞一次" in body(response)
    message.refresh_from_db()
    assert message.like_count == 1 and MessageLike.objects.count() == 1
    # The phone is kept as a keyed hash only.
    like = MessageLike.objects.get()
    assert "13700001111" not in like.phone_hash and len(like.phone_hash) == 64
    # Another phone counts.
    other = prove(Client(), "13700002222", purpose="like")
    assert other.post(f"/h5/board/{message.pk}/like/").status_code == 302
    message.refresh_from_db()
    assert message.like_count == 2
    assert "2 人点赞" in body(client.get("/h5/board/"))


def test_only_public_messages_can_be_liked(places: People, client: Client) -> None:
    pending = report().public_message
    prove(client, PHONE, purpose="like")
    assert client.post(f"/h5/board/{pending.pk}/like/").status_code == 404
    with pytest.raises(Refused):
        board.like(message_id=pending.pk, phone=PHONE)
    assert not MessageLike.objects.exists()


def test_the_database_holds_one_like_per_phone(places: People) -> None:
    message = published(places)
    MessageLike.objects.create(message=message, phone_hash=board.phone_key(PHONE))
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageLike.objects.create(message=message, phone_hash=board.phone_key(PHONE))


def test_the_verify_page_goes_back_only_to_the_citizens_pages(
    places: People, client: Client
) -> None:
    for next_url, expected in [
        ("https://evil.example/h5/", "/h5/board/"),
        ("//evil.example/h5/", "/h5/board/"),
        ("/board/moderate/", "/h5/board/"),
        ("/h5/board/7/", "/h5/board/7/"),
    ]:
        fresh = Client()
        fresh.post(f"/h5/verify/like/?next={next_url}", {"step": "send", "phone": PHONE})
        from tests.portal.conftest import last_code

        response = fresh.post(
            f"/h5/verify/like/?next={next_url}",
            {"step": "check", "phone": PHONE, "code": last_code(PHONE)},
        )
        assert response.status_code == 302 and response["Location"] == expected
        from minsheng.portal.models import PhoneCode

        PhoneCode.objects.all().delete()  # the one-a-minute limit


def test_the_home_page_links_the_board(places: People, client: Client) -> None:
    assert 'href="/h5/board/"' in body(client.get("/h5/"))


# --- Feeds ---------------------------------------------------------------------------------------


def entries(xml: str) -> list[dict[str, str]]:
    root = ET.fromstring(xml)  # noqa: S314 - our own feed
    found = []
    for entry in root.findall(f"{ATOM}entry"):
        found.append(
            {
                "title": entry.findtext(f"{ATOM}title") or "",
                "summary": entry.findtext(f"{ATOM}summary") or "",
                "link": next(iter(entry.iter(f"{ATOM}link"))).get("href", ""),
                "updated": entry.findtext(f"{ATOM}updated") or "",
            }
        )
    return found


def test_atom_feeds_per_township_and_per_category(places: People, client: Client) -> None:
    lamp = published(places, "孙口村村口的路灯坏了，晚上一片漆黑，路灯一直不亮。")
    published(
        places, "侯庙镇的道路破损严重，坑坑洼洼不好走。", division=HOUMIAO, phone="13900000001"
    )
    report("孙口村还有一处路灯坏了，等待审核中。", phone="13900000002")  # pending: not in feeds
    replied(places, lamp.ticket, "路灯已修复，联系人电话13800138000。")  # type: ignore[arg-type]

    response = client.get(f"/h5/board/feed/township/{SUNKOU}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    found = entries(body(response))
    assert [e["title"] for e in found] == [lamp.title]
    assert "一片漆黑" in found[0]["summary"] and "路灯已修复" in found[0]["summary"]
    assert "13800138000" not in body(response) and "138****8000" in found[0]["summary"]
    assert found[0]["link"].endswith(f"/h5/board/{lamp.pk}/")

    topic = Category.objects.get(full_name="交通运输")
    found = entries(body(client.get(f"/h5/board/feed/category/{topic.pk}/")))
    assert len(found) == 1 and "坑坑洼洼" in found[0]["summary"]
    assert "交通运输" in body(client.get(f"/h5/board/feed/category/{topic.pk}/"))


@pytest.mark.parametrize(
    "path",
    [
        "township/410928100000",  # another county's township
        "township/410927102201",  # a village, not a township
        "township/abc",
        "category/99999",
        "category/99999999999999999999999",
        "category/abc",
    ],
)
def test_unknown_feeds_are_404(places: People, client: Client, path: str) -> None:
    assert client.get(f"/h5/board/feed/{path}/").status_code == 404


def test_a_category_below_the_first_level_has_no_feed(places: People, client: Client) -> None:
    leaf = Category.objects.get(full_name="市政公用/供电/路灯")
    assert client.get(f"/h5/board/feed/category/{leaf.pk}/").status_code == 404


# --- Query counts -------------------------------------------------------------------------------


def test_the_public_pages_make_a_fixed_number_of_queries(
    places: People, client: Client, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    first = published(places)
    replied(places, first.ticket, "已修复。")  # type: ignore[arg-type]
    topic = first.topic_id
    forget_all()  # the filters' snapshot, read once below
    client.get("/h5/board/")

    def counts() -> None:
        with django_assert_num_queries(1):
            client.get("/h5/board/")
        with django_assert_num_queries(1):
            client.get(f"/h5/board/?q=路灯&topic={topic}&township={SUNKOU}&status=open")
        with django_assert_num_queries(1):
            client.get(f"/h5/board/{first.pk}/")
        with django_assert_num_queries(1):
            client.get(f"/h5/board/feed/township/{SUNKOU}/")

    counts()
    for n in range(8):
        published(places, f"第{n}条：孙口村的路灯坏了。", phone=f"139000000{n:02d}")
    forget_all()
    client.get("/h5/board/")
    counts()  # the same with more messages
    # A proven phone: its session, and whether it liked the message.
    prove(client, PHONE, purpose="like")
    client.get(f"/h5/board/{first.pk}/")
    with django_assert_num_queries(3):  # session, message, like
        client.get(f"/h5/board/{first.pk}/")


def test_the_queue_makes_a_fixed_number_of_queries(
    places: People, client: Client, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    report()
    login(client, places.operator.username)
    client.get("/board/moderate/")

    def count() -> None:
        # session, user, roles, the page's rows, the pending count; the header's unit and unread badge
        with django_assert_num_queries(QUEUE_QUERIES):
            response = client.get("/board/moderate/")
        assert response.status_code == 200

    count()
    for n in range(6):
        report(f"第{n}条：孙口村的路灯坏了。", phone=f"139000000{n:02d}")
    count()
    with django_assert_num_queries(QUEUE_QUERIES):
        client.get("/board/moderate/?state=approved")


QUEUE_QUERIES = 7


def test_the_moderator_sees_that_a_report_held_sensitive_words(
    places: People, client: Client, settings: object
) -> None:
    settings.MINSHENG_SENSITIVE_WORDS = ["某某敏感词"]  # type: ignore[attr-defined]
    prove(client, PHONE)
    page = client.get("/h5/report/").content.decode()
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    client.post(
        "/h5/report/",
        {
            "kind": "complaint",
            "text": "村口的路灯坏了，某某敏感词，请尽快修理。",
            "division": "410927102201",
            "wants_public": "on",
            "submission_key": key,
        },
    )
    assert PublicMessage.objects.get().state == State.PENDING
    queue = body(login(Client(), places.dispatcher.username).get("/board/moderate/"))
    assert "含敏感词" in queue and "某某敏感词" in queue
