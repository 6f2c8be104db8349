"""Attachments: images checked by their content."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.org.models import User
from minsheng.tickets import rules
from minsheng.tickets.actions._steps import (
    _event,
    _lock,
    _save,
)
from minsheng.tickets.errors import InvalidInput
from minsheng.tickets.models import (
    Attachment,
    Ticket,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Image types we accept, recognised by their first bytes: a file's name and its declared type
# are whatever the sender says, its content is what it is.
IMAGE_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"WEBP", 8, "image/webp", "webp"),
)


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None if not an accepted image."""
    for signature, offset, content_type, ext in IMAGE_SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and head[:4] != b"RIFF":
                continue
            return content_type, ext
    return None


@transaction.atomic
def ticket_attach(*, ticket: Ticket, actor: User, upload: Any) -> Attachment:
    """Attach an image (JPEG, PNG, GIF, WebP; at most 10 MB), checked by its content.

    `upload` is a Django UploadedFile (or any File). Hotline staff attach to any ticket; a unit
    attaches to the tickets it holds (photos of the site, of the repair).
    """
    locked = _lock(ticket, None)
    rules.check_attach(actor, locked, rules.Facts(locked))
    size = int(upload.size or 0)
    if size == 0:
        raise InvalidInput(_("附件是空文件。"), field="attachment")
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(_("附件不能超过 10 MB。"), field="attachment")
    upload.seek(0)
    kind = sniff_image(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise InvalidInput(_("只能上传 JPG、PNG、GIF 或 WebP 图片。"), field="attachment")
    content_type, ext = kind
    original = (getattr(upload, "name", "") or f"image.{ext}").rsplit("/", 1)[-1][:200]
    attachment = Attachment(
        ticket=locked,
        content_type=content_type,
        size=size,
        original_name=original,
        uploaded_by=actor,
    )
    # Stored under a name we choose, and one nobody can guess: never trust a client's file name
    # on disk, and never let a path be a way in (they are served only by office.attachment).
    attachment.file.save(f"{secrets.token_urlsafe(18)}.{ext}", upload, save=False)
    attachment.save()
    _save(locked)
    _event(locked, actor, "attach", note=original, content_type=content_type, size=size)
    return attachment
