"""People of the ledger: create and edit (de-duplicated by the ID number's keyed hash), their
categories, certificates, visits, assistance measures, employment and needs; and the reveal of
one person's full ID number and phone, which is logged with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.assistance import crypto, rules
from minsheng.assistance.errors import Duplicate, InvalidInput, NotAllowed
from minsheng.assistance.models import (
    AccessKind,
    AccessLog,
    Assistance,
    Certificate,
    Employment,
    Event,
    Household,
    IncomeBand,
    Measure,
    Need,
    Person,
    PersonCategory,
    Station,
    Visit,
)
from minsheng.org.models import Division, User
from minsheng.textproc.pii import mask_id_number, mask_phone

NAME_MAX = 40
CATEGORY_MAX = 20
REASON_MIN = 4
REASON_MAX = 200
NOTE_MAX = 500


def record_event(
    *,
    village_code: str,
    subject: str,
    subject_id: int | None,
    verb: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one row to the audit trail; call inside the service's transaction. `data` names
    fields and never carries an ID number or a phone."""
    return Event.objects.create(
        village_code=village_code,
        subject=subject,
        subject_id=subject_id,
        verb=verb,
        actor=actor if actor is not None and actor.pk else None,
        data=data or {},
    )


def check_writes(user: User, village_code: str) -> None:
    scope = rules.ledger_scope(user)
    if not (scope.can_write and scope.covers_code(village_code)):
        raise NotAllowed(_("只有本村服务站的工作人员可以修改本村的帮扶台账。"))


def _today() -> dt.date:
    return timezone.localdate()


@dataclass
class PersonData:
    name: str
    id_number: str  # "" on an edit keeps the stored one
    phone: str | None = ""  # None on an edit keeps the stored one
    categories: list[str] = field(default_factory=list)
    household: str = ""
    in_workforce: bool = True
    needs: str = ""


def _clean_categories(raw: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in raw:
        category = item.strip()
        if not category:
            continue
        if len(category) > CATEGORY_MAX:
            raise InvalidInput(_("类别名称最多 20 个字。"), field="categories")
        if category not in seen:
            seen.append(category)
    return seen


def _identity(raw: str) -> tuple[str, str, str, int, str]:
    """(cipher, hash, mask, birth year, sex) of an ID number; InvalidInput when invalid."""
    try:
        number = crypto.normalise_id_number(raw)
    except crypto.InvalidIdNumber:
        raise InvalidInput(
            _("身份证号无效：请核对 18 位号码（出生日期和最后一位校验码）。"), field="id_number"
        ) from None
    return (
        crypto.encrypt(number),
        crypto.id_hash(number),
        mask_id_number(number),
        int(number[6:10]),
        "男" if int(number[16]) % 2 else "女",
    )


def _phone(raw: str) -> tuple[str, str, str]:
    if not raw.strip():
        return "", "", ""
    try:
        phone = crypto.normalise_phone(raw)
    except crypto.InvalidPhone:
        raise InvalidInput(
            _("电话号码无效：请填写手机号或带区号的固定电话。"), field="phone"
        ) from None
    return crypto.encrypt(phone), crypto.phone_hash(phone), mask_phone(phone)


def find_by_id_number(raw: str) -> Person | None:
    """The ledger entry of an ID number, however written (None when absent or invalid). The
    caller checks the scope before showing it."""
    try:
        digest = crypto.id_hash(raw)
    except crypto.InvalidIdNumber:
        return None
    return Person.objects.filter(id_hash=digest).first()


def _duplicate(user: User, existing: Person) -> Duplicate:
    visible = Person.objects.filter(rules.ledger_scope(user).people_q(), pk=existing.pk).exists()
    if visible:
        message = _("此身份证号已登记（{name}），请打开已有记录，不要重复登记。").format(
            name=existing.name
        )
    else:
        message = _("此身份证号已在其他村（社区）登记，请联系乡镇帮扶专干核实。")
    return Duplicate(message, person_id=existing.pk, visible=visible)


def _household(village_code: str, label: str) -> Household | None:
    label = label.strip()[:40]
    if not label:
        return None
    household, _created = Household.objects.get_or_create(village_id=village_code, label=label)
    return household


def _set_categories(person: Person, categories: list[str]) -> None:
    PersonCategory.objects.filter(person=person).exclude(category__in=categories).delete()
    have = set(PersonCategory.objects.filter(person=person).values_list("category", flat=True))
    PersonCategory.objects.bulk_create(
        PersonCategory(person=person, category=c, village_code=person.village_id)
        for c in categories
        if c not in have
    )


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(_("请填写姓名（最多 40 个字）。"), field="name")
    return name


def person_create(user: User, village: Division, data: PersonData) -> Person:
    """A new ledger entry; Duplicate (with the existing entry) when the ID number is known."""
    if village.level != Division.Level.VILLAGE:
        raise InvalidInput(_("帮扶对象须登记在村（社区）。"))
    check_writes(user, village.code)
    name = _check_name(data.name)
    categories = _clean_categories(data.categories)
    cipher, digest, mask, year, sex = _identity(data.id_number)
    phone_cipher, phone_digest, phone_mask = _phone(data.phone or "")
    existing = Person.objects.filter(id_hash=digest).first()
    if existing is not None:
        raise _duplicate(user, existing)
    try:
        with transaction.atomic():
            person = Person.objects.create(
                village=village,
                household=_household(village.code, data.household),
                name=name,
                id_cipher=cipher,
                id_hash=digest,
                id_mask=mask,
                phone_cipher=phone_cipher,
                phone_hash=phone_digest,
                phone_mask=phone_mask,
                birth_year=year,
                sex=sex,
                in_workforce=data.in_workforce,
                needs=data.needs.strip()[:NOTE_MAX],
            )
            _set_categories(person, categories)
            record_event(
                village_code=village.code,
                subject="person",
                subject_id=person.pk,
                verb="created",
                actor=user,
                data={"categories": categories},
            )
    except IntegrityError:
        # Two clerks registering the same person at once: the second is offered the first.
        existing = Person.objects.filter(id_hash=digest).first()
        if existing is None:
            raise
        raise _duplicate(user, existing) from None
    return person


def person_update(user: User, person: Person, data: PersonData) -> Person:
    """Edit an entry; a new ID number or phone is re-encrypted and re-hashed (blank keeps the ID
    number; a blank phone removes it)."""
    check_writes(user, person.village_id)
    changed: list[str] = []
    name = _check_name(data.name)
    if name != person.name:
        person.name, changed = name, [*changed, "name"]
    if data.id_number.strip():
        cipher, digest, mask, year, sex = _identity(data.id_number)
        if digest != person.id_hash:
            other = Person.objects.filter(id_hash=digest).exclude(pk=person.pk).first()
            if other is not None:
                raise _duplicate(user, other)
            person.id_cipher, person.id_hash, person.id_mask = cipher, digest, mask
            person.birth_year, person.sex = year, sex
            changed.append("id_number")
    phone_cipher, phone_digest, phone_mask = (
        _phone(data.phone)
        if data.phone is not None
        else (person.phone_cipher, person.phone_hash, person.phone_mask)
    )
    if phone_digest != person.phone_hash:
        person.phone_cipher, person.phone_hash, person.phone_mask = (
            phone_cipher,
            phone_digest,
            phone_mask,
        )
        changed.append("phone")
    if data.in_workforce != person.in_workforce:
        person.in_workforce = data.in_workforce
        changed.append("in_workforce")
    needs = data.needs.strip()[:NOTE_MAX]
    if needs != person.needs:
        person.needs = needs
        changed.append("needs")
    categories = _clean_categories(data.categories)
    with transaction.atomic():
        household = _household(person.village_id, data.household)
        if (household.pk if household else None) != person.household_id:
            person.household = household
            changed.append("household")
        person.save()
        before = set(person.categories.values_list("category", flat=True))
        if before != set(categories):
            _set_categories(person, categories)
            changed.append("categories")
        record_event(
            village_code=person.village_id,
            subject="person",
            subject_id=person.pk,
            verb="updated",
            actor=user,
            data={"fields": changed},
        )
    return person


# --- reveal and export ----------------------------------------------------------------------


@dataclass(frozen=True)
class Revealed:
    id_number: str
    phone: str


def _check_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN or len(reason) > REASON_MAX:
        raise InvalidInput(_("请写明查看或导出的事由（4 至 200 个字）。"), field="reason")
    return reason


def reveal(user: User, person: Person, reason: str) -> Revealed:
    """One person's full ID number and phone, for a permitted role within its scope and with a
    reason; the access log gets its row (who, whom, when, why) before anything is decrypted."""
    scope = rules.ledger_scope(user)
    if not scope.can_reveal or not Person.objects.filter(scope.people_q(), pk=person.pk).exists():
        raise NotAllowed(_("您无权查看此人的完整信息。"))
    reason = _check_reason(reason)
    AccessLog.objects.create(
        kind=AccessKind.REVEAL,
        actor=user,
        person=person,
        scope_code=person.village_id,
        reason=reason,
        rows=1,
    )
    return Revealed(
        id_number=crypto.decrypt(person.id_cipher), phone=crypto.decrypt(person.phone_cipher)
    )


def log_export(user: User, scope_code: str, purpose: str, rows: int) -> AccessLog:
    """The export's row in the access log (the purpose is required)."""
    purpose = _check_reason(purpose)
    return AccessLog.objects.create(
        kind=AccessKind.EXPORT, actor=user, scope_code=scope_code, reason=purpose, rows=rows
    )


# --- what is done for a person ----------------------------------------------------------------


def _check_date(value: dt.date, field_name: str) -> dt.date:
    if value > _today():
        raise InvalidInput(_("日期不能晚于今天。"), field=field_name)
    return value


def _contacted(person: Person, day: dt.date) -> None:
    """The person's latest visit or measure (for "assisted this month")."""
    Person.objects.filter(
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=day), pk=person.pk
    ).update(last_contact_on=day)
    if person.last_contact_on is None or day > person.last_contact_on:
        person.last_contact_on = day


def visit_add(user: User, person: Person, visited_on: dt.date, note: str) -> Visit:
    check_writes(user, person.village_id)
    note = note.strip()
    if not note or len(note) > NOTE_MAX:
        raise InvalidInput(_("请填写走访情况（最多 500 字）。"), field="note")
    with transaction.atomic():
        visit = Visit.objects.create(
            person=person,
            visited_on=_check_date(visited_on, "visited_on"),
            note=note,
            by=user,
            village_code=person.village_id,
        )
        _contacted(person, visit.visited_on)
        record_event(
            village_code=person.village_id,
            subject="person",
            subject_id=person.pk,
            verb="visited",
            actor=user,
            data={"visit": visit.pk},
        )
    return visit


def assistance_add(
    user: User,
    person: Person,
    *,
    measure: str,
    started_on: dt.date,
    note: str = "",
    helper: User | None = None,
) -> Assistance:
    check_writes(user, person.village_id)
    if measure not in Measure.values:
        raise InvalidInput(_("请选择帮扶措施。"), field="measure")
    station = Station.objects.filter(village_id=person.village_id).first()
    with transaction.atomic():
        row = Assistance.objects.create(
            person=person,
            helper=helper or user,
            station=station,
            measure=measure,
            started_on=_check_date(started_on, "started_on"),
            note=note.strip()[:300],
            village_code=person.village_id,
        )
        _contacted(person, row.started_on)
        record_event(
            village_code=person.village_id,
            subject="person",
            subject_id=person.pk,
            verb="assisted",
            actor=user,
            data={"measure": measure},
        )
    return row


def certificate_add(
    user: User, person: Person, *, kind: str, level: str, obtained_on: dt.date
) -> Certificate:
    check_writes(user, person.village_id)
    kind = kind.strip()
    if not kind or len(kind) > 60:
        raise InvalidInput(_("请填写证书名称（最多 60 字）。"), field="kind")
    with transaction.atomic():
        row = Certificate.objects.create(
            person=person,
            kind=kind,
            level=level.strip()[:20],
            obtained_on=_check_date(obtained_on, "obtained_on"),
        )
        record_event(
            village_code=person.village_id,
            subject="person",
            subject_id=person.pk,
            verb="certified",
            actor=user,
            data={"certificate": row.pk},
        )
    return row


def employment_add(
    user: User,
    person: Person,
    *,
    employer: str,
    since: dt.date,
    work: str = "",
    income_band: str = "",
    posting_id: int | None = None,
) -> Employment:
    """The outcome "employed"; a person holds one job at a time here: an open one is ended the
    day before the new one starts."""
    check_writes(user, person.village_id)
    employer = employer.strip()
    if not employer or len(employer) > 80:
        raise InvalidInput(_("请填写就业单位（最多 80 字）。"), field="employer")
    if income_band and income_band not in IncomeBand.values:
        raise InvalidInput(_("请选择月收入区间。"), field="income_band")
    since = _check_date(since, "since")
    with transaction.atomic():
        Employment.objects.filter(person=person, ended_on__isnull=True).update(
            ended_on=max(since - dt.timedelta(days=1), dt.date(1900, 1, 1))
        )
        row = Employment.objects.create(
            person=person,
            employer=employer,
            since=since,
            work=work.strip()[:40],
            income_band=income_band,
            village_code=person.village_id,
            posting_id=posting_id,
        )
        Person.objects.filter(pk=person.pk).update(employed_since=since)
        person.employed_since = since
        record_event(
            village_code=person.village_id,
            subject="person",
            subject_id=person.pk,
            verb="employed",
            actor=user,
            data={"employment": row.pk},
        )
    return row


def employment_end(user: User, employment: Employment, ended_on: dt.date) -> None:
    check_writes(user, employment.village_code)
    if ended_on < employment.since:
        raise InvalidInput(_("离岗日期不能早于就业起始日期。"), field="ended_on")
    with transaction.atomic():
        employment.ended_on = _check_date(ended_on, "ended_on")
        employment.save(update_fields=["ended_on"])
        Person.objects.filter(pk=employment.person_id).update(
            employed_since=Employment.objects.filter(
                person_id=employment.person_id, ended_on__isnull=True
            )
            .order_by("-since")
            .values("since")[:1]
        )
        record_event(
            village_code=employment.village_code,
            subject="person",
            subject_id=employment.person_id,
            verb="left_job",
            actor=user,
            data={"employment": employment.pk},
        )


def need_open(user: User, person: Person, text: str, *, ticket_id: int | None = None) -> Need:
    check_writes(user, person.village_id)
    text = text.strip()
    if not text or len(text) > 300:
        raise InvalidInput(_("请填写需求（最多 300 字）。"), field="text")
    with transaction.atomic():
        need = Need.objects.create(
            person=person, text=text, opened_on=_today(), ticket_id=ticket_id
        )
        record_event(
            village_code=person.village_id,
            subject="person",
            subject_id=person.pk,
            verb="need_opened",
            actor=user,
            data={"need": need.pk},
        )
    return need


def need_close(user: User, need: Need) -> None:
    check_writes(user, need.person.village_id)
    if need.closed_on is not None:
        return
    with transaction.atomic():
        need.closed_on = _today()
        need.save(update_fields=["closed_on"])
        record_event(
            village_code=need.person.village_id,
            subject="person",
            subject_id=need.person_id,
            verb="need_closed",
            actor=user,
            data={"need": need.pk},
        )
