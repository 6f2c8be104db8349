"""专项行动: the only writer of campaigns, their indicators, inspections and entries.

Each service checks who acts and validates everything before it writes, then writes in one
transaction with a `CampaignEvent` row; a refusal (InvalidInput, NotAllowed of the ticket core,
Chinese messages) has written nothing. Photos are read from their content by Pillow
(minsheng/lib/images.py), turned upright, scaled and stored as a JPEG without metadata under a
random name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from minsheng.governance.campaigns import (
    area_tickets,
    can_create_campaign,
    can_enter_for,
    can_inspect,
    may_manage,
    may_tag,
)
from minsheng.governance.models import (
    Campaign,
    CampaignEvent,
    CampaignTicket,
    Entry,
    EntryTally,
    Indicator,
    IndicatorKind,
    Inspection,
    TallyBy,
)
from minsheng.lib import images
from minsheng.org.models import Division, Unit, User
from minsheng.tickets.errors import InvalidInput, NotAllowed

PHOTO_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_COUNT = 100_000  # one entry's count: a typo guard, not a law
MAX_POINTS = 100_000
HUNDRED = Decimal(100)
TARGET_MAX = Decimal("9999999999")


def record_event(
    *,
    campaign: Campaign,
    subject: str,
    subject_id: int | None,
    verb: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> CampaignEvent:
    """Append one row to the campaigns' audit trail; call inside the service's transaction."""
    return CampaignEvent.objects.create(
        campaign=campaign,
        subject=subject,
        subject_id=subject_id,
        verb=verb,
        actor=actor if actor is not None and actor.pk else None,
        data=data or {},
    )


def tally_keys(entry: Entry) -> list[tuple[str, str]]:
    """The tallies an entry counts in: its day, its unit, its village ("" for none)."""
    return [
        (TallyBy.DAY, entry.day.isoformat()),
        (TallyBy.UNIT, str(entry.unit_id)),
        (TallyBy.VILLAGE, entry.village_id or ""),
    ]


def _add_to_tallies(entry: Entry) -> None:
    """Add the entry's count to its three tallies (created at the first entry; a concurrent
    first entry that created the row meanwhile is retried as an update)."""
    for by, key in tally_keys(entry):
        rows = EntryTally.objects.filter(indicator_id=entry.indicator_id, by=by, key=key)
        if rows.update(total=F("total") + entry.count):
            continue
        try:
            with transaction.atomic():
                EntryTally.objects.create(
                    indicator_id=entry.indicator_id, by=by, key=key, total=entry.count
                )
        except IntegrityError:
            rows.update(total=F("total") + entry.count)


def prepare_photo(upload: Any) -> ContentFile[bytes] | None:
    """The upload as a clean JPEG to store, or None without an upload; InvalidInput otherwise."""
    if upload is None:
        return None
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise InvalidInput(_("照片是空的。"), field="photo")
    if size > MAX_PHOTO_BYTES:
        raise InvalidInput(_("照片不能超过 10 MB。"), field="photo")
    try:
        image = images.open_image(upload, PHOTO_FORMATS)
    except images.NotAnImage:
        raise InvalidInput(_("照片须为 JPEG、PNG 或 WEBP 图片。"), field="photo") from None
    return ContentFile(images.clean_jpeg(image), name=f"{uuid.uuid4().hex}.jpg")


def _text(value: str, limit: int, field: str, label: str, *, required: bool = False) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit}, field=field
        )
    return text


def _within(campaign: Campaign, day: dt.date) -> None:
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise InvalidInput(
            _("日期须在行动期间内（%(start)s 至 %(end)s）。")
            % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()},
            field="day",
        )


def _village(campaign: Campaign, village: Division | None) -> None:
    if village is None:
        return
    if village.level != Division.Level.VILLAGE:
        raise InvalidInput(_("请选择村（社区）。"), field="village")
    if campaign.township_id and village.parent_id != campaign.township_id:
        raise InvalidInput(_("该村（社区）不在本行动的乡镇。"), field="village")


@dataclass(frozen=True)
class CampaignInput:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    lead_unit: Unit
    units: tuple[Unit, ...] = ()
    township: Division | None = None
    is_public: bool = False
    description: str = ""


def campaign_create(*, actor: User, data: CampaignInput) -> Campaign:
    """A new campaign; its lead unit takes part too."""
    if not can_create_campaign(actor, data.lead_unit):
        raise NotAllowed(_("您不能为该单位创建专项行动。"))
    name = _text(data.name, 100, "name", _("名称"), required=True)
    description = _text(data.description, 2000, "description", _("说明"))
    if data.ends_on < data.starts_on:
        raise InvalidInput(_("结束日期不能早于开始日期。"), field="ends_on")
    if data.township is not None and data.township.level != Division.Level.TOWNSHIP:
        raise InvalidInput(_("请选择乡镇（街道）。"), field="township")
    units = {u.pk: u for u in (data.lead_unit, *data.units)}
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            township=data.township,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            lead_unit=data.lead_unit,
            is_public=data.is_public,
            description=description,
            created_by=actor,
        )
        campaign.units.set(list(units.values()))
        record_event(
            campaign=campaign,
            subject="campaign",
            subject_id=campaign.pk,
            verb="create",
            actor=actor,
            data={"name": name, "units": sorted(u.code for u in units.values())},
        )
    return campaign


def indicator_add(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    kind: str,
    target: Decimal,
    baseline: Decimal | None = None,
    unit_label: str = "",
) -> Indicator:
    """An indicator: a rate (baseline and target, percent in [0, 100], target above the
    baseline) or a count (a positive target; no baseline)."""
    if not may_manage(actor, campaign):
        raise NotAllowed(_("只有牵头单位可以设置指标。"))
    name = _text(name, 100, "name", _("指标名称"), required=True)
    unit_label = _text(unit_label, 16, "unit_label", _("计量单位"))
    if kind not in IndicatorKind.values:
        raise InvalidInput(_("指标类型无效。"), field="kind")
    if not isinstance(target, Decimal) or not target.is_finite():
        raise InvalidInput(_("目标须为数字。"), field="target")
    if kind == IndicatorKind.RATE:
        if baseline is None or not baseline.is_finite():
            raise InvalidInput(_("达标率指标须填写基线。"), field="baseline")
        if not (0 <= baseline <= HUNDRED and 0 < target <= HUNDRED):
            raise InvalidInput(_("达标率须在 0 到 100 之间。"), field="target")
        if target <= baseline:
            raise InvalidInput(_("目标须高于基线。"), field="target")
        baseline = baseline.quantize(Decimal("0.01"))
        unit_label = unit_label or "%"
    else:
        if baseline is not None:
            raise InvalidInput(_("数量指标没有基线。"), field="baseline")
        if not (0 < target <= TARGET_MAX) or target != target.to_integral_value():
            raise InvalidInput(_("目标须为正整数。"), field="target")
    with transaction.atomic():
        position = campaign.indicators.count()
        indicator = Indicator.objects.create(
            campaign=campaign,
            name=name,
            kind=kind,
            unit_label=unit_label,
            baseline=baseline,
            target=target.quantize(Decimal("0.01")),
            position=position,
        )
        record_event(
            campaign=campaign,
            subject="indicator",
            subject_id=indicator.pk,
            verb="add",
            actor=actor,
            data={"name": name, "kind": kind, "target": str(target), "baseline": str(baseline)},
        )
    return indicator


def inspection_record(
    *,
    actor: User,
    indicator: Indicator,
    day: dt.date,
    place: str,
    checked: int,
    passing: int,
    village: Division | None = None,
    photo: Any = None,
    note: str = "",
) -> Inspection:
    """One sampled inspection of a rate indicator: `passing` of `checked` points."""
    campaign = indicator.campaign
    if not can_inspect(actor, campaign):
        raise NotAllowed(_("您不是本行动的参与人员。"))
    if indicator.kind != IndicatorKind.RATE:
        raise InvalidInput(_("抽查只适用于达标率指标。"), field="indicator")
    _within(campaign, day)
    place = _text(place, 200, "place", _("地点"), required=True)
    note = _text(note, 500, "note", _("备注"))
    if not 0 < checked <= MAX_POINTS:
        raise InvalidInput(_("抽查点位数须大于 0。"), field="checked")
    if not 0 <= passing <= checked:
        raise InvalidInput(_("达标点位数不能超过抽查点位数。"), field="passing")
    _village(campaign, village)
    content = prepare_photo(photo)
    with transaction.atomic():
        inspection = Inspection(
            indicator=indicator,
            day=day,
            place=place,
            village=village,
            checked=checked,
            passing=passing,
            inspector=actor,
            note=note,
        )
        if content is not None:
            inspection.photo.save(content.name or "photo.jpg", content, save=False)
        inspection.save()
        record_event(
            campaign=campaign,
            subject="inspection",
            subject_id=inspection.pk,
            verb="record",
            actor=actor,
            data={"indicator": indicator.pk, "day": day.isoformat(), "n": passing, "N": checked},
        )
    return inspection


def entry_add(
    *,
    actor: User,
    indicator: Indicator,
    day: dt.date,
    unit: Unit,
    count: int,
    place: str = "",
    village: Division | None = None,
    photo: Any = None,
    note: str = "",
) -> Entry:
    """A team's entry on a count indicator, for a participating unit."""
    campaign = indicator.campaign
    if indicator.kind != IndicatorKind.COUNT:
        raise InvalidInput(_("台账只适用于数量指标。"), field="indicator")
    if not campaign.units.filter(pk=unit.pk).exists():
        raise InvalidInput(_("该单位不是本行动的参与单位。"), field="unit")
    if not can_enter_for(actor, campaign, unit):
        raise NotAllowed(_("您只能为本单位填报。"))
    _within(campaign, day)
    if not 0 < count <= MAX_COUNT:
        raise InvalidInput(_("数量须为正整数。"), field="count")
    place = _text(place, 200, "place", _("地点"))
    note = _text(note, 500, "note", _("备注"))
    _village(campaign, village)
    content = prepare_photo(photo)
    with transaction.atomic():
        entry = Entry(
            campaign=campaign,
            indicator=indicator,
            day=day,
            unit=unit,
            village=village,
            count=count,
            place=place,
            note=note,
            entered_by=actor,
        )
        if content is not None:
            entry.photo.save(content.name or "photo.jpg", content, save=False)
        entry.save()
        _add_to_tallies(entry)
        record_event(
            campaign=campaign,
            subject="entry",
            subject_id=entry.pk,
            verb="add",
            actor=actor,
            data={"indicator": indicator.pk, "day": day.isoformat(), "count": count},
        )
    return entry


MAX_TAG = 50


def campaign_tag_tickets(*, actor: User, campaign: Campaign, numbers: list[str]) -> int:
    """Tag tickets (by number) to the campaign; returns how many were newly tagged. Every number
    must be a ticket of the campaign's area; already tagged ones are left as they are."""
    if not may_tag(actor, campaign):
        raise NotAllowed(_("只有参与单位可以关联工单。"))
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not wanted:
        raise InvalidInput(_("请填写工单编号。"), field="numbers")
    if len(wanted) > MAX_TAG:
        raise InvalidInput(_("一次最多关联 %(n)s 件工单。") % {"n": MAX_TAG}, field="numbers")
    found = dict(area_tickets(campaign).filter(number__in=wanted).values_list("number", "pk"))
    missing = [n for n in wanted if n not in found]
    if missing:
        raise InvalidInput(
            _("工单 %(n)s 不存在或不在本行动的范围内。") % {"n": "、".join(missing)},
            field="numbers",
        )
    with transaction.atomic():
        already = set(
            CampaignTicket.objects.filter(
                campaign=campaign, ticket_id__in=found.values()
            ).values_list("ticket_id", flat=True)
        )
        new = [n for n in wanted if found[n] not in already]
        CampaignTicket.objects.bulk_create(
            [CampaignTicket(campaign=campaign, ticket_id=found[n], tagged_by=actor) for n in new],
            ignore_conflicts=True,
        )
        if new:
            record_event(
                campaign=campaign,
                subject="ticket",
                subject_id=None,
                verb="tag",
                actor=actor,
                data={"tickets": new},
            )
    return len(new)


def campaign_untag_ticket(*, actor: User, campaign: Campaign, number: str) -> None:
    if not may_tag(actor, campaign):
        raise NotAllowed(_("只有参与单位可以关联工单。"))
    with transaction.atomic():
        deleted, _rows = CampaignTicket.objects.filter(
            campaign=campaign, ticket__number=number
        ).delete()
        if not deleted:
            raise InvalidInput(_("该工单未关联本行动。"), field="numbers")
        record_event(
            campaign=campaign,
            subject="ticket",
            subject_id=None,
            verb="untag",
            actor=actor,
            data={"tickets": [number]},
        )
