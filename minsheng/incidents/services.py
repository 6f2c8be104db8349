"""Every change to incidents, the roster and the notice register: one function each,
keyword-only, in one transaction, in the order of the ticket core — lock, ask the rulebook,
validate input, then write (so a refusal writes nothing), with an audit `Event` and the
notifications queued in the same transaction (the outbox sends after commit).

Tickets change only through `minsheng.tickets.actions` (并单 `ticket_merge`, 答复
`ticket_reply`, 催办 `ticket_remind`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minsheng.incidents import rules
from minsheng.incidents.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.incidents.models import (
    Broadcast,
    Event,
    Incident,
    IncidentStatus,
    IncidentTicket,
    Kind,
    LogEntry,
    LogKind,
    Machine,
    MachineKind,
    Mobilisation,
    NoticeSubscriber,
    ResourceKind,
    Severity,
    Team,
    Volunteer,
    VolunteerGroup,
)
from minsheng.incidents.phones import canonical, phone_hash
from minsheng.lib.bulk import insert_rows, insert_unless_exists
from minsheng.lib.xlsx import UnreadableWorkbook, read_rows
from minsheng.notify.delivery import nudge
from minsheng.notify.message_templates import render
from minsheng.notify.models import Outbox, OutboxChannel
from minsheng.notify.services import enqueue, notify_users
from minsheng.org.models import Division, Unit, User
from minsheng.org.population import populations_of, significant_prefix
from minsheng.tickets import actions as ticket_actions
from minsheng.tickets import rules as ticket_rules
from minsheng.tickets.models import OPEN_STATUSES, ReplyResult, Status, Ticket

MAX_TICKETS = 200
MAX_VILLAGES = 200
MAX_POPULATION = 50_000_000
FUTURE_SLACK = dt.timedelta(minutes=5)  # a phone's clock a little ahead is not "the future"
BROADCAST_MAX = 300  # characters: about five SMS segments


def _event(incident: Incident | None, actor: User, verb: str, **data: Any) -> None:
    Event.objects.create(incident=incident, actor=actor, verb=verb, data=data)


def _text(value: str, label: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)s 个字。") % {"label": label, "limit": limit}, field=field
        )
    return text


def _not_future(at: dt.datetime, label: str, field: str) -> None:
    if at > timezone.now() + FUTURE_SLACK:
        raise InvalidInput(_("%(label)s不能晚于现在。") % {"label": label}, field=field)


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


# --- Raising ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raised:
    incident: Incident
    created: bool  # False: the tickets were already in an open incident, shown instead


def _open_incident_of(ticket_ids: Sequence[int]) -> Incident | None:
    link = (
        IncidentTicket.objects.filter(ticket_id__in=ticket_ids, is_open=True)
        .select_related("incident")
        .order_by("incident_id")
        .first()
    )
    return link.incident if link else None


def _villages(codes: Sequence[str]) -> list[Division]:
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    if not wanted:
        raise InvalidInput(_("请选择受影响的村庄。"), field="villages")
    if len(wanted) > MAX_VILLAGES:
        raise InvalidInput(_("受影响村庄过多。"), field="villages")
    found = list(
        Division.objects.filter(code__in=wanted, level__gte=Division.Level.TOWNSHIP).order_by(
            "code"
        )
    )
    if len(found) != len(wanted):
        missing = sorted(set(wanted) - {d.code for d in found})
        raise InvalidInput(
            _("行政区划 %(codes)s 不存在或不是乡镇、村。") % {"codes": "、".join(missing)},
            field="villages",
        )
    return found


def computed_population(codes: Sequence[str], on: dt.date) -> int | None:
    """The register's people of the affected divisions (each an own count or the sum of its
    counted parts); None when none of them is counted."""
    counts = populations_of(codes, on=on)
    return sum(counts.values()) if counts else None


def incident_raise(
    *,
    actor: User,
    tickets: Sequence[Ticket],
    kind: str,
    title: str,
    severity: str,
    started_at: dt.datetime,
    villages: Sequence[str],
    population_override: int | None = None,
    merge: bool = False,
) -> Raised:
    """升级为重大突发事件: the tickets (the first is the main one) become one incident.

    Two dispatchers raising the same tickets at once end with one incident: the tickets' rows
    are locked first (in primary-key order), so the second waits, then finds the first's open
    incident and gets it back (`created` False). The partial unique index on the link's
    ticket among open incidents is the backstop should any path skip the lock. With `merge`
    the other tickets are merged into the first through `ticket_merge` (the existing 并单);
    else they are linked and keep their own handling.
    """
    rules.check_raise(actor)
    if kind not in Kind.values:
        raise InvalidInput(_("请选择事件类型。"), field="kind")
    if severity not in Severity.values:
        raise InvalidInput(_("请选择事件等级。"), field="severity")
    title = _text(title, _("事件名称"), field="title", limit=200)
    _not_future(started_at, _("发生时间"), "started_at")
    if population_override is not None and not 0 <= population_override <= MAX_POPULATION:
        raise InvalidInput(_("影响人数不合理。"), field="population_override")
    ids = sorted({t.pk for t in tickets})
    if not ids:
        raise InvalidInput(_("请选择至少一件工单。"), field="tickets")
    if len(ids) > MAX_TICKETS:
        raise InvalidInput(_("一次最多关联 %(n)s 件工单。") % {"n": MAX_TICKETS}, field="tickets")
    divisions = _villages(villages)
    main_id = tickets[0].pk
    with transaction.atomic():
        locked = list(Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(locked) != len(ids):
            raise InvalidInput(_("工单不存在。"), field="tickets")
        existing = _open_incident_of(ids)
        if existing is not None:
            return Raised(existing, created=False)
        shut = [t.number for t in locked if t.status not in OPEN_STATUSES]
        if shut:
            raise InvalidTransition(
                _("工单 %(numbers)s 已结束，不能纳入事件。") % {"numbers": "、".join(shut)}
            )
        codes = [d.code for d in divisions]
        try:
            with transaction.atomic():  # a savepoint: the backstop's IntegrityError stays here
                incident = Incident.objects.create(
                    kind=kind,
                    title=title,
                    severity=severity,
                    started_at=started_at,
                    population_computed=computed_population(codes, timezone.localdate(started_at)),
                    population_override=population_override,
                    raised_by=actor,
                )
                incident.divisions.set(divisions)
                IncidentTicket.objects.bulk_create(
                    IncidentTicket(incident=incident, ticket_id=pk, merged=merge and pk != main_id)
                    for pk in ids
                )
        except IntegrityError:
            existing = _open_incident_of(ids)
            if existing is None:
                raise
            return Raised(existing, created=False)
        by_pk = {t.pk: t for t in locked}
        if merge:
            for pk in ids:
                if pk != main_id:
                    ticket_actions.ticket_merge(
                        ticket=by_pk[pk],
                        actor=actor,
                        master=by_pk[main_id],
                        note=f"同一突发事件：{title}",
                    )
        _event(
            incident,
            actor,
            "raise",
            tickets=[by_pk[pk].number for pk in ids],
            villages=codes,
            merged=merge,
        )
    return Raised(incident, created=True)


def incident_link_tickets(
    *, incident: Incident, actor: User, tickets: Sequence[Ticket], merge: bool = False
) -> int:
    """Add tickets of the same area and problem to an open incident (linked or merged into its
    main ticket); tickets already in an open incident are refused by name."""
    ids = sorted({t.pk for t in tickets})
    if not ids:
        raise InvalidInput(_("请选择至少一件工单。"), field="tickets")
    with transaction.atomic():
        incident = _lock(incident)
        rules.check_command(incident=incident, user=actor, what=_("关联工单"))
        locked = list(Ticket.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        taken = IncidentTicket.objects.filter(ticket_id__in=ids, is_open=True)
        busy = [link.ticket.number for link in taken.select_related("ticket")]
        if busy:
            raise InvalidTransition(
                _("工单 %(numbers)s 已属于处置中的事件。") % {"numbers": "、".join(busy)}
            )
        shut = [t.number for t in locked if t.status not in OPEN_STATUSES]
        if shut:
            raise InvalidTransition(
                _("工单 %(numbers)s 已结束，不能纳入事件。") % {"numbers": "、".join(shut)}
            )
        main = main_ticket(incident)
        IncidentTicket.objects.bulk_create(
            IncidentTicket(incident=incident, ticket_id=t.pk, merged=merge) for t in locked
        )
        if merge and main is not None:
            for ticket in locked:
                ticket_actions.ticket_merge(
                    ticket=ticket,
                    actor=actor,
                    master=main,
                    note=f"同一突发事件：{incident.title}",
                )
        _event(incident, actor, "link", tickets=[t.number for t in locked], merged=merge)
    return len(locked)


def main_ticket(incident: Incident) -> Ticket | None:
    link = incident.links.filter(merged=False).select_related("ticket").order_by("id").first()
    return link.ticket if link else None


# --- The roster ------------------------------------------------------------------------------


def _phone(value: str, *, required: bool) -> str:
    if not value or not value.strip():
        if required:
            raise InvalidInput(_("请填写联系电话。"), field="phone")
        return ""
    phone = canonical(value)
    if phone is None:
        raise InvalidInput(_("联系电话格式不正确。"), field="phone")
    return phone


@transaction.atomic
def team_save(
    *,
    actor: User,
    unit: Unit,
    name: str,
    leader: User | None = None,
    phone: str = "",
    members: int = 0,
    team: Team | None = None,
) -> Team:
    rules.check_roster(actor)
    name = _text(name, _("队伍名称"), field="name", limit=100)
    phone = _phone(phone, required=leader is None)
    if not 0 <= members <= 100_000:
        raise InvalidInput(_("人数不合理。"), field="members")
    twins = Team.objects.filter(unit=unit, name=name)
    if team is not None:
        twins = twins.exclude(pk=team.pk)
    if twins.exists():
        raise InvalidInput(_("该单位已有同名队伍。"), field="name")
    team = team or Team()
    team.unit, team.name, team.leader, team.phone, team.members = unit, name, leader, phone, members
    team.save()
    _event(None, actor, "team_save", team=team.pk)
    return team


@transaction.atomic
def machine_save(
    *,
    actor: User,
    kind: str,
    label: str,
    owner_unit: Unit | None = None,
    owner_company: str = "",
    contact_name: str = "",
    phone: str = "",
    count: int = 1,
) -> Machine:
    rules.check_roster(actor)
    if kind not in MachineKind.values:
        raise InvalidInput(_("请选择机械类型。"), field="kind")
    label = _text(label, _("车牌/型号"), field="label", limit=60)
    company = (owner_company or "").strip()[:100]
    if (owner_unit is None) == (not company):
        raise InvalidInput(_("所属单位和所属企业请填写且只填写一项。"), field="owner_company")
    phone = _phone(phone, required=True)
    if not 1 <= count <= 10_000:
        raise InvalidInput(_("数量不合理。"), field="count")
    machine = Machine.objects.create(
        kind=kind,
        label=label,
        owner_unit=owner_unit,
        owner_company=company,
        contact_name=contact_name.strip()[:50],
        phone=phone,
        count=count,
    )
    _event(None, actor, "machine_save", machine=machine.pk)
    return machine


@transaction.atomic
def volunteer_save(
    *,
    actor: User,
    name: str,
    phone: str,
    skills: str = "",
    village: Division | None = None,
    groups: Sequence[VolunteerGroup] = (),
) -> Volunteer:
    rules.check_roster(actor)
    name = _text(name, _("姓名"), field="name", limit=50)
    phone = _phone(phone, required=True)
    skills = _text(skills, _("技能"), field="skills", limit=200, required=False)
    volunteer, _created = Volunteer.objects.update_or_create(
        name=name, phone=phone, defaults={"skills": skills, "village": village, "is_active": True}
    )
    for group in groups:
        group.members.add(volunteer)
    _event(None, actor, "volunteer_save", volunteer=volunteer.pk)
    return volunteer


@transaction.atomic
def group_save(*, actor: User, name: str, members: Sequence[Volunteer] = ()) -> VolunteerGroup:
    rules.check_roster(actor)
    name = _text(name, _("志愿队名称"), field="name", limit=100)
    group, _created = VolunteerGroup.objects.get_or_create(name=name)
    if members:
        group.members.add(*members)
    _event(None, actor, "group_save", group=group.pk)
    return group


# --- Mobilising --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mobilised:
    mobilisation: Mobilisation
    created: bool  # False: the resource was already assigned (nothing notified again)


def _resource(kind: str, resource_id: int) -> Team | Machine | Volunteer | VolunteerGroup:
    models: dict[str, type[Team | Machine | Volunteer | VolunteerGroup]] = {
        ResourceKind.TEAM.value: Team,
        ResourceKind.MACHINE.value: Machine,
        ResourceKind.VOLUNTEER.value: Volunteer,
        ResourceKind.GROUP.value: VolunteerGroup,
    }
    model = models.get(kind)
    if model is None:
        raise InvalidInput(_("请选择资源类型。"), field="kind")
    found = model._default_manager.filter(pk=resource_id).first()
    if found is None or not getattr(found, "is_active", True):
        raise InvalidInput(_("资源不存在或不可调用。"), field="resource")
    return found


def _label(resource: Team | Machine | Volunteer | VolunteerGroup) -> str:
    if isinstance(resource, Team):
        return f"{resource.unit.name} {resource.name}"
    if isinstance(resource, Machine):
        return f"{resource.owner} {resource.get_kind_display()} {resource.label}"
    return str(resource)


def incident_mobilise(
    *, incident: Incident, actor: User, kind: str, resource_id: int, task: str = ""
) -> Mobilised:
    """调度: assign a resource; each person or contact is told once per incident (the outbox's
    key is per incident and person, so a volunteer assigned alone and with their group, or a
    resource assigned twice, gets one SMS); a team's leader also gets an in-app message."""
    with transaction.atomic():
        incident = _lock(incident)
        rules.check_command(actor, incident, what=_("调度资源"))
        resource = _resource(kind, resource_id)
        task = _text(task, _("任务"), field="task", limit=200, required=False)
        mobilisation = Mobilisation(
            incident=incident,
            kind=kind,
            resource_id=resource.pk,
            label=_label(resource)[:200],
            task=task,
            assigned_by=actor,
            reply_code=f"{secrets.randbelow(10_000):04d}",
        )
        if not insert_unless_exists(mobilisation):
            existing = Mobilisation.objects.get(
                incident=incident, kind=kind, resource_id=resource.pk
            )
            return Mobilised(existing, created=False)
        sent = _notify_mobilised(incident, mobilisation, resource)
        Mobilisation.objects.filter(pk=mobilisation.pk).update(notified=sent)
        mobilisation.notified = sent
        _event(incident, actor, "mobilise", kind=kind, resource=resource.pk, notified=sent)
    return Mobilised(mobilisation, created=True)


def _notify_mobilised(
    incident: Incident,
    mobilisation: Mobilisation,
    resource: Team | Machine | Volunteer | VolunteerGroup,
) -> int:
    context = {
        "incident": incident.title,
        "resource": mobilisation.label,
        "task": mobilisation.task or "听从现场指挥",
        "code": mobilisation.reply_code,
    }
    phones: list[tuple[str, str]] = []  # (key, phone)
    base = f"incident:{incident.pk}"
    users: list[User] = []
    if isinstance(resource, Team):
        if resource.phone:
            phones.append((f"{base}:team:{resource.pk}:sms", resource.phone))
        if resource.leader is not None:
            users.append(resource.leader)
    elif isinstance(resource, Machine):
        phones.append((f"{base}:machine:{resource.pk}:sms", resource.phone))
    elif isinstance(resource, Volunteer):
        phones.append((f"{base}:volunteer:{resource.pk}:sms", resource.phone))
    else:
        for member in resource.members.filter(is_active=True).order_by("pk"):
            phones.append((f"{base}:volunteer:{member.pk}:sms", member.phone))
    sent = 0
    for key, phone in phones:
        if enqueue(
            key=key,
            channel=OutboxChannel.SMS,
            recipient=phone,
            template="incident_mobilised_sms",
            context=context,
        ):
            sent += 1
    if users:
        sent += notify_users(
            key_prefix=f"{base}:mobilisation:{mobilisation.pk}",
            users=users,
            template="incident_mobilised",
            context=context,
            url=f"/incidents/{incident.pk}/",
        )
    return sent


@transaction.atomic
def mobilisation_ack(
    *, mobilisation: Mobilisation, actor: User, by_phone: bool, note: str = "", reply_code: str = ""
) -> Mobilisation:
    """确认: a team's leader acknowledges in-app; a commander records an acknowledgement made
    by phone (with the reply code the person read back, if any). A second one changes nothing."""
    mobilisation = Mobilisation.objects.select_for_update().get(pk=mobilisation.pk)
    incident = mobilisation.incident
    if by_phone:
        rules.check_command(actor, incident, what=_("登记确认"))
    else:
        leader_id = None
        if mobilisation.kind == ResourceKind.TEAM:
            leader_id = (
                Team.objects.filter(pk=mobilisation.resource_id)
                .values_list("leader_id", flat=True)
                .first()
            )
        if leader_id != actor.pk:
            raise NotAllowed(_("只有该队伍的负责人可以确认接收。"))
        if incident.status != IncidentStatus.OPEN:
            raise InvalidTransition(_("事件已结束。"))
    if mobilisation.acked_at is not None:
        return mobilisation
    note = _text(note, _("确认说明"), field="note", limit=200, required=False)
    code = (reply_code or "").strip()
    if code and code != mobilisation.reply_code:
        raise InvalidInput(_("回复码不正确。"), field="reply_code")
    mobilisation.acked_at = timezone.now()
    mobilisation.acked_by = actor
    mobilisation.ack_channel = "phone" if by_phone else "inapp"
    mobilisation.ack_note = note
    mobilisation.save(update_fields=["acked_at", "acked_by", "ack_channel", "ack_note"])
    _event(incident, actor, "ack", mobilisation=mobilisation.pk, by_phone=by_phone)
    return mobilisation


# --- The situation log -----------------------------------------------------------------------


@transaction.atomic
def log_add(
    *, incident: Incident, actor: User, kind: str, at: dt.datetime, text: str = ""
) -> LogEntry:
    """态势日志: an entry at the time it happened (not only now). 恢复供水 sets the incident's
    restored time, which closing reads."""
    incident = _lock(incident)
    rules.check_command(actor, incident, what=_("记录态势"))
    if kind not in LogKind.values:
        raise InvalidInput(_("请选择日志类型。"), field="kind")
    text = _text(text, _("内容"), field="text", limit=500, required=kind == LogKind.NOTE)
    _not_future(at, _("时间"), "at")
    if at < incident.started_at:
        raise InvalidInput(_("时间不能早于事件发生时间。"), field="at")
    entry = LogEntry.objects.create(incident=incident, at=at, kind=kind, text=text, by=actor)
    if kind == LogKind.RESTORED:
        incident.restored_at = at
        incident.save(update_fields=["restored_at"])
    _event(incident, actor, "log", entry=entry.pk, kind=kind)
    return entry


# --- The notice register and broadcasts ------------------------------------------------------


@transaction.atomic
def subscriber_add(
    *, actor: User, village: Division, phone: str, name: str = ""
) -> tuple[NoticeSubscriber, bool]:
    """Register a resident's phone for a village's notices (they agreed); again after opting
    out, it opts in again. Returns (row, created)."""
    rules.check_roster(actor)
    if village.level != Division.Level.VILLAGE:
        raise InvalidInput(_("请选择村。"), field="village")
    number = _phone(phone, required=True)
    digest = phone_hash(number)
    row, created = NoticeSubscriber.objects.get_or_create(
        village=village,
        phone_hash=digest,
        defaults={"phone": number, "name": name.strip()[:50]},
    )
    if not created and row.opted_out_at is not None:
        row.opted_out_at = None
        row.opted_in_at = timezone.now()
        row.save(update_fields=["opted_out_at", "opted_in_at"])
    _event(None, actor, "subscriber_add", village=village.code, created=created)
    return row, created


def subscriber_opt_out(*, village: Division, phone: str) -> int:
    """退订: the resident's phone stops receiving the village's notices."""
    number = canonical(phone)
    if number is None:
        return 0
    return NoticeSubscriber.objects.filter(
        village=village, phone_hash=phone_hash(number), opted_out_at__isnull=True
    ).update(opted_out_at=timezone.now())


def live_subscribers(incident: Incident) -> Q:
    """The registered phones of the incident's divisions (a township covers its villages)."""
    area = Q()
    for code in incident.divisions.values_list("code", flat=True):
        area |= Q(village__code__startswith=significant_prefix(code))
    return area & Q(opted_out_at__isnull=True)


@dataclass(frozen=True)
class Sent:
    broadcast: Broadcast
    created: bool  # False: the same form sent again; nothing queued twice


def broadcast_send(
    *, incident: Incident, actor: User, text: str, token: str, now: dt.datetime | None = None
) -> Sent:
    """群发短信 to the affected villages' registered phones: one outbox row per phone (a phone
    registered in two villages once), queued with one set-based INSERT and paced — row i is
    due at `now + i // per_minute` minutes (MINSHENG_INCIDENT_SMS_PER_MINUTE), so the worker
    hands the gateway at most that many a minute. The form's token makes a second click (or a
    resent form) return the first broadcast; zero phones is refused and queues nothing."""
    token = (token or "").strip()
    if not 8 <= len(token) <= 64:
        raise InvalidInput(_("表单已失效，请刷新页面后重试。"), field="token")
    rules.check_command(actor, what=_("群发短信"))
    with transaction.atomic():
        incident = _lock(incident)
        previous = Broadcast.objects.filter(token=token).first()
        if previous is not None:
            return Sent(previous, created=False)
        rules.check_command(actor, incident, what=_("群发短信"))
        text = _text(text, _("短信内容"), field="text", limit=BROADCAST_MAX)
        phones: dict[str, str] = {}
        rows = NoticeSubscriber.objects.filter(live_subscribers(incident)).order_by("pk")
        for digest, phone in rows.values_list("phone_hash", "phone").iterator(chunk_size=5000):
            phones.setdefault(digest, phone)
        if not phones:
            raise InvalidInput(
                _("受影响村庄还没有登记接收通知的手机号，未发送任何短信。"), field="text"
            )
        per_minute = int(settings.MINSHENG_INCIDENT_SMS_PER_MINUTE)
        broadcast = Broadcast(
            incident=incident,
            token=token,
            text=text,
            recipients=len(phones),
            per_minute=per_minute,
            by=actor,
        )
        if not insert_unless_exists(broadcast):  # two clicks at once: the other one won
            return Sent(Broadcast.objects.get(token=token), created=False)
        context = {"incident": incident.title, "text": text}
        render("incident_broadcast_sms", context)  # fail here, not at delivery
        start = now or timezone.now()
        prefix = broadcast.key_prefix
        minute = dt.timedelta(minutes=1)
        insert_rows(
            Outbox,
            ("key", "channel", "recipient", "template", "context", "next_attempt_at", "created_at"),
            (
                (
                    f"{prefix}{digest[:32]}",
                    OutboxChannel.SMS.value,
                    phone,
                    "incident_broadcast_sms",
                    context,
                    start + minute * (index // per_minute),
                    start,
                )
                for index, (digest, phone) in enumerate(phones.items())
            ),
            ignore_conflicts=True,
        )
        transaction.on_commit(nudge)
        _event(incident, actor, "broadcast", broadcast=broadcast.pk, recipients=len(phones))
    return Sent(broadcast, created=True)


# --- Closing ---------------------------------------------------------------------------------


# The summary and the notes it leaves on tickets are records in the hotline's language (Chinese),
# whatever language the dispatcher who closes happens to browse in: not through gettext, like
# notify's message templates.


def duration_text(seconds: int) -> str:
    days, rest = divmod(max(seconds, 0), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days}天")
    if hours or days:
        parts.append(f"{hours}小时")
    parts.append(f"{minutes}分钟")
    return "".join(parts)


def resources_used(incident: Incident) -> dict[str, int]:
    """Counts by kind: teams, machines (each row's count), volunteers (distinct people, alone
    or through their groups)."""
    counts: Counter[str] = Counter()
    volunteers: set[int] = set()
    groups: list[int] = []
    machines: list[int] = []
    for kind, resource_id in incident.mobilisations.values_list("kind", "resource_id"):
        if kind == ResourceKind.TEAM:
            counts["team"] += 1
        elif kind == ResourceKind.MACHINE:
            machines.append(resource_id)
        elif kind == ResourceKind.VOLUNTEER:
            volunteers.add(resource_id)
        else:
            groups.append(resource_id)
    if groups:
        volunteers |= set(
            Volunteer.groups.through.objects.filter(volunteergroup_id__in=groups).values_list(
                "volunteer_id", flat=True
            )
        )
    counts["machine"] = sum(Machine.objects.filter(pk__in=machines).values_list("count", flat=True))
    counts["volunteer"] = len(volunteers)
    return {"team": counts["team"], "machine": counts["machine"], "volunteer": counts["volunteer"]}


def incident_close(
    *, incident: Incident, actor: User, restored_at: dt.datetime | None = None, note: str = ""
) -> Incident:
    """结束: write the after-action summary (duration from the start to the restoration, across
    midnight and days; people affected; resources used; the log) and answer the incident's
    open tickets through the ticket actions.

    The dispatcher who closes is not the tickets' handling unit, and the rulebook lets only that
    unit reply (答复). So each open ticket gets, through the real actions, what the closer may
    do: `ticket_reply` with the summary where the rulebook allows it (an administrator acting
    for the unit never does: `check_reply` asks for the unit's own assignment), otherwise
    `ticket_remind` (催办) carrying the summary, which tells the lead unit to reply with it; a
    ticket not yet dispatched or already replied is left as it is. The choice is recorded per
    ticket (`IncidentTicket.outcome`)."""
    with transaction.atomic():
        incident = _lock(incident)
        rules.check_command(actor, incident, what=_("结束事件"))
        restored = restored_at or incident.restored_at
        if restored is None:
            raise InvalidInput(_("请填写恢复时间。"), field="restored_at")
        _not_future(restored, _("恢复时间"), "restored_at")
        if restored < incident.started_at:
            raise InvalidInput(_("恢复时间不能早于发生时间。"), field="restored_at")
        note = _text(note, _("处置说明"), field="note", limit=500, required=False)
        seconds = int((restored - incident.started_at).total_seconds())
        used = resources_used(incident)
        with translation.override("zh-hans"):  # a record, in the hotline's language
            log = [
                {
                    "at": timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                    "kind": str(e.get_kind_display()),
                    "text": e.text,
                }
                for e in incident.log.all()
            ]
        acked = incident.mobilisations.filter(acked_at__isnull=False).count()
        assigned = incident.mobilisations.count()
        sent = sum(incident.broadcasts.values_list("recipients", flat=True))
        people = incident.affected_population
        start = timezone.localtime(incident.started_at).strftime("%m月%d日 %H:%M")
        end = timezone.localtime(restored).strftime("%m月%d日 %H:%M")
        shown_people = people if people is not None else "未知"
        summary_text = (
            f"{incident.title}：{start} 发生，{end} 恢复，历时{duration_text(seconds)}；"
            f"影响约 {shown_people} 人；调度队伍 {used['team']} 支、车辆机械 {used['machine']} 台、"
            f"志愿者 {used['volunteer']} 人。{note}"
        )
        incident.summary = {
            "duration_seconds": seconds,
            "duration": duration_text(seconds),
            "population": people,
            "resources": used,
            "assignments": assigned,
            "acknowledged": acked,
            "broadcast_recipients": sent,
            "log": log,
            "note": note,
        }
        incident.summary_text = summary_text.strip()
        incident.restored_at = restored
        incident.status = IncidentStatus.CLOSED
        incident.closed_at = timezone.now()
        incident.closed_by = actor
        incident.save()
        outcomes = _answer_tickets(incident, actor)
        incident.links.update(is_open=False)
        _event(incident, actor, "close", duration_seconds=seconds, tickets=outcomes)
    return incident


def _answer_tickets(incident: Incident, actor: User) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    links = incident.links.filter(merged=False).select_related("ticket").order_by("ticket_id")
    for link in links:
        ticket = Ticket.objects.get(pk=link.ticket_id)
        outcome = "left"
        if ticket.status in (Status.DISPATCHED, Status.IN_PROGRESS):
            if ticket_rules.can("reply", actor, ticket):
                ticket_actions.ticket_reply(
                    ticket=ticket,
                    actor=actor,
                    result=ReplyResult.RESOLVED,
                    content=incident.summary_text,
                )
                outcome = "replied"
            elif ticket_rules.can("remind", actor, ticket):
                ticket_actions.ticket_remind(
                    ticket=ticket,
                    actor=actor,
                    note=("请以事件处置总结答复：" + incident.summary_text)[:200],
                )
                outcome = "noted"
        link.outcome = outcome
        link.save(update_fields=["outcome"])
        outcomes[ticket.number] = outcome
    return outcomes


# --- Excel import of volunteers ----------------------------------------------------------------

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "phone": ("电话", "联系电话", "手机", "手机号", "手机号码"),
    "skills": ("技能", "特长"),
    "village": ("村区划代码", "区划代码"),
    "group": ("志愿队", "志愿服务队"),
}


def volunteers_import(*, actor: User, content: bytes) -> int:
    """登记志愿者 from an Excel file (姓名, 电话, 技能, 村区划代码, 志愿队 in its first row): every
    bad row is named with its line and reason and nothing is saved; else all rows are saved
    in one transaction (a name and phone already registered is updated, not doubled)."""
    rules.check_roster(actor)
    if not content or len(content) > IMPORT_MAX_BYTES:
        raise InvalidInput(_("请上传不超过 5 MB 的 Excel 文件（.xlsx）。"), field="file")
    try:
        rows = read_rows(content)
    except UnreadableWorkbook:
        raise InvalidInput(
            _("无法读取该文件，请上传 Excel 文件（.xlsx）。"), field="file"
        ) from None
    if not rows:
        raise InvalidInput(_("文件是空的。"), field="file")
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    columns: dict[str, int] = {}
    for key, names in IMPORT_HEADERS.items():
        for index, title in enumerate(header):
            if title in names:
                columns[key] = index
                break
    if "name" not in columns or "phone" not in columns:
        raise InvalidInput(_("第一行须有“姓名”和“电话”两列。"), field="file")
    body = [r for r in rows[1:] if any(c not in (None, "") for c in r)]
    if len(body) > IMPORT_MAX_ROWS:
        raise InvalidInput(_("一次最多导入 %(n)s 行。") % {"n": IMPORT_MAX_ROWS}, field="file")

    def cell(row: tuple[Any, ...], key: str) -> str:
        index = columns.get(key)
        if index is None or index >= len(row) or row[index] is None:
            return ""
        value = row[index]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    villages = {
        d.code: d
        for d in Division.objects.filter(
            code__in={cell(r, "village") for r in body}, level=Division.Level.VILLAGE
        )
    }
    errors: list[str] = []
    parsed: list[tuple[str, str, str, Division | None, str]] = []
    for line, row in enumerate(body, start=2):
        name, phone, code = cell(row, "name"), canonical(cell(row, "phone")), cell(row, "village")
        if not name or len(name) > 50:
            errors.append(_("第 %(line)s 行：缺少姓名。") % {"line": line})
        elif phone is None:
            errors.append(_("第 %(line)s 行：电话格式不正确。") % {"line": line})
        elif code and code not in villages:
            errors.append(_("第 %(line)s 行：村区划代码不存在。") % {"line": line})
        else:
            village = villages.get(code) if code else None
            parsed.append(
                (name, phone, cell(row, "skills")[:200], village, cell(row, "group")[:100])
            )
    if errors:
        shown = errors[:20] + (
            [_("等 %(n)s 行有误。") % {"n": len(errors)}] if len(errors) > 20 else []
        )
        raise InvalidInput(_("未导入任何数据。") + " ".join(shown), field="file")
    if not parsed:
        raise InvalidInput(_("文件中没有数据行。"), field="file")
    with transaction.atomic():
        groups: dict[str, VolunteerGroup] = {}
        for name, phone, skills, village, group_name in parsed:
            if group_name and group_name not in groups:
                groups[group_name] = group_save(actor=actor, name=group_name)
            volunteer_save(
                actor=actor,
                name=name,
                phone=phone,
                skills=skills,
                village=village,
                groups=[groups[group_name]] if group_name else [],
            )
    return len(parsed)
