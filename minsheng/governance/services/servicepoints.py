"""服务点's writes: a point created or changed (its unit, kind, place, hours, services, the
villages it serves, its campaign and active period) and an entry of service given there.

Each function checks who may, validates everything, then writes in one transaction with a
`ServicePointEvent`; a refusal raises the ticket core's errors with a Chinese message and has
written nothing. Who may: administrators and the township government's own unit leaders and
handlers change a township's points (`visits.can_manage`); entries are also recorded by the
point's own unit's staff (`servicepoints.can_record`).

An entry form carries a one-time token: the same form sent again (a retry, a double tap) finds
the entry it recorded and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.governance import servicepoints as selectors
from minsheng.governance.models import (
    Campaign,
    ServiceEntry,
    ServicePoint,
    ServicePointEvent,
    ServicePointVillage,
)
from minsheng.org.models import Division, Role, Unit, User
from minsheng.tickets.errors import InvalidInput, NotAllowed

MAX_SERVICES = 20
MAX_SERVICE_CHARS = 20
MAX_COUNT = 100_000
MAX_DAYS_BACK = 366
MAX_NOTE = 500


def record_event(
    *,
    township: Division,
    point: ServicePoint | None,
    verb: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> ServicePointEvent:
    return ServicePointEvent.objects.create(
        township=township, point=point, verb=verb, actor=actor, data=data or {}
    )


@dataclass(frozen=True)
class PointInput:
    """A point as the form gives it."""

    unit: Unit | None
    kind: str
    name: str
    place: Division | None
    address: str = ""
    hours: str = ""
    services: Sequence[str] = ()
    villages: Sequence[Division] = ()
    whole_township: bool = False
    kind_label: str = ""
    campaign: Campaign | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class _Checked:
    data: PointInput
    township: Division
    services: list[str]
    villages: list[Division]


def clean_services(raw: Sequence[str]) -> list[str]:
    """The services offered, trimmed, each once, in the order given."""
    found: list[str] = []
    for item in raw:
        name = (item or "").strip()
        if not name:
            continue
        if len(name) > MAX_SERVICE_CHARS:
            raise InvalidInput(
                _("服务内容“%(s)s”太长了（不超过 %(n)s 字）。")
                % {"s": name, "n": MAX_SERVICE_CHARS},
                field="services",
            )
        if name not in found:
            found.append(name)
    if not found:
        raise InvalidInput(_("请至少填写一项服务内容。"), field="services")
    if len(found) > MAX_SERVICES:
        raise InvalidInput(_("服务内容最多 %(n)s 项。") % {"n": MAX_SERVICES}, field="services")
    return found


def unit_allowed(actor: User, unit: Unit, township: Division) -> bool:
    """A township's points are run by its government or a unit under it; administrators may
    also name a county department (e.g. the education bureau for a 护学岗)."""
    gov = selectors.township_unit(township)
    if gov is not None and unit.path.startswith(gov.path):
        return True
    return actor.has_role(Role.ADMINISTRATOR) and unit.kind == Unit.Kind.DEPARTMENT


def _check(actor: User, data: PointInput) -> _Checked:
    place = data.place
    township = selectors.township_of_place(place) if place is not None else None
    if place is None or township is None:
        raise InvalidInput(_("请选择服务点所在的乡镇或村（社区）。"), field="place")
    if not selectors.can_manage(actor, township):
        raise NotAllowed(_("只有本乡镇的工作人员和管理员可以管理服务点。"))
    name = (data.name or "").strip()
    if not name:
        raise InvalidInput(_("请填写服务点名称。"), field="name")
    if len(name) > 100:
        raise InvalidInput(_("服务点名称不能超过 100 字。"), field="name")
    if data.kind not in ServicePoint.Kind.values:
        raise InvalidInput(_("请选择服务点类型。"), field="kind")
    kind_label = (data.kind_label or "").strip()
    if data.kind == ServicePoint.Kind.OTHER and not kind_label:
        raise InvalidInput(_("类型为“其他”时请填写自定义类型。"), field="kind_label")
    if len(kind_label) > 20:
        raise InvalidInput(_("自定义类型不能超过 20 字。"), field="kind_label")
    unit = data.unit
    if unit is None or not unit.is_active:
        raise InvalidInput(_("请选择服务单位。"), field="unit")
    if not unit_allowed(actor, unit, township):
        raise InvalidInput(_("服务单位应为本乡镇政府或其下属单位。"), field="unit")
    address = (data.address or "").strip()
    hours = (data.hours or "").strip()
    if len(address) > 200:
        raise InvalidInput(_("地址不能超过 200 字。"), field="address")
    if len(hours) > 200:
        raise InvalidInput(_("服务时间不能超过 200 字。"), field="hours")
    services = clean_services(data.services)
    villages: list[Division] = []
    if not data.whole_township:
        seen: set[str] = set()
        for village in data.villages:
            if village.level != Division.Level.VILLAGE or village.parent_id != township.code:
                raise InvalidInput(
                    _("“%(v)s”不是%(t)s的村（社区）。") % {"v": village.name, "t": township.name},
                    field="villages",
                )
            if village.code not in seen:
                seen.add(village.code)
                villages.append(village)
        if not villages:
            raise InvalidInput(_("请选择服务的村（社区），或勾选服务全乡镇。"), field="villages")
    campaign = data.campaign
    if campaign is not None and campaign.township_id not in (None, township.code):
        raise InvalidInput(_("所选专项行动不属于本乡镇。"), field="campaign")
    if data.kind == ServicePoint.Kind.TEMPORARY and (
        data.starts_on is None or data.ends_on is None
    ):
        raise InvalidInput(_("临时服务点请填写开始和结束日期。"), field="starts_on")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise InvalidInput(_("结束日期不能早于开始日期。"), field="ends_on")
    clean = PointInput(
        unit=unit,
        kind=data.kind,
        kind_label=kind_label if data.kind == ServicePoint.Kind.OTHER else "",
        name=name,
        place=place,
        address=address,
        hours=hours,
        services=services,
        villages=villages,
        whole_township=data.whole_township,
        campaign=campaign,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    return _Checked(data=clean, township=township, services=services, villages=villages)


def _fields(c: _Checked) -> dict[str, Any]:
    d = c.data
    return {
        "unit": d.unit,
        "kind": d.kind,
        "kind_label": d.kind_label,
        "name": d.name,
        "place": d.place,
        "township": c.township,
        "address": d.address,
        "hours": d.hours,
        "services": c.services,
        "whole_township": d.whole_township,
        "campaign": d.campaign,
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
    }


def _summary(point: ServicePoint, villages: list[Division]) -> dict[str, Any]:
    return {
        "name": point.name,
        "kind": point.kind,
        "unit": point.unit.code,
        "place": point.place_id,
        "services": list(point.services),
        "whole_township": point.whole_township,
        "villages": [v.code for v in villages],
        "campaign": point.campaign_id,
        "starts_on": point.starts_on.isoformat() if point.starts_on else None,
        "ends_on": point.ends_on.isoformat() if point.ends_on else None,
    }


def _write_villages(point: ServicePoint, villages: list[Division]) -> None:
    ServicePointVillage.objects.filter(point=point).delete()
    ServicePointVillage.objects.bulk_create(
        ServicePointVillage(point=point, village=v, township_id=point.township_id) for v in villages
    )


def point_create(*, actor: User, data: PointInput) -> ServicePoint:
    """Create a service point (administrators; the township's own staff)."""
    checked = _check(actor, data)
    with transaction.atomic():
        point = ServicePoint.objects.create(created_by=actor, **_fields(checked))
        _write_villages(point, checked.villages)
        record_event(
            township=checked.township,
            point=point,
            verb="created",
            actor=actor,
            data=_summary(point, checked.villages),
        )
    return point


def point_update(*, actor: User, point: ServicePoint, data: PointInput) -> ServicePoint:
    """Change a point; it stays in its township (a point elsewhere is a new point)."""
    if not selectors.can_manage(actor, point.township):
        raise NotAllowed(_("只有本乡镇的工作人员和管理员可以管理服务点。"))
    checked = _check(actor, data)
    if checked.township.code != point.township_id:
        raise InvalidInput(_("服务点不能移到其他乡镇，请在该乡镇新建。"), field="place")
    with transaction.atomic():
        locked = ServicePoint.objects.select_for_update().get(pk=point.pk)
        before = _summary(locked, selectors.served_villages(locked))
        for name, value in _fields(checked).items():
            setattr(locked, name, value)
        locked.save()
        _write_villages(locked, checked.villages)
        after = _summary(locked, checked.villages)
        record_event(
            township=checked.township,
            point=locked,
            verb="updated",
            actor=actor,
            data={
                "changed": {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
            },
        )
    return locked


# --- Entries of service given -------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    entry: ServiceEntry
    repeated: bool  # an earlier copy of the same form recorded it; nothing written this time


def _earlier(actor: User, token: uuid.UUID | None) -> ServiceEntry | None:
    if token is None:
        return None
    found = ServiceEntry.objects.filter(token=token).first()
    if found is not None and found.recorded_by_id != actor.pk:
        raise InvalidInput(_("此表单已由他人提交过，请刷新后重新填写。"))
    return found


def entry_record(
    *,
    actor: User,
    point: ServicePoint,
    date: dt.date,
    service: str,
    count: int,
    note: str = "",
    token: uuid.UUID | None = None,
) -> Recorded:
    """Record service given at a point on a day (the point's staff; the township's managers)."""
    earlier = _earlier(actor, token)
    if earlier is not None:
        return Recorded(earlier, repeated=True)
    if not selectors.can_record(actor, point):
        raise NotAllowed(_("只有服务点所属单位和本乡镇的工作人员可以记录服务。"))
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise InvalidInput(_("请填写服务日期。"), field="date")
    today = timezone.localdate()
    if date > today:
        raise InvalidInput(_("服务日期不能晚于今天。"), field="date")
    if (today - date).days > MAX_DAYS_BACK:
        raise InvalidInput(_("只能补记一年以内的服务。"), field="date")
    if not selectors.is_active(point, date):
        raise InvalidInput(_("该服务点在这一天没有开放。"), field="date")
    service = (service or "").strip()
    if not service:
        raise InvalidInput(_("请选择服务内容。"), field="service")
    if point.services and service not in point.services:
        raise InvalidInput(_("请选择该服务点提供的服务内容。"), field="service")
    if len(service) > MAX_SERVICE_CHARS:
        raise InvalidInput(_("服务内容太长了。"), field="service")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise InvalidInput(_("服务人次应在 1 到 %(n)s 之间。") % {"n": MAX_COUNT}, field="count")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("备注不能超过 %(n)s 字。") % {"n": MAX_NOTE}, field="note")
    try:
        with transaction.atomic():
            entry = ServiceEntry.objects.create(
                point=point,
                date=date,
                service=service,
                count=count,
                note=note,
                recorded_by=actor,
                token=token,
            )
            record_event(
                township=point.township,
                point=point,
                verb="entry",
                actor=actor,
                data={
                    "entry": entry.pk,
                    "date": date.isoformat(),
                    "service": service,
                    "count": count,
                },
            )
    except IntegrityError:
        # The same form, sent twice at once: the other copy recorded it.
        again = _earlier(actor, token)
        if again is None:
            raise
        return Recorded(again, repeated=True)
    return Recorded(entry, repeated=False)
