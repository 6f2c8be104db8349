"""Photos made fit to keep, read by their content (never their name): at most `max_bytes` and
MAX_PIXELS, turned upright, scaled to fit `long_side`, saved as a plain JPEG without any
metadata (the camera's GPS position, its make and the time go nowhere).

The generic part of the portal's photos (minsheng/portal/photos.py keeps its own GPS reading
and messages); village boards use it for their photos (minsheng/villages/services/files.py).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
LONG_SIDE = 1600
QUALITY = 80


class NotAnImage(ValueError):
    """The content is not an image of an accepted format (or cannot be decoded)."""


def open_image(upload: Any, accepted: frozenset[str]) -> Image.Image:
    """The upload decoded as an image of one of the `accepted` Pillow formats."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in accepted:
            raise NotAnImage(image.format or "")
        image.load()
    except NotAnImage:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise NotAnImage("") from None
    return image


def clean_jpeg(image: Image.Image, *, long_side: int = LONG_SIDE, quality: int = QUALITY) -> bytes:
    """The image upright, scaled to fit `long_side`, as a JPEG without metadata."""
    upright: Image.Image = ImageOps.exif_transpose(image) or image
    upright.thumbnail((long_side, long_side))
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=quality, optimize=True)  # no exif= : none is written
    return out.getvalue()


GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003


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
    """(latitude, longitude) of the photo's GPS tags, or None."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:
        return None
    lat = _degrees(gps.get(2), str(gps.get(1, "N")))
    lng = _degrees(gps.get(4), str(gps.get(3, "E")))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def taken_at(image: Image.Image) -> dt.datetime | None:
    """When the camera says the photo was taken (EXIF DateTimeOriginal, naive local time)."""
    try:
        raw = image.getexif().get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
        # The camera's clock has no zone: the caller reads it in the deployment's.
        return dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except Exception:
        return None
