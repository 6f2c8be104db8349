"""群众端: a citizen proves a phone, reports (with photos), tracks by number + query code or by
phone, and rates the reply — through the ticket core's services, the same callback and
satisfaction figures as the operator's."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
import time_machine
from django.test import Client
from PIL import Image

from minsheng.notify.models import Outbox
from minsheng.portal.models import PhoneCode, Receipt
from minsheng.tickets import actions
from minsheng.tickets.models import Callback, Channel, Status, Ticket, TicketEvent
from tests.conftest import Org
from tests.portal.conftest import ELSEWHERE, VILLAGE, last_code, prove, receipt_code

PHONE = "13912345678"
TEXT = "孙口村村口的路灯坏了一个多星期，晚上出门不方便，请帮忙修一下。"


def photo(size: tuple[int, int] = (2400, 1800), fmt: str = "JPEG", gps: bool = True) -> io.BytesIO:
    image = Image.new("RGB", size, (120, 160, 200))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"  # Make
        exif.get_ifd(0x8825).update({1: "N", 2: (35.0, 57.0, 36.0), 3: "E", 4: (115.0, 52.0, 12.0)})
    image.save(out, format=fmt, exif=exif.tobytes() if fmt == "JPEG" else b"")
    out.seek(0)
    out.name = "IMG_0001.jpg"
    return out


def report(client: Client, **overrides: object) -> object:
    page = client.get("/h5/report/").content.decode()
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    data: dict[str, object] = {
        "kind": "complaint",
        "text": TEXT,
        "division": VILLAGE,
        "address": "村口十字路",
        "submission_key": key,
        **overrides,
    }
    return client.post("/h5/report/", data)


def test_a_citizen_reports_and_gets_a_number_and_a_query_code(county: Org, client: Client) -> None:
    prove(client, PHONE)
    response = report(client, photos=[photo(), photo(fmt="PNG", gps=False)])
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/h5/receipt/{ticket.number}/"
    assert ticket.channel == Channel.H5 and ticket.status == Status.NEW
    assert ticket.citizen_phone == PHONE and ticket.division_id == VILLAGE
    assert ticket.lat is None  # the photo's place is not kept unless the citizen shares it
    page = client.get(response["Location"]).content.decode()
    code = receipt_code(ticket.number)
    assert ticket.number in page and code in page
    # The receipt SMS, and no second "accepted" SMS without the code.
    assert Outbox.objects.filter(template="portal_receipt_sms", recipient=PHONE).count() == 1
    assert not Outbox.objects.filter(template="ticket_accepted_sms").exists()
    # The photos: two clean JPEGs, scaled, no EXIF at all.
    attachments = list(ticket.attachments.all())
    assert len(attachments) == 2
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            image = Image.open(handle)
            assert image.format == "JPEG" and max(image.size) <= 1600
            assert not image.getexif()
    # The timeline says the citizens' side took it in.
    intake = TicketEvent.objects.get(ticket=ticket, action="intake")
    assert intake.actor is not None and intake.actor.username == "portal-h5"


def test_the_place_of_a_photo_is_kept_only_when_the_citizen_shares_it(
    county: Org, client: Client
) -> None:
    prove(client, PHONE)
    report(client, photos=[photo()], share_place="on")
    ticket = Ticket.objects.get()
    assert ticket.lat is not None and abs(float(ticket.lat) - 35.96) < 0.01
    assert ticket.lng is not None and abs(float(ticket.lng) - 115.87) < 0.01


def test_a_resent_report_is_one_ticket(county: Org, client: Client) -> None:
    prove(client, PHONE)
    page = client.get("/h5/report/").content.decode()
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    data = {"kind": "help", "text": TEXT, "division": VILLAGE, "submission_key": key}
    first = client.post("/h5/report/", data)
    again = client.post("/h5/report/", data)
    assert Ticket.objects.count() == 1 and Receipt.objects.count() == 1
    assert first["Location"] == again["Location"]


def test_reporting_needs_a_proven_phone(county: Org, client: Client) -> None:
    assert client.get("/h5/report/")["Location"] == "/h5/verify/report/"
    assert client.post("/h5/report/", {"kind": "help", "text": TEXT}).status_code == 302
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "路灯"}, "至少"),
        ({"text": "路" * 2001}, "2000"),
        ({"kind": "nonsense"}, "请选择诉求类型"),
        ({"division": ELSEWHERE}, "本县"),
        ({"division": "41092710220x"}, "列表中选择"),
        ({"submission_key": "x"}, "表单已失效"),
    ],
)
def test_bad_reports_get_chinese_reasons_and_leave_nothing(
    county: Org, client: Client, overrides: dict[str, object], message: str
) -> None:
    prove(client, PHONE)
    response = report(client, **overrides)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not Ticket.objects.exists() and not Receipt.objects.exists()


def test_html_and_emoji_are_kept_as_text_and_escaped(county: Org, client: Client) -> None:
    prove(client, PHONE)
    text = "<script>alert(1)</script> 路灯坏了😀😀，晚上太黑了"
    report(client, text=text)
    ticket = Ticket.objects.get()
    assert ticket.description == text
    page = client.get(f"/h5/t/{ticket.number}/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "😀" in page


def test_bad_photos_are_refused_by_their_content(county: Org, client: Client) -> None:
    prove(client, PHONE)
    fake = io.BytesIO(b"%PDF-1.7\n" + b"0" * 5000)
    fake.name = "photo.jpg"
    response = report(client, photos=[fake])
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "无法识别为图片" in response.content.decode()  # type: ignore[attr-defined]
    big = io.BytesIO(b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024 + 10))
    big.name = "big.jpg"
    response = report(client, photos=[big])
    assert "10 MB" in response.content.decode()  # type: ignore[attr-defined]
    seven = [photo((200, 200), gps=False) for _ in range(7)]
    assert "最多上传 6 张" in report(client, photos=seven).content.decode()  # type: ignore[attr-defined]
    assert not Ticket.objects.exists()


# --- Codes ---------------------------------------------------------------------------------------


def test_a_wrong_expired_or_used_code_is_refused(county: Org, client: Client) -> None:
    url = "/h5/verify/report/"
    client.post(url, {"step": "send", "phone": PHONE})
    wrong = client.post(url, {"step": "check", "phone": PHONE, "code": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert PhoneCode.objects.get().tries == 1
    code = last_code(PHONE)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)):
        late = client.post(url, {"step": "check", "phone": PHONE, "code": code})
        assert "已过期" in late.content.decode()


def test_a_code_is_used_once_and_tries_are_limited(county: Org) -> None:
    first, second = Client(), Client()
    url = "/h5/verify/report/"
    first.post(url, {"step": "send", "phone": PHONE})
    code = last_code(PHONE)
    assert first.post(url, {"step": "check", "phone": PHONE, "code": code}).status_code == 302
    used = second.post(url, {"step": "check", "phone": PHONE, "code": code})
    assert used.status_code == 400
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)):
        second.post(url, {"step": "send", "phone": PHONE})
        for _ in range(5):
            second.post(url, {"step": "check", "phone": PHONE, "code": "111111"})
        right = second.post(url, {"step": "check", "phone": PHONE, "code": last_code(PHONE)})
        assert "错误次数太多" in right.content.decode()


def test_codes_are_limited_per_phone_and_per_address(county: Org, settings: object) -> None:
    client = Client()
    url = "/h5/verify/report/"
    client.post(url, {"step": "send", "phone": PHONE})
    again = client.post(url, {"step": "send", "phone": PHONE})
    assert "1 分钟后" in again.content.decode()
    settings.MINSHENG_PORTAL_CODES_PER_ADDRESS_HOUR = 3  # type: ignore[attr-defined]
    for n in range(2):
        client.post(url, {"step": "send", "phone": f"1391234000{n}"})
    refused = client.post(url, {"step": "send", "phone": "13912340009"})
    assert "当前网络" in refused.content.decode()
    assert PhoneCode.objects.count() == 3


def test_a_landline_or_nonsense_gets_a_clear_message(county: Org, client: Client) -> None:
    for phone in ("0393-1234567", "abc", "1391234567８８"):
        response = client.post("/h5/verify/report/", {"step": "send", "phone": phone})
        assert response.status_code == 400 and "11 位手机号码" in response.content.decode()
    assert not PhoneCode.objects.exists()


# --- Tracking ------------------------------------------------------------------------------------


def reported(county: Org) -> Ticket:
    citizen = prove(Client(), PHONE)
    report(citizen)
    return Ticket.objects.get()


def test_tracking_by_number_and_query_code(county: Org) -> None:
    ticket = reported(county)
    other = Client()
    assert other.get(f"/h5/t/{ticket.number}/")["Location"].startswith("/h5/track/?number=")
    response = other.post(
        "/h5/track/", {"number": ticket.number, "code": receipt_code(ticket.number)}
    )
    assert response["Location"] == f"/h5/t/{ticket.number}/"
    page = other.get(response["Location"]).content.decode()
    assert ticket.number in page and "受理" in page
    assert PHONE not in page and "139" not in page.split("<main>")[1]


def test_a_query_code_cannot_be_brute_forced(county: Org, settings: object) -> None:
    ticket = reported(county)
    attacker = Client()
    for n in range(5):
        wrong = attacker.post("/h5/track/", {"number": ticket.number, "code": f"00000{n}"})
        assert "不正确" in wrong.content.decode()
    right = attacker.post(
        "/h5/track/", {"number": ticket.number, "code": receipt_code(ticket.number)}
    )
    assert right.status_code == 400 and "错误次数太多" in right.content.decode()


def test_a_proven_phone_lists_its_own_tickets_only(county: Org) -> None:
    ticket = reported(county)
    actions.ticket_intake(
        actor=county.olga,
        channel="hotline",
        kind="help",
        title="别人的事",
        description="别人的诉求",
        citizen_phone="13700001111",
    )
    mine = prove(Client(), PHONE, purpose="track")
    page = mine.get("/h5/mine/").content.decode()
    assert ticket.number in page and "别人的事" not in page
    assert Ticket.objects.count() == 2
    someone_else = Ticket.objects.exclude(pk=ticket.pk).get()
    assert mine.get(f"/h5/t/{someone_else.number}/").status_code == 302  # not theirs


# --- Rating --------------------------------------------------------------------------------------


def handled(ticket: Ticket, county: Org, dispatcher: object) -> Ticket:
    actions.ticket_dispatch(ticket=ticket, actor=dispatcher, lead_unit=county.sunkou)  # type: ignore[arg-type]
    actions.ticket_sign(ticket=Ticket.objects.get(pk=ticket.pk), actor=county.alice)
    actions.ticket_contact(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=county.alice, method="phone", note="已联系"
    )
    return actions.ticket_reply(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=county.alice,
        result="resolved",
        content="已更换路灯灯泡。联系人王师傅 13800001234。",
    )


def test_unsatisfied_reopens_and_satisfied_closes(county: Org) -> None:
    from minsheng.org.models import Role
    from tests.conftest import make_user

    dispatcher = make_user("dora", county.hotline, Role.DISPATCHER)
    ticket = reported(county)
    citizen = prove(Client(), PHONE, purpose="track")
    handled(ticket, county, dispatcher)
    page = citizen.get(f"/h5/t/{ticket.number}/").content.decode()
    assert "已更换路灯灯泡" in page and "13800001234" not in page  # the reply, masked
    assert "评价办理结果" in page
    citizen.post(
        f"/h5/t/{ticket.number}/",
        {"resolved": "0", "satisfaction": "unsatisfied", "comment": "灯还是不亮"},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.round == 2  # 重办
    callback = Callback.objects.get(ticket=ticket, round=1)
    assert callback.satisfaction == "unsatisfied" and callback.by is not None
    assert callback.by.username == "portal-h5"
    actions.ticket_sign(ticket=ticket, actor=county.alice)
    actions.ticket_contact(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=county.alice, method="visit", note="现场"
    )
    actions.ticket_reply(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=county.alice,
        result="resolved",
        content="已更换整套灯具。",
    )
    citizen.post(f"/h5/t/{ticket.number}/", {"resolved": "1", "satisfaction": "satisfied"})
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert Callback.objects.filter(ticket=ticket, verdict=True).count() == 2


def test_rating_is_refused_before_the_reply_and_needs_a_choice(county: Org) -> None:
    ticket = reported(county)
    citizen = prove(Client(), PHONE, purpose="track")
    early = citizen.post(f"/h5/t/{ticket.number}/", {"resolved": "1", "satisfaction": "satisfied"})
    assert early.status_code == 400
    assert not Callback.objects.exists()


def test_the_reply_sms_links_to_the_rating_page_when_the_address_is_set(
    county: Org, settings: object
) -> None:
    from minsheng.org.models import Role
    from tests.conftest import make_user

    settings.MINSHENG_PUBLIC_URL = "https://12345.example.cn"  # type: ignore[attr-defined]
    ticket = reported(county)
    handled(ticket, county, make_user("dora", county.hotline, Role.DISPATCHER))
    row = Outbox.objects.get(recipient=PHONE, template="ticket_replied_rate_sms")
    assert row.context["link"] == f"https://12345.example.cn/h5/t/{ticket.number}/"


# --- Personal data on the citizen's page ---------------------------------------------------------

from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.textproc.test_pii import id_numbers, mobile_numbers, spell_mobile  # noqa: E402


@hypothesis_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mobile_numbers, st.integers(0, 4), id_numbers)
def test_a_ticket_page_opened_by_its_code_shows_no_phone_or_id(
    county: Org, number: str, style: int, id_number: str
) -> None:
    citizen = Client()
    session = citizen.session  # a proven phone, as the SMS step leaves it
    session["portal_phone"] = {"phone": PHONE, "until": time.time() + 600}
    session.save()
    text = f"路灯坏了好几天，请回电 {spell_mobile(number, style)}，我的身份证 {id_number}。"
    report(citizen, text=text)
    ticket = Ticket.objects.latest("created_at")
    visitor = Client()
    visitor.post("/h5/track/", {"number": ticket.number, "code": receipt_code(ticket.number)})
    page = visitor.get(f"/h5/t/{ticket.number}/").content.decode()
    main = page.split("<main>")[1]
    assert number not in main.replace(" ", "").replace("-", "") and id_number not in main
    assert "路灯坏了" in main


# --- Sensitive words -----------------------------------------------------------------------------


def test_sensitive_words_hold_the_report_by_default(
    county: Org, client: Client, settings: object
) -> None:
    settings.MINSHENG_SENSITIVE_WORDS = ["某某敏感词"]  # type: ignore[attr-defined]
    prove(client, PHONE)
    report(client, text="路灯坏了，某 某 敏感词，请尽快修。", wants_public="on")
    receipt = Receipt.objects.get()
    assert receipt.screened == "某某敏感词" and receipt.wants_public


def test_sensitive_words_can_refuse_the_report(
    county: Org, client: Client, settings: object, tmp_path: object
) -> None:
    from pathlib import Path

    words = Path(str(tmp_path)) / "words.txt"
    words.write_text("某某敏感词\n另一个词\n", encoding="utf-8")
    settings.MINSHENG_SENSITIVE_WORDS_FILE = str(words)  # type: ignore[attr-defined]
    settings.MINSHENG_SENSITIVE_ACTION = "refuse"  # type: ignore[attr-defined]
    prove(client, PHONE)
    response = report(client, text="路灯坏了，另一个词。")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "不宜使用的词语（另一个词）" in response.content.decode()  # type: ignore[attr-defined]
    assert not Ticket.objects.exists()
