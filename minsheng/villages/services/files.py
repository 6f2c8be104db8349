"""Files of a board: photos and PDFs of an item, and the photo of the physical board on the
wall (公开栏实景, no item).

A file's type is read from its content, never from its name or the browser's word: a photo is
decoded by Pillow (JPEG, PNG, WEBP), turned upright, scaled and saved again as a JPEG without
its EXIF (the camera's GPS position and the time go nowhere); a PDF must begin with `%PDF-`.
Anything else is refused with a Chinese message. Stored names are random, so a file is never
one guessed link away; files are served by `villages.views.file` after the scope check.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.lib import images
from minsheng.org.models import User
from minsheng.villages import rules
from minsheng.villages.errors import InvalidInput, InvalidTransition
from minsheng.villages.models import Board, Item, ItemFile
from minsheng.villages.services import items as item_services
from minsheng.villages.services.boards import record_event

PHOTO_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})  # MPO: a phone camera's JPEG
MAX_FILES_PER_ITEM = 20
NAME_MAX = ItemFile._meta.get_field("original_name").max_length or 200


def _max_bytes(kind: str) -> int:
    mb = (
        settings.MINSHENG_VILLAGE_MAX_PDF_MB
        if kind == "pdf"
        else settings.MINSHENG_VILLAGE_MAX_PHOTO_MB
    )
    return int(mb) * 1024 * 1024


def _size(upload: Any) -> int:
    return int(getattr(upload, "size", 0) or 0)


def _name(upload: Any, fallback: str) -> str:
    name = " ".join(str(getattr(upload, "name", "") or "").split()).replace("/", "_")
    return (name or fallback)[-NAME_MAX:]


def _head(upload: Any) -> bytes:
    upload.seek(0)
    head = bytes(upload.read(8))
    upload.seek(0)
    return head


def prepare(upload: Any, *, photo_only: bool = False) -> tuple[str, ContentFile[bytes], str]:
    """(kind, the content to store, its content type) of an upload, read from its content;
    InvalidInput with the reason for anything else than a photo or a PDF of a sensible size."""
    size = _size(upload)
    if size == 0:
        raise InvalidInput(_("文件是空的。"), field="file")
    if not photo_only and _head(upload).startswith(b"%PDF-"):
        if size > _max_bytes("pdf"):
            raise InvalidInput(
                _("PDF 文件不能超过 %(n)d MB。") % {"n": settings.MINSHENG_VILLAGE_MAX_PDF_MB},
                field="file",
            )
        upload.seek(0)
        return "pdf", ContentFile(upload.read(), name=f"{uuid.uuid4().hex}.pdf"), "application/pdf"
    if size > _max_bytes("photo"):
        raise InvalidInput(
            _("照片不能超过 %(n)d MB。") % {"n": settings.MINSHENG_VILLAGE_MAX_PHOTO_MB},
            field="file",
        )
    try:
        image = images.open_image(upload, PHOTO_FORMATS)
    except images.NotAnImage:
        if photo_only:
            raise InvalidInput(
                _("公开栏实景只能上传照片（JPG、PNG 或 WebP），这个文件不是。"), field="file"
            ) from None
        raise InvalidInput(
            _("只能上传照片（JPG、PNG 或 WebP）或 PDF 文件，这个文件按内容都不是。"),
            field="file",
        ) from None
    content = images.clean_jpeg(image)
    return "photo", ContentFile(content, name=f"{uuid.uuid4().hex}.jpg"), "image/jpeg"


@transaction.atomic
def item_attach(*, actor: User, item: Item, upload: Any) -> ItemFile:
    """A clerk attaches a photo or a PDF to a draft (or returned) item."""
    item = Item.objects.select_for_update().select_related("board").get(pk=item.pk)
    item_services.check_edits(actor, item)
    if item.files.count() >= MAX_FILES_PER_ITEM:
        raise InvalidInput(
            _("每条公开事项最多 %(n)d 个附件。") % {"n": MAX_FILES_PER_ITEM}, field="file"
        )
    kind, content, content_type = prepare(upload)
    row = ItemFile(
        board_id=item.board_id,
        item=item,
        kind=kind,
        content_type=content_type,
        size=len(content),
        original_name=_name(upload, content.name or ""),
        uploaded_by=actor,
    )
    row.file.save(content.name or "file", content, save=False)
    row.save()
    item.revision += 1
    item.save(update_fields=["revision", "updated_at"])
    record_event(
        board_id=item.board_id,
        subject="item",
        subject_id=item.pk,
        verb="file_attached",
        actor=actor,
        note=row.original_name,
        data={"file": row.pk, "kind": kind},
    )
    return row


@transaction.atomic
def item_detach(*, actor: User, item: Item, file_id: int) -> None:
    """A clerk removes a file from a draft (or returned) item. The stored file is kept (a
    published version may share it)."""
    item = Item.objects.select_for_update().select_related("board").get(pk=item.pk)
    item_services.check_edits(actor, item)
    row = ItemFile.objects.filter(item=item, pk=file_id).first()
    if row is None:
        raise InvalidTransition(_("没有这个附件。"))
    name = row.original_name
    row.delete()
    item.revision += 1
    item.save(update_fields=["revision", "updated_at"])
    record_event(
        board_id=item.board_id,
        subject="item",
        subject_id=item.pk,
        verb="file_removed",
        actor=actor,
        note=name,
        data={"file": file_id},
    )


@transaction.atomic
def wall_photo(*, actor: User, board: Board, upload: Any) -> ItemFile:
    """The clerk's photo of the physical board (公开栏实景); the newest one is shown."""
    rules.check_drafts(actor, board.pk)
    _kind, content, content_type = prepare(upload, photo_only=True)
    row = ItemFile(
        board=board,
        item=None,
        kind=ItemFile.Kind.WALL,
        content_type=content_type,
        size=len(content),
        original_name=_name(upload, content.name or ""),
        uploaded_by=actor,
    )
    row.file.save(content.name or "wall.jpg", content, save=False)
    row.save()
    record_event(
        board_id=board.pk,
        subject="board",
        subject_id=None,
        verb="wall_photo",
        actor=actor,
        data={"file": row.pk},
    )
    return row


def latest_wall_photo(board: Board) -> ItemFile | None:
    return (
        ItemFile.objects.filter(board=board, kind=ItemFile.Kind.WALL, item=None)
        .order_by("-uploaded_at", "-pk")
        .first()
    )
