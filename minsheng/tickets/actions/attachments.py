"""Attachments: images checked by their content; a handler's photos cleaned of metadata."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.lib import images
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
    TicketEvent,
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


# --- A handler's photos (the phone: progress notes and replies) ------------------------------

PHOTO_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})  # MPO: a phone camera's JPEG
MAX_PHOTOS = 9  # per progress note or reply
# The phone compresses before it uploads (static/js/photos.js: a few hundred KB); a photo sent
# without that (a desktop, a browser without canvas) may be a camera's original.
MAX_PHOTO_BYTES = 20 * 1024 * 1024
PHOTO_LONG_SIDE = 1600
THUMB_LONG_SIDE = 320


@dataclass(frozen=True)
class Photo:
    """A photo made fit to keep: a JPEG without metadata, its thumbnail, what the camera said."""

    name: str
    content: bytes
    thumbnail: bytes
    taken_at: dt.datetime | None
    place: tuple[Decimal, Decimal] | None


def prepare_photos(uploads: Sequence[Any], *, keep_location: bool = False) -> list[Photo]:
    """Check each upload by its content and clean it; InvalidInput (field `photos`) naming the
    photo for anything but a photo of a sensible size. Writes nothing: services call it before
    their first write. The position is read only when the handler allowed it (`keep_location`);
    either way the stored file carries no metadata."""
    uploads = [u for u in uploads if u is not None]
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(_("每次最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}, field="photos")
    photos = []
    for upload in uploads:
        name = (getattr(upload, "name", "") or "photo.jpg").rsplit("/", 1)[-1][:200]
        size = int(getattr(upload, "size", 0) or 0)
        if size == 0:
            raise InvalidInput(_("照片“%(name)s”是空文件。") % {"name": name}, field="photos")
        if size > MAX_PHOTO_BYTES:
            raise InvalidInput(
                _(
                    "照片“%(name)s”有 %(size).1f MB，超过 %(max)d MB，未上传。"
                    "请用手机拍照上传（会自动压缩），或压缩后再试。"
                )
                % {
                    "name": name,
                    "size": size / 1024 / 1024,
                    "max": MAX_PHOTO_BYTES // 1024 // 1024,
                },
                field="photos",
            )
        try:
            image = images.open_image(upload, PHOTO_FORMATS)
        except images.NotAnImage:
            raise InvalidInput(
                _("“%(name)s”不是可识别的照片（只接受 JPG、PNG 或 WebP），未上传。")
                % {"name": name},
                field="photos",
            ) from None
        when = images.taken_at(image)
        place = images.gps_of(image) if keep_location else None
        content = images.clean_jpeg(image, long_side=PHOTO_LONG_SIDE)
        thumbnail = images.clean_jpeg(image, long_side=THUMB_LONG_SIDE, quality=70)
        photos.append(
            Photo(
                name=name,
                content=content,
                thumbnail=thumbnail,
                taken_at=timezone.make_aware(when) if when else None,
                place=place,
            )
        )
    return photos


def store_photos(
    ticket: Ticket,
    actor: User,
    event: TicketEvent,
    photos: Sequence[Photo],
    *,
    stage: str,
    place: tuple[Decimal, Decimal] | None = None,
    taken: Sequence[dt.datetime | None] = (),
) -> list[Attachment]:
    """Keep prepared photos with the event they came with (a step of a service, inside its
    transaction). `place` is the phone's position where the handler allowed it and the photo
    had none of its own; `taken`, in the photos' order, when the phone says each was taken
    (its file's time), for photos whose camera time the phone's compression dropped."""
    stored = []
    for index, photo in enumerate(photos):
        key = secrets.token_urlsafe(18)
        where = photo.place or place
        attachment = Attachment(
            ticket=ticket,
            content_type="image/jpeg",
            size=len(photo.content),
            original_name=photo.name,
            uploaded_by=actor,
            event=event,
            stage=stage,
            taken_at=photo.taken_at or (taken[index] if index < len(taken) else None),
            latitude=where[0] if where else None,
            longitude=where[1] if where else None,
        )
        attachment.file.save(f"{key}.jpg", ContentFile(photo.content), save=False)
        attachment.thumbnail.save(f"{key}-s.jpg", ContentFile(photo.thumbnail), save=False)
        attachment.save()
        stored.append(attachment)
    return stored
