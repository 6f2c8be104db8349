"""A handler's photos with progress notes and replies (issue 23): checked by their content,
cleaned of metadata, the position kept only where the handler allowed it, a refusal writes
nothing; the page's action forms record a resent form once (one-time token)."""

from __future__ import annotations

import io
import os
import re
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput
from minsheng.tickets.models import ActionToken, Attachment, TicketEvent
from tests.conftest import People
from tests.factories import in_progress
from tests.tickets.test_views_ticket import login


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def jpeg(size: tuple[int, int] = (800, 600), *, gps: bool = False, quality: int = 90) -> bytes:
    image = Image.new("RGB", size, (120, 160, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd.update({1: "N", 2: (35.0, 59.0, 24.0), 3: "E", 4: (115.0, 52.0, 12.0)})
    exif.get_ifd(0x8769)[0x9003] = "2026:12:01 09:30:00"
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def nothing_written(ticket_pk: int) -> bool:
    return (
        not Attachment.objects.exists()
        and not TicketEvent.objects.filter(ticket_id=ticket_pk, action="progress").exists()
    )


def test_a_progress_note_keeps_its_photos_clean(people: People) -> None:
    ticket = in_progress(people)
    actions.ticket_progress(
        ticket=ticket,
        actor=people.alice,
        note="已到现场。",
        photos=[upload(jpeg(gps=True)), upload(jpeg((3000, 2000)), "大图.jpg")],
    )
    photos = list(Attachment.objects.order_by("pk"))
    assert [p.stage for p in photos] == ["before", "before"]
    event = TicketEvent.objects.get(ticket=ticket, action="progress")
    assert all(p.event_id == event.pk for p in photos) and event.data["photos"] == 2
    for p in photos:
        with Image.open(p.file.path) as stored:
            assert stored.format == "JPEG" and max(stored.size) <= 1600  # resized
            assert not stored.getexif()  # no camera make, no GPS, nothing
        with Image.open(p.thumbnail.path) as thumb:
            assert max(thumb.size) <= 320
    # The location was not allowed: not in the file, not in the database.
    assert photos[0].latitude is None and photos[0].longitude is None
    assert photos[0].taken_at is not None  # the camera's time is kept


def test_the_location_is_kept_only_when_the_handler_allows_it(people: People) -> None:
    ticket = in_progress(people)
    actions.ticket_progress(
        ticket=ticket,
        actor=people.alice,
        note="现场照片。",
        photos=[upload(jpeg(gps=True))],
        keep_location=True,
    )
    photo = Attachment.objects.get()
    assert photo.latitude == Decimal("35.990000") and photo.longitude == Decimal("115.870000")
    with Image.open(photo.file.path) as stored:
        assert not stored.getexif()  # kept as data, never in the file served


def test_a_pdf_renamed_jpg_is_refused(people: People) -> None:
    ticket = in_progress(people)
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    with pytest.raises(InvalidInput, match="不是可识别的照片") as refused:
        actions.ticket_progress(
            ticket=ticket, actor=people.alice, note="见附件。", photos=[upload(pdf, "现场.jpg")]
        )
    assert refused.value.field == "photos" and "现场.jpg" in refused.value.message
    assert nothing_written(ticket.pk)


def test_a_corrupt_jpeg_is_refused(people: People) -> None:
    ticket = in_progress(people)
    whole = jpeg((1200, 900))
    broken = whole[: len(whole) // 2]  # the upload broke off half-way
    with pytest.raises(InvalidInput, match="不是可识别的照片"):
        actions.ticket_progress(
            ticket=ticket, actor=people.alice, note="现场。", photos=[upload(broken)]
        )
    garbage = whole[:20] + os.urandom(5000)
    with pytest.raises(InvalidInput, match="不是可识别的照片"):
        actions.ticket_progress(
            ticket=ticket, actor=people.alice, note="现场。", photos=[upload(garbage)]
        )
    assert nothing_written(ticket.pk)


def test_a_30_mb_photo_is_refused_with_a_clear_message(people: People) -> None:
    ticket = in_progress(people)
    # A real JPEG padded to 30 MB with a comment segment's worth of bytes per 64 KB segment.
    base = jpeg((4000, 3000))
    segment = b"\xff\xfe" + (65533).to_bytes(2, "big") + b"\x00" * 65531
    big = base[:2] + segment * (30 * 1024 * 1024 // len(segment)) + base[2:]
    assert len(big) > 30 * 1024 * 1024 - 70_000
    with pytest.raises(InvalidInput) as refused:
        actions.ticket_progress(
            ticket=ticket, actor=people.alice, note="现场。", photos=[upload(big, "原图.jpg")]
        )
    message = refused.value.message
    assert "原图.jpg" in message and "超过 20 MB" in message and "压缩" in message
    assert nothing_written(ticket.pk)


def test_a_large_photo_under_the_limit_is_resized(people: People) -> None:
    ticket = in_progress(people)
    noise = Image.frombytes("RGB", (3000, 2200), os.urandom(3000 * 2200 * 3))
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=98)
    assert len(out.getvalue()) > 8 * 1024 * 1024
    actions.ticket_progress(
        ticket=ticket, actor=people.alice, note="现场。", photos=[upload(out.getvalue())]
    )
    photo = Attachment.objects.get()
    with Image.open(photo.file.path) as stored:
        assert stored.size == (1600, 1173)
    assert photo.size < len(out.getvalue()) // 4


def test_too_many_photos_are_refused(people: People) -> None:
    ticket = in_progress(people)
    with pytest.raises(InvalidInput, match="最多上传 9 张"):
        actions.ticket_progress(
            ticket=ticket,
            actor=people.alice,
            note="现场。",
            photos=[upload(jpeg((64, 64))) for _ in range(10)],
        )
    assert nothing_written(ticket.pk)


def test_a_reply_carries_after_photos(people: People) -> None:
    ticket = in_progress(people)
    actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone")
    actions.ticket_reply(
        ticket=ticket,
        actor=people.alice,
        result="resolved",
        content="已修复。",
        photos=[upload(jpeg())],
    )
    photo = Attachment.objects.get()
    assert photo.stage == "after" and photo.event is not None and photo.event.action == "reply"


# --- Through the page ------------------------------------------------------------------------


def _token(html: str, action: str) -> str:
    form = html.split(f'id="action-{action}"', 1)[1]
    return re.search(r'name="form_token" value="([0-9a-f-]+)"', form).group(1)  # type: ignore[union-attr]


def test_the_page_records_a_resent_progress_note_once(people: People) -> None:
    ticket = in_progress(people)
    client = login(Client(), people.alice)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    token = _token(page, "progress")
    form = {"version": str(ticket.version + 0), "form_token": token, "note": "已到现场查看。"}
    first = client.post(
        f"/tickets/{ticket.number}/progress/",
        {**form, "photos": [upload(jpeg(), "a.jpg"), upload(jpeg(), "b.jpg")]},
    )
    assert first.status_code == 302 and f"done={token}" in first["Location"]
    # The connection dropped before the answer: the same form again (old version) …
    again = client.post(
        f"/tickets/{ticket.number}/progress/",
        {**form, "photos": [upload(jpeg(), "a.jpg"), upload(jpeg(), "b.jpg")]},
        follow=True,
    )
    assert "未重复记录" in again.content.decode()
    # … and restored from the phone's storage into the reloaded page (the new version).
    ticket.refresh_from_db()
    client.post(f"/tickets/{ticket.number}/progress/", {**form, "version": str(ticket.version)})
    assert TicketEvent.objects.filter(ticket=ticket, action="progress").count() == 1
    assert Attachment.objects.count() == 2
    assert ActionToken.objects.get(key=uuid.UUID(token)).action == "progress"


def test_a_token_is_not_another_forms(people: People) -> None:
    ticket = in_progress(people)
    client = login(Client(), people.alice)
    token = str(uuid.uuid4())
    client.post(
        f"/tickets/{ticket.number}/progress/",
        {"version": str(ticket.version), "form_token": token, "note": "进展一。"},
    )
    ticket.refresh_from_db()
    response = client.post(
        f"/tickets/{ticket.number}/contact/",
        {"version": str(ticket.version), "form_token": token, "method": "phone"},
    )
    assert response.status_code == 400 and "表单已失效" in response.content.decode()
    assert not TicketEvent.objects.filter(ticket=ticket, action="contact").exists()


def test_a_refused_photo_keeps_the_form_and_says_why(people: People) -> None:
    ticket = in_progress(people)
    client = login(Client(), people.alice)
    response = client.post(
        f"/tickets/{ticket.number}/progress/",
        {
            "version": str(ticket.version),
            "form_token": str(uuid.uuid4()),
            "note": "现场。",
            "photos": [upload(b"%PDF-1.4 not a photo", "x.jpg")],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and "x.jpg" in html and "不是可识别的照片" in html
    assert "现场。" in html  # the text typed is still there
    assert nothing_written(ticket.pk)


def test_the_photo_is_served_only_to_those_who_hold_the_ticket(people: People) -> None:
    ticket = in_progress(people)
    actions.ticket_progress(
        ticket=ticket, actor=people.alice, note="现场。", photos=[upload(jpeg())]
    )
    photo = Attachment.objects.get()
    url = f"/tickets/{ticket.number}/attachments/{photo.pk}"
    alice = login(Client(), people.alice)
    full, thumb = alice.get(url), alice.get(url + "?thumb")
    assert full.status_code == 200 and thumb.status_code == 200
    assert len(b"".join(thumb.streaming_content)) < len(b"".join(full.streaming_content))
    bob = login(Client(), people.bob)
    assert bob.get(url).status_code == 404 and bob.get(url + "?thumb").status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    page = alice.get(f"/tickets/{ticket.number}/").content.decode()
    assert f"{url}?thumb" in page and 'id="photos"' in page


def test_the_manifest_and_its_icons(people: People) -> None:
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["display"] == "standalone" and data["start_url"] == "/"
    assert {i["sizes"] for i in data["icons"]} >= {"192x192", "512x512"}
    static_root = Path(__file__).resolve().parents[2] / "minsheng" / "static"
    for icon in data["icons"]:
        path = static_root / icon["src"].split("/static/", 1)[1]
        with Image.open(path) as image:
            assert f"{image.size[0]}x{image.size[1]}" == icon["sizes"]


def test_the_phone_says_when_each_photo_was_taken(people: People) -> None:
    ticket = in_progress(people)
    client = login(Client(), people.alice)
    now_ms = int(time.time() * 1000)
    client.post(
        f"/tickets/{ticket.number}/progress/",
        {
            "version": str(ticket.version),
            "note": "现场。",
            # The first photo's file time an hour ago; the second's a nonsense.
            "photo_times": f"{now_ms - 3_600_000},99999999999999999",
            "photos": [upload(jpeg_without_time(), "a.jpg"), upload(jpeg_without_time(), "b.jpg")],
        },
    )
    first, second = Attachment.objects.order_by("pk")
    assert first.taken_at is not None
    assert abs(first.taken_at.timestamp() * 1000 - (now_ms - 3_600_000)) < 1000
    assert second.taken_at is None


def jpeg_without_time() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (10, 20, 30)).save(out, format="JPEG")
    return out.getvalue()
