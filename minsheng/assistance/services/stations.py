"""劳动保障服务站: the station of a village, its six "有", its "六个一" checklist (with an evidence
photo made fit to keep by minsheng/lib/images.py), its job postings, and the matches of people to
postings (referred → interviewed → hired; a hire records the person's employment)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.assistance.errors import InvalidInput, InvalidTransition
from minsheng.assistance.models import (
    ChecklistEntry,
    JobPosting,
    Match,
    MatchStatus,
    Person,
    SixOne,
    Station,
)
from minsheng.assistance.services.people import (
    _check_date,
    check_writes,
    employment_add,
    record_event,
)
from minsheng.lib import images
from minsheng.org.models import Division, User

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "MPO"})

# What may follow what; "declined" ends a match at any step before the hire.
NEXT: dict[str, tuple[str, ...]] = {
    MatchStatus.REFERRED: (MatchStatus.INTERVIEWED, MatchStatus.HIRED, MatchStatus.DECLINED),
    MatchStatus.INTERVIEWED: (MatchStatus.HIRED, MatchStatus.DECLINED),
    MatchStatus.HIRED: (),
    MatchStatus.DECLINED: (),
}


def station_ensure(user: User, village: Division, name: str = "") -> Station:
    """The village's station, created the first time (by its worker or an administrator)."""
    existing = Station.objects.filter(village=village).first()
    if existing is not None:
        return existing
    if village.level != Division.Level.VILLAGE:
        raise InvalidInput(_("服务站设在村（社区）。"))
    check_writes(user, village.code)
    with transaction.atomic():
        station = Station.objects.create(
            village=village, name=(name.strip() or f"{village.name}劳动保障服务站")[:80]
        )
        record_event(
            village_code=village.code,
            subject="station",
            subject_id=station.pk,
            verb="created",
            actor=user,
        )
    return station


def six_has_set(user: User, station: Station, flags: dict[str, bool]) -> None:
    """The six "有", as the station's worker ticks them."""
    check_writes(user, station.village_id)
    changed = {
        f: bool(flags.get(f)) for f in Station.SIX_HAS if bool(flags.get(f)) != getattr(station, f)
    }
    if not changed:
        return
    with transaction.atomic():
        for name, value in changed.items():
            setattr(station, name, value)
        station.save(update_fields=list(changed))
        record_event(
            village_code=station.village_id,
            subject="station",
            subject_id=station.pk,
            verb="six_has",
            actor=user,
            data=changed,
        )


def checklist_add(
    user: User,
    station: Station,
    *,
    item: str,
    done_on: dt.date,
    note: str = "",
    attendance: int | None = None,
    photo: Any = None,
) -> ChecklistEntry:
    """One "六个一" item done, with its evidence photo (re-encoded, without EXIF)."""
    check_writes(user, station.village_id)
    if item not in SixOne.values:
        raise InvalidInput(_("请选择“六个一”中的一项。"), field="item")
    content: ContentFile[bytes] | None = None
    if photo is not None:
        if getattr(photo, "size", 0) > PHOTO_MAX_BYTES:
            raise InvalidInput(_("照片不能超过 10 MB。"), field="photo")
        try:
            content = ContentFile(images.clean_jpeg(images.open_image(photo, PHOTO_FORMATS)))
        except images.NotAnImage:
            raise InvalidInput(_("佐证须是照片（JPEG、PNG 或 WebP）。"), field="photo") from None
    with transaction.atomic():
        entry = ChecklistEntry(
            station=station,
            item=item,
            done_on=_check_date(done_on, "done_on"),
            note=note.strip()[:300],
            attendance=attendance,
            created_by=user,
        )
        if content is not None:
            entry.photo.save(f"{uuid.uuid4().hex}.jpg", content, save=False)
        entry.save()
        record_event(
            village_code=station.village_id,
            subject="station",
            subject_id=station.pk,
            verb="checklist",
            actor=user,
            data={"item": item, "entry": entry.pk},
        )
    return entry


def posting_create(
    user: User,
    station: Station,
    *,
    employer: str,
    title: str,
    pay: str,
    place: str,
    headcount: int,
    workshop: bool = False,
    piece_rate: bool = False,
) -> JobPosting:
    check_writes(user, station.village_id)
    fields = {
        "employer": (employer, 80),
        "title": (title, 60),
        "pay": (pay, 60),
        "place": (place, 80),
    }
    clean: dict[str, str] = {}
    for name, (value, limit) in fields.items():
        value = value.strip()
        if not value or len(value) > limit:
            raise InvalidInput(_("请完整填写用工单位、岗位、待遇和地点。"), field=name)
        clean[name] = value
    if not 1 <= headcount <= 9999:
        raise InvalidInput(_("招聘人数须在 1 到 9999 之间。"), field="headcount")
    with transaction.atomic():
        posting = JobPosting.objects.create(
            station=station,
            headcount=headcount,
            workshop=workshop,
            piece_rate=piece_rate,
            village_code=station.village_id,
            **clean,
        )
        record_event(
            village_code=station.village_id,
            subject="posting",
            subject_id=posting.pk,
            verb="created",
            actor=user,
        )
    return posting


def match_refer(user: User, person: Person, posting: JobPosting, on: dt.date) -> Match:
    """Refer a person to an open posting of a station of the same township."""
    check_writes(user, person.village_id)
    if not posting.is_open:
        raise InvalidTransition(_("该岗位已停止招聘。"))
    if posting.village_code[:9] != person.village_id[:9]:
        raise InvalidInput(_("只能推荐本乡镇服务站发布的岗位。"), field="posting")
    if Match.objects.filter(person=person, posting=posting).exists():
        raise InvalidTransition(_("已推荐过该岗位。"))
    with transaction.atomic():
        match = Match.objects.create(
            person=person,
            posting=posting,
            referred_on=_check_date(on, "referred_on"),
            village_code=person.village_id,
        )
        record_event(
            village_code=person.village_id,
            subject="person",
            subject_id=person.pk,
            verb="referred",
            actor=user,
            data={"match": match.pk, "posting": posting.pk},
        )
    return match


def match_advance(
    user: User, match: Match, status: str, on: dt.date, *, income_band: str = ""
) -> Match:
    """Move a match on; a hire records the employment (employer, since `on`, the posting's job)."""
    check_writes(user, match.village_code)
    if status not in NEXT.get(match.status, ()):
        raise InvalidTransition(_("该推荐当前不能改为此状态。"))
    on = _check_date(on, "on")
    if on < match.referred_on:
        raise InvalidInput(_("日期不能早于推荐日期。"), field="on")
    with transaction.atomic():
        match.status = status
        if status == MatchStatus.HIRED:
            match.hired_on = on
        match.save(update_fields=["status", "hired_on", "updated_at"])
        record_event(
            village_code=match.village_code,
            subject="person",
            subject_id=match.person_id,
            verb=f"match_{status}",
            actor=user,
            data={"match": match.pk},
        )
        if status == MatchStatus.HIRED:
            posting = match.posting
            employment_add(
                user,
                match.person,
                employer=posting.employer,
                since=on,
                work=posting.title[:40],
                income_band=income_band,
                posting_id=posting.pk,
            )
    return match
