"""Files of a board: the type is read from the content (a .jpg name with PDF content is a PDF,
a .pdf name with text is refused), photos lose their EXIF, and a file of an unpublished item is
served only to the village's staff."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from minsheng.villages.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.villages.models import Event, ItemFile
from minsheng.villages.services import files, items
from tests.conftest import PASSWORD
from tests.villages.board_helpers import (
    PDF_BYTES,
    V1,
    World,
    draft,
    image_bytes,
    refreshed,
    world,
)

__all__ = ["world"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_photos_are_cleaned_jpegs_without_exif(world: World) -> None:
    item = draft(world)
    raw = image_bytes("JPEG", size=(3000, 2000), exif=True)
    assert Image.open(io.BytesIO(raw)).getexif()  # the camera's tags are there
    row = files.item_attach(actor=world.clerk, item=item, upload=upload("现场.jpg", raw))
    assert row.kind == ItemFile.Kind.PHOTO and row.content_type == "image/jpeg"
    assert row.original_name == "现场.jpg" and not row.file.name.endswith("现场.jpg")
    stored = Image.open(row.file.path)
    assert stored.format == "JPEG" and max(stored.size) == 1600
    assert not stored.getexif()
    for fmt in ("PNG", "WEBP"):
        row = files.item_attach(
            actor=world.clerk, item=item, upload=upload(f"x.{fmt.lower()}", image_bytes(fmt))
        )
        assert row.kind == "photo" and Image.open(row.file.path).format == "JPEG"
    assert Event.objects.filter(subject_id=item.pk, verb="file_attached").count() == 3


def test_the_type_comes_from_the_content_not_the_name(world: World) -> None:
    item = draft(world)
    # A PDF named .jpg is a PDF.
    row = files.item_attach(actor=world.clerk, item=item, upload=upload("会议纪要.jpg", PDF_BYTES))
    assert row.kind == ItemFile.Kind.PDF and row.content_type == "application/pdf"
    with open(row.file.path, "rb") as f:
        assert f.read() == PDF_BYTES
    count = ItemFile.objects.count()
    events = Event.objects.count()
    # Text named .pdf, a GIF named .png, an HTML page named .jpg: refused in Chinese.
    for name, content in (
        ("账目.pdf", b"just some text, not a pdf"),
        ("图.png", image_bytes("GIF")),
        ("x.jpg", b"<html><script>alert(1)</script></html>"),
        ("empty.jpg", b""),
    ):
        with pytest.raises(InvalidInput) as refused:
            files.item_attach(actor=world.clerk, item=item, upload=upload(name, content))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert ItemFile.objects.count() == count and Event.objects.count() == events


def test_size_limits(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_VILLAGE_MAX_PDF_MB = 1
    item = draft(world)
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(InvalidInput, match="1 MB"):
        files.item_attach(actor=world.clerk, item=item, upload=upload("big.pdf", big))
    assert not ItemFile.objects.exists()


def test_only_the_clerk_of_the_village_and_only_while_a_draft(world: World) -> None:
    item = draft(world)
    with pytest.raises(NotAllowed):
        files.item_attach(actor=world.clerk2, item=item, upload=upload("a.pdf", PDF_BYTES))
    with pytest.raises(NotAllowed):
        files.item_attach(actor=world.reviewer, item=item, upload=upload("a.pdf", PDF_BYTES))
    items.item_submit(actor=world.clerk, item=item)
    items.item_review(actor=world.reviewer, item=item, approve=True)
    with pytest.raises(InvalidTransition):
        files.item_attach(actor=world.clerk, item=item, upload=upload("a.pdf", PDF_BYTES))
    assert not ItemFile.objects.exists()


def test_wall_photo(world: World) -> None:
    board = world.board()
    with pytest.raises(InvalidInput, match="公开栏实景只能上传照片"):
        files.wall_photo(actor=world.clerk, board=board, upload=upload("wall.jpg", PDF_BYTES))
    with pytest.raises(NotAllowed):
        files.wall_photo(actor=world.clerk2, board=board, upload=upload("w.jpg", image_bytes()))
    row = files.wall_photo(actor=world.clerk, board=board, upload=upload("w.jpg", image_bytes()))
    assert row.kind == ItemFile.Kind.WALL and row.item_id is None
    assert files.latest_wall_photo(board) == row


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def test_serving_follows_publication_and_scope(world: World, client: Client) -> None:
    item = draft(world)
    row = files.item_attach(actor=world.clerk, item=item, upload=upload("纪要.pdf", PDF_BYTES))
    url = f"/villages/files/{row.pk}/"
    assert client.get(url).status_code == 404  # a visitor, unpublished
    assert login(Client(), "reviewer2").get(url).status_code == 404  # another township
    assert login(Client(), "clerk2").get(url).status_code == 404  # another village
    response = login(Client(), "clerk1").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert response["Cache-Control"].startswith("private")
    assert login(Client(), "reviewer").get(url).status_code == 200
    items.item_submit(actor=world.clerk, item=refreshed(item))
    items.item_review(actor=world.reviewer, item=item, approve=True)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")
    assert response["X-Content-Type-Options"] == "nosniff"
    wall = files.wall_photo(
        actor=world.clerk, board=world.board(V1), upload=upload("w.jpg", image_bytes())
    )
    assert client.get(f"/villages/files/{wall.pk}/").status_code == 200
    assert client.get("/villages/files/999999/").status_code == 404
