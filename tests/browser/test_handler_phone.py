"""The handler's phone (issue 23) in headless Chromium at 375×812 (and 360×640): a handler
signs from the inbox's card, taps the citizen's number and records the call, writes a progress
note with two photos and replies with an after photo; the ticket page shows the thumbnails;
another unit's handler gets 404 on the photo's URL. No page scrolls sideways
(document.documentElement.scrollWidth is measured on the inbox, the ticket page and every
handler form opened)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from minsheng.tickets.models import Assignment, Attachment, Status, TicketEvent
from tests.conftest import PASSWORD, People
from tests.factories import dispatched, in_progress

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PHONE_SCREENSHOTS", "/tmp/phone-shots"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (2400, 1800)) -> Path:
    """A camera-sized JPEG (the phone scales it down before it goes)."""
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 97):
        image.paste((x % 255, 80, 160), (x, 0, x + 40, size[1]))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    path.write_bytes(out.getvalue())
    return path


def phone(browser_page, width: int = 375, height: int = 812):  # type: ignore[no-untyped-def]
    """A new page of a phone: touch, no hover, the given viewport."""
    browser = browser_page.context.browser
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("section.card button[type=submit]")
    page.wait_for_url(f"{base}/")


def width(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.django_db(transaction=True)
def test_the_handler_does_the_whole_part_from_a_phone(
    people: People, live_server, browser_page, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ticket = dispatched(people)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone(browser_page)
    base = live_server.url
    login(page, base, people.alice.username)

    # The inbox: a card with number, title, place and time left, and a one-tap 签收.
    page.goto(f"{base}/inbox/")
    assert width(page) <= 375
    card = page.locator("#inbox-to_sign tbody tr").first
    assert ticket.number in card.inner_text() and "路灯" in card.inner_text()
    assert page.locator("#inbox-to_sign thead").is_hidden()  # cards, not a table
    assert "更新于" in page.inner_text(".updated") and page.locator("a.refresh").count() == 1
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)
    card.locator("button", has_text="签收").click()
    page.wait_for_url(re.compile(rf".*/tickets/{ticket.number}/.*"))
    assert Assignment.objects.get(ticket=ticket).state == Assignment.State.SIGNED

    # The ticket page: the next steps first, then the request, the citizen, the timeline.
    assert width(page) <= 375
    actions_top = page.locator(".ticket-actions").bounding_box()["y"]
    assert actions_top < page.locator(".ticket-main").bounding_box()["y"]
    assert page.locator("kbd.keyhint").first.is_hidden()  # no Alt+C on a touch screen
    summary = page.locator("#action-contact summary").bounding_box()
    assert summary["height"] >= 44  # a thumb's target
    # The step expected next (登记联系诉求人) comes first, above 退单 and 分解下派.
    assert summary["y"] < page.locator("#action-return summary").bounding_box()["y"]
    tel = page.locator("a.tel")
    assert tel.get_attribute("href") == "tel:13800138000"
    page.screenshot(path=str(SHOTS / "ticket.png"), full_page=True)

    # Every handler form of the page, opened at once: still no sideways scroll.
    page.evaluate("document.querySelectorAll('details.action').forEach(d => d.open = true)")
    assert page.locator("details.action[open]").count() >= 4
    assert width(page) <= 375
    page.evaluate("document.querySelectorAll('details.action').forEach(d => d.open = false)")

    # Tap the number: the dialler opens (not in a test browser) and the page asks to record it.
    page.evaluate(
        "document.querySelector('a.tel').addEventListener('click', e => e.preventDefault())"
    )
    tel.click()
    page.click("#contact-confirm button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/.*"))
    contact = TicketEvent.objects.get(ticket=ticket, action="contact")
    assert contact.data["method"] == "phone"
    assert Assignment.objects.get(ticket=ticket).contacted_at is not None

    # A progress note with two photos; its text survives a reload before it is sent.
    page.click("#action-progress summary")
    assert page.evaluate("document.querySelector('#action-progress').open")
    page.fill("#action-progress textarea[name=note]", "已到现场，路灯线路老化，明天更换。")
    page.reload()
    assert page.input_value("#action-progress textarea[name=note]").startswith("已到现场")
    page.set_input_files(
        "#action-progress input[type=file]",
        [photo(tmp_path / "a.jpg", (200, 30, 30)), photo(tmp_path / "b.jpg", (30, 200, 30))],
    )
    page.locator("#action-progress .photo-previews img").nth(1).wait_for()
    assert width(page) <= 375
    page.screenshot(path=str(SHOTS / "progress-form.png"), full_page=True)
    page.click("#action-progress button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/.*"))
    before = Attachment.objects.filter(ticket=ticket, stage="before")
    assert before.count() == 2
    assert all(a.size < 400_000 for a in before)  # compressed on the phone, cleaned on the server
    assert all(a.taken_at is not None for a in before)  # the files' time, sent by the phone
    assert not page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('minsheng:draft:')).length"
    )  # sent: the phone's copy is forgotten

    # The reply with an after photo.
    # Once the citizen is reached, the reply is the step expected next: open at the top.
    assert page.evaluate("document.querySelector('#action-reply').open")
    page.select_option("#action-reply select[name=result]", "resolved")
    page.fill("#action-reply textarea[name=content]", "已更换路灯线路，恢复照明。")
    page.set_input_files(
        "#action-reply input[type=file]", [photo(tmp_path / "c.jpg", (30, 30, 200))]
    )
    page.locator("#action-reply .photo-previews img").first.wait_for()
    page.click("#action-reply button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/.*"))
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED
    assert Attachment.objects.filter(ticket=ticket, stage="after").count() == 1

    # The thumbnails, loaded through the permission-checked path, and the viewer.
    assert page.locator("#photos img").count() == 3
    page.locator("#photos").scroll_into_view_if_needed()  # the thumbnails load lazily
    for img in page.locator("#photos img").all():
        img.scroll_into_view_if_needed()
        page.wait_for_timeout(50)
    loaded = (
        "[...document.querySelectorAll('#photos img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    for _ in range(100):
        if page.evaluate(loaded):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(loaded)
    assert width(page) <= 375
    page.screenshot(path=str(SHOTS / "ticket-photos.png"), full_page=True)
    page.locator("#photos a.photo").first.click()
    assert page.locator("#photo-viewer").is_visible()
    page.screenshot(path=str(SHOTS / "viewer.png"))

    # Another unit's handler: 404 on the photo's URL.
    url = page.locator("#photos a.photo").first.get_attribute("href")
    other = phone(browser_page)
    login(other, base, people.bob.username)
    assert other.goto(f"{base}{url}").status == 404
    assert other.goto(f"{base}{url}?thumb").status == 404

    # Logging out forgets every draft kept on the phone.
    page.click("#photo-viewer button.close")
    assert not page.locator("#photo-viewer").is_visible()
    page.evaluate("localStorage.setItem('minsheng:draft:x', '{}')")
    page.click("form[data-logout] button")
    page.wait_for_load_state()
    assert not page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('minsheng:draft:')).length"
    )


@pytest.mark.django_db(transaction=True)
def test_a_small_phone_has_no_sideways_scroll(people: People, live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    ticket = dispatched(people)
    page = phone(browser_page, 360, 640)
    base = live_server.url
    login(page, base, people.alice.username)
    for url in ("/", "/inbox/", "/tickets/", "/tickets/?words=%E8%B7%AF%E7%81%AF", "/notify/"):
        page.goto(f"{base}{url}")
        assert width(page) <= 360, url
    page.goto(f"{base}/tickets/{ticket.number}/")
    assert width(page) <= 360
    page.evaluate("document.querySelectorAll('details.action').forEach(d => d.open = true)")
    assert width(page) <= 360
    page.click("#action-sign button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/.*"))
    page.evaluate("document.querySelectorAll('details.action').forEach(d => d.open = true)")
    assert page.locator("details.action[open]").count() >= 5  # contact, progress, reply, …
    assert width(page) <= 360


@pytest.mark.django_db(transaction=True)
def test_a_progress_note_survives_a_dropped_connection(
    people: People, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    ticket = in_progress(people)
    page = phone(browser_page)
    base = live_server.url
    login(page, base, people.alice.username)
    page.goto(f"{base}/tickets/{ticket.number}/")
    page.evaluate("document.querySelector('#action-progress').open = true")
    page.fill("#action-progress textarea[name=note]", "村口路灯已修好一半，明天继续。")
    # The signal drops as the handler sends it: the browser shows its own error page.
    page.context.set_offline(True)
    try:
        page.click("#action-progress button[type=submit]", no_wait_after=True)
        page.wait_for_timeout(500)
    finally:
        page.context.set_offline(False)
    assert not TicketEvent.objects.filter(ticket=ticket, action="progress").exists()
    # Back online, the ticket page again: the text is still there, sent once.
    page.goto(f"{base}/tickets/{ticket.number}/")
    assert (
        page.input_value("#action-progress textarea[name=note]") == "村口路灯已修好一半，明天继续。"
    )
    assert page.evaluate("document.querySelector('#action-progress').open")
    page.click("#action-progress button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/.*"))
    assert TicketEvent.objects.filter(ticket=ticket, action="progress").count() == 1
    assert not page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('minsheng:draft:')).length"
    )


@pytest.mark.django_db(transaction=True)
def test_a_note_recorded_whose_answer_was_lost_is_not_recorded_twice(
    people: People, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    ticket = in_progress(people)
    page = phone(browser_page)
    base = live_server.url
    login(page, base, people.alice.username)
    page.goto(f"{base}/tickets/{ticket.number}/")
    page.evaluate("document.querySelector('#action-progress').open = true")
    page.fill("#action-progress textarea[name=note]", "已联系施工队。")

    def lose_the_answer(route):  # type: ignore[no-untyped-def]
        route.fetch(max_redirects=0)  # the server records it …
        route.abort("internetdisconnected")  # … and the answer never reaches the phone

    page.route(re.compile(r".*/progress/$"), lose_the_answer)
    page.click("#action-progress button[type=submit]", no_wait_after=True)
    for _ in range(100):
        if TicketEvent.objects.filter(ticket=ticket, action="progress").exists():
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    page.unroute(re.compile(r".*/progress/$"))
    assert TicketEvent.objects.filter(ticket=ticket, action="progress").count() == 1
    # The handler reloads and sends what the phone kept: the server knows the form.
    page.goto(f"{base}/tickets/{ticket.number}/")
    assert page.input_value("#action-progress textarea[name=note]") == "已联系施工队。"
    page.click("#action-progress button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/.*"))
    assert "未重复记录" in page.inner_text(".messages")
    assert TicketEvent.objects.filter(ticket=ticket, action="progress").count() == 1
