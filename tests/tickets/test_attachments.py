"""Image attachments: type checked by content, at most 10 MB, nothing written on refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.models import Attachment, TicketEvent
from tests.conftest import People
from tests.factories import dispatched, new_ticket
from tests.tickets.test_views_ticket import login

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
    name = attachment.file.name
    assert name.startswith(f"tickets/{ticket.number}/") and name.endswith(".png")
    assert len(name.rsplit("/", 1)[1]) > 20  # a name nobody can guess, not "1.png"
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


def test_an_attachment_is_served_only_to_who_may_see_the_ticket(
    people: People, client: Client
) -> None:
    ticket = dispatched(people)
    item = actions.ticket_attach(
        ticket=ticket, actor=people.operator, upload=SimpleUploadedFile("现场.jpg", JPEG)
    )
    url = f"/tickets/{ticket.number}/attachments/{item.pk}"
    assert client.get(url).status_code == 302  # to the login page
    login(client, people.alice)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    login(client, people.bob)
    assert client.get(url).status_code == 404  # another township's ticket
    html = login(client, people.alice).get(f"/tickets/{ticket.number}/").content.decode()
    assert url in html and "/media/" not in html


def test_a_unit_the_ticket_was_taken_from_loses_its_attachments(
    people: People, client: Client
) -> None:
    ticket = dispatched(people)
    item = actions.ticket_attach(
        ticket=ticket, actor=people.alice, upload=SimpleUploadedFile("a.png", PNG)
    )
    actions.ticket_reassign(ticket=ticket, actor=people.dispatcher, lead_unit=people.org.houmiao)
    url = f"/tickets/{ticket.number}/attachments/{item.pk}"
    assert login(client, people.alice).get(url).status_code == 404
    assert login(client, people.bob).get(url).status_code == 200


def test_in_production_the_web_server_sends_the_file(
    people: People, client: Client, settings: Any
) -> None:
    settings.MINSHENG_SENDFILE = "x-accel-redirect"
    ticket = dispatched(people)
    item = actions.ticket_attach(
        ticket=ticket, actor=people.operator, upload=SimpleUploadedFile("a.png", PNG)
    )
    response = login(client, people.alice).get(f"/tickets/{ticket.number}/attachments/{item.pk}")
    assert response["X-Accel-Redirect"] == f"/protected-media/{item.file.name}"
    assert response.content == b""
