"""The registry's writers: register a facility, change it, add a photo. Each one validates
everything before it writes (a refusal writes nothing), writes an audit `Event` in its
transaction, and re-plans the upkeep clock where opening hours or the status changed."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.facilities import clock, rules
from minsheng.facilities.errors import InvalidInput, NotAllowed
from minsheng.facilities.models import (
    TOURIST_TOILET,
    Event,
    Facility,
    FacilityPhoto,
    Schedule,
    Standard,
    Status,
)
from minsheng.lib import images
from minsheng.org.models import Division, Unit, User

PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})
MAX_PHOTO_MB = 10
MAX_PHOTOS = 12
PLACE_REQUIRED = "请选择设施所在的村（社区）或乡镇：没有位置的设施不能登记。"


@dataclass
class FacilityInput:
    kind: str
    name: str
    place: Division | None
    owner: Unit | None
    address: str = ""
    lat: Decimal | None = None
    lng: Decimal | None = None
    keeper_user: User | None = None
    keeper_unit: Unit | None = None
    all_day: bool = True
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    standard: str = ""
    status: str = Status.IN_USE
    note: str = ""


def township_of(place: Division) -> str:
    """The 12-digit code of the place's township (the place itself for a township)."""
    if place.level == Division.Level.TOWNSHIP:
        return place.code
    return place.code[:9] + "000"


def log_event(facility: Facility | None, actor: User | None, verb: str, **data: Any) -> None:
    Event.objects.create(facility=facility, actor=actor, verb=verb, data=data)


def validate(data: FacilityInput) -> FacilityInput:
    """The input cleaned, or InvalidInput naming the field (nothing is written before)."""
    kind = " ".join(data.kind.split())
    if not kind:
        raise InvalidInput(_("请选择或填写设施类型。"), field="kind")
    if len(kind) > 30:
        raise InvalidInput(_("设施类型不能超过 30 个字。"), field="kind")
    name = " ".join(data.name.split())
    if not name:
        raise InvalidInput(_("请填写设施名称。"), field="name")
    if len(name) > 100:
        raise InvalidInput(_("设施名称不能超过 100 个字。"), field="name")
    if data.place is None:
        raise InvalidInput(_(PLACE_REQUIRED), field="place")
    county = str(settings.MINSHENG_COUNTY_CODE)[:6]
    if data.place.level not in (Division.Level.TOWNSHIP, Division.Level.VILLAGE) or not (
        data.place.code.startswith(county)
    ):
        raise InvalidInput(_("设施所在地须是本县的乡镇或村（社区）。"), field="place")
    if data.owner is None:
        raise InvalidInput(_("请选择管理单位。"), field="owner")
    if data.keeper_user is not None and data.keeper_unit is not None:
        raise InvalidInput(_("管理员填写一个人或一个班组，不能同时填写。"), field="keeper_user")
    if (data.lat is None) != (data.lng is None):
        raise InvalidInput(_("经纬度需同时填写。"), field="lat")
    if (
        data.lat is not None
        and data.lng is not None
        and not (-90 <= data.lat <= 90 and -180 <= data.lng <= 180)
    ):
        raise InvalidInput(_("经纬度超出范围。"), field="lat")
    opens, closes = data.opens_at, data.closes_at
    if not data.all_day:
        if opens is None or closes is None:
            raise InvalidInput(_("请填写开放和关闭时间，或选择24小时开放。"), field="opens_at")
        if closes <= opens:
            raise InvalidInput(_("关闭时间须晚于开放时间。"), field="closes_at")
    else:
        opens = closes = None
    if data.standard not in Standard.values:
        raise InvalidInput(_("等级无效。"), field="standard")
    if data.standard and kind != TOURIST_TOILET:
        raise InvalidInput(_("只有A级旅游厕所评定等级（A/AA/AAA）。"), field="standard")
    if data.status not in Status.values:
        raise InvalidInput(_("状态无效。"), field="status")
    return FacilityInput(
        kind=kind,
        name=name,
        place=data.place,
        owner=data.owner,
        address=" ".join(data.address.split())[:200],
        lat=data.lat,
        lng=data.lng,
        keeper_user=data.keeper_user,
        keeper_unit=data.keeper_unit,
        all_day=data.all_day,
        opens_at=opens,
        closes_at=closes,
        standard=data.standard,
        status=data.status,
        note=" ".join(data.note.split())[:200],
    )


def _apply(facility: Facility, data: FacilityInput) -> None:
    assert data.place is not None and data.owner is not None
    facility.kind = data.kind
    facility.name = data.name
    facility.place = data.place
    facility.township_code = township_of(data.place)
    facility.address = data.address
    facility.lat, facility.lng = data.lat, data.lng
    facility.owner = data.owner
    facility.keeper_user = data.keeper_user
    facility.keeper_unit = data.keeper_unit
    facility.all_day, facility.opens_at, facility.closes_at = (
        data.all_day,
        data.opens_at,
        data.closes_at,
    )
    facility.standard = data.standard
    facility.status = data.status
    facility.note = data.note


def _summary(data: FacilityInput) -> dict[str, Any]:
    """The audit's record of the input: names and codes, never a phone."""
    raw = asdict(data)
    raw["place"] = data.place.code if data.place else None
    raw["owner"] = data.owner.code if data.owner else None
    raw["keeper_user"] = data.keeper_user.pk if data.keeper_user else None
    raw["keeper_unit"] = data.keeper_unit.code if data.keeper_unit else None
    for key in ("lat", "lng"):
        raw[key] = f"{Decimal(raw[key]):.6f}" if raw[key] is not None else None
    for key in ("opens_at", "closes_at"):
        raw[key] = str(raw[key]) if raw[key] is not None else None
    return raw


def unchanged(facility: Facility, data: FacilityInput) -> bool:
    """Whether saving `data` (validated) would change nothing of `facility`."""
    current = FacilityInput(
        kind=facility.kind,
        name=facility.name,
        place=facility.place,
        owner=facility.owner,
        address=facility.address,
        lat=facility.lat,
        lng=facility.lng,
        keeper_user=facility.keeper_user,
        keeper_unit=facility.keeper_unit,
        all_day=facility.all_day,
        opens_at=facility.opens_at,
        closes_at=facility.closes_at,
        standard=facility.standard,
        status=facility.status,
        note=facility.note,
    )
    mine, theirs = _summary(current), _summary(data)
    # The import has no column for the note: an empty note in a row keeps the one typed on a page.
    if not data.note:
        mine["note"] = ""
    return mine == theirs


def _duplicate() -> InvalidInput:
    return InvalidInput(_("本乡镇已有同名设施，请换一个名称或编辑原有设施。"), field="name")


def facility_create(*, actor: User, data: FacilityInput) -> Facility:
    """Register a facility (refused without a place, with a clear message)."""
    data = validate(data)
    assert data.owner is not None
    if not rules.may_write_for(actor, data.owner):
        raise NotAllowed(_("只能登记本单位（或下属单位）管理的设施。"))
    facility = Facility()
    _apply(facility, data)
    try:
        with transaction.atomic():
            facility.save()
            log_event(facility, actor, "created", **_summary(data))
    except IntegrityError:
        raise _duplicate() from None
    return facility


def facility_update(
    *, actor: User, facility: Facility, data: FacilityInput, expected_version: int | None = None
) -> Facility:
    """Change a facility; a change of opening hours or a return to service re-plans its
    schedules from now (rounds owed while it was closed are not owed)."""
    data = validate(data)
    assert data.owner is not None
    try:
        with transaction.atomic():
            locked = (
                Facility.objects.select_for_update().select_related("owner").get(pk=facility.pk)
            )
            if not rules.may_edit(actor, locked.owner) or not rules.may_write_for(
                actor, data.owner
            ):
                raise NotAllowed(_("只能修改本单位（或下属单位）管理的设施。"))
            if expected_version is not None and locked.version != expected_version:
                raise InvalidInput(_("设施信息已被他人修改，请刷新页面后重新填写。"))
            hours = (locked.all_day, locked.opens_at, locked.closes_at)
            reopened = locked.status != Status.IN_USE and data.status == Status.IN_USE
            _apply(locked, data)
            locked.version += 1
            locked.save()
            if reopened or hours != (locked.all_day, locked.opens_at, locked.closes_at):
                now = timezone.now()
                for schedule in Schedule.objects.select_for_update().filter(facility=locked):
                    clock.replan(schedule, locked, now)
                    schedule.save(update_fields=["next_due_at", "check_at"])
            log_event(locked, actor, "updated", **_summary(data))
    except IntegrityError:
        raise _duplicate() from None
    return locked


def prepare_photo(upload: Any) -> ContentFile[bytes]:
    """A photo made fit to keep (lib.images: upright, scaled, no metadata), or InvalidInput."""
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise InvalidInput(_("照片是空的。"), field="photo")
    if size > MAX_PHOTO_MB * 1024 * 1024:
        raise InvalidInput(_("照片不能超过 %(n)d MB。") % {"n": MAX_PHOTO_MB}, field="photo")
    try:
        image = images.open_image(upload, PHOTO_FORMATS)
    except images.NotAnImage:
        raise InvalidInput(_("只能上传照片（JPG、PNG 或 WebP）。"), field="photo") from None
    return ContentFile(images.clean_jpeg(image), name=f"{uuid.uuid4().hex}.jpg")


@transaction.atomic
def facility_add_photo(*, actor: User, facility: Facility, upload: Any) -> FacilityPhoto:
    locked = Facility.objects.select_for_update().select_related("owner").get(pk=facility.pk)
    if not rules.may_edit(actor, locked.owner):
        raise NotAllowed(_("只能修改本单位（或下属单位）管理的设施。"))
    if locked.photos.count() >= MAX_PHOTOS:
        raise InvalidInput(_("每个设施最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}, field="photo")
    content = prepare_photo(upload)
    photo = FacilityPhoto.objects.create(facility=locked, file=content, added_by=actor)
    log_event(locked, actor, "photo_added", photo=photo.pk)
    return photo
