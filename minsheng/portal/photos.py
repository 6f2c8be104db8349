"""A citizen's photo, made fit to keep: read by its content (never its name), at most
MAX_BYTES and MAX_PIXELS, turned upright, scaled to fit LONG_SIDE, saved as a plain JPEG
without any metadata — the camera's GPS position, its make and the time go nowhere. Where the
citizen chose to share the place, the GPS position is read first and returned, so that it is
kept as the ticket's point (the only place it is kept)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image

from minsheng.lib import images
from minsheng.portal.codes import Refused

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = images.MAX_PIXELS
LONG_SIDE = 1600
QUALITY = 80
ACCEPTED = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})
GPS_IFD = 0x8825


def _degrees(value: Any, ref: str) -> Decimal | None:
    try:
        d, m, s = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if ref in ("S", "W"):
        result = -result
    return Decimal(f"{result:.6f}")


def gps_of(image: Image.Image) -> tuple[Decimal, Decimal] | None:
    """(lat, lng) of the photo's GPS tags, or None."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:
        return None
    lat = _degrees(gps.get(2), str(gps.get(1, "N")))
    lng = _degrees(gps.get(4), str(gps.get(3, "E")))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def prepare(
    upload: Any, *, keep_place: bool
) -> tuple[ContentFile[bytes], tuple[Decimal, Decimal] | None]:
    """The photo as a clean JPEG file, and its GPS position if `keep_place`; Refused with a
    Chinese reason for anything else than a photo of a sensible size."""
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise Refused(_("照片是空文件。"))
    if size > MAX_BYTES:
        raise Refused(_("每张照片不能超过 10 MB。"))
    try:
        image = images.open_image(upload, ACCEPTED)
    except images.NotAnImage as refused:
        if str(refused):  # an image, of a format not accepted
            raise Refused(_("只能上传照片（JPG、PNG、WebP 或 GIF）。")) from None
        raise Refused(
            _("只能上传照片（JPG、PNG、WebP 或 GIF），这个文件无法识别为图片。")
        ) from None
    place = gps_of(image) if keep_place else None
    content = images.clean_jpeg(image, long_side=LONG_SIDE, quality=QUALITY)
    return ContentFile(content, name="photo.jpg"), place
