"""Image attachments: type checked by content, at most 10 MB, nothing written on refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.models import Attachment, TicketEvent
from tests.conftest import People
from tests.factories import dispatched, new_ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def test_it_accepts_an_image_by_its_content(people: People) -> None:
    ticket = new_ticket(people)
    upload = SimpleUploadedFile("现场.txt", PNG, content_type="text/plain")  # name and type lie
    attachment = actions.ticket_attach(ticket=ticket, actor=people.operator, upload=upload)
    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith("/1.png")
    assert attachment.original_name == "现场.txt"
    assert TicketEvent.objects.filter(ticket=ticket, action="attach").count() == 1


def test_it_refuses_what_is_not_an_image(people: People) -> None:
    ticket = new_ticket(people)
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(InvalidInput, match="只能上传"):
        actions.ticket_attach(ticket=ticket, actor=people.operator, upload=fake)
    with pytest.raises(InvalidInput, match="空文件"):
        actions.ticket_attach(
            ticket=ticket,
            actor=people.operator,
            upload=SimpleUploadedFile("e.png", b"", content_type="image/png"),
        )
    assert not Attachment.objects.exists()


def test_it_refuses_more_than_ten_megabytes(people: People) -> None:
    big = SimpleUploadedFile(
        "big.jpg", JPEG + b"\x00" * (10 * 1024 * 1024), content_type="image/jpeg"
    )
    with pytest.raises(InvalidInput, match="10 MB"):
        actions.ticket_attach(ticket=new_ticket(people), actor=people.operator, upload=big)
    assert not Attachment.objects.exists()


def test_units_attach_only_to_their_tickets(people: People) -> None:
    ticket = dispatched(people)
    actions.ticket_attach(
        ticket=ticket,
        actor=people.alice,
        upload=SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
    )
    with pytest.raises(NotAllowed):
        actions.ticket_attach(
            ticket=ticket,
            actor=people.bob,
            upload=SimpleUploadedFile("b.jpg", JPEG, content_type="image/jpeg"),
        )
    assert Attachment.objects.count() == 1
