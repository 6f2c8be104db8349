"""集中导入's writes: an uploaded file stored as a preview (a batch and its rows: nothing else),
the user's corrections (village, category, destination per row), and the confirm that makes
each row a ticket (channel 导入, taken in through `minsheng.tickets.actions` by the import's
service account `import-desk`; it waits for dispatch) or a suggestion before the township's
council (`suggestions.suggestion_add`, source 集中收集, reference `import:<fingerprint>`).

Each row's fingerprint is recorded with what it became (`IntakeRecord`, unique): a second
confirm, or the same file uploaded again, makes nothing twice. The confirm works in chunks of
`CHUNK` rows, each its own transaction holding the batch's row lock: a request cut short
leaves whole chunks done, and confirming again finishes the rest. Every upload, correction
and confirm writes an `IntakeEvent`; a refusal raises the ticket core's errors with a Chinese
message and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.governance import intake as selectors
from minsheng.governance.models import (
    Council,
    IntakeBatch,
    IntakeEvent,
    IntakeRecord,
    IntakeRow,
    Suggestion,
)
from minsheng.governance.services.suggestions import suggestion_add
from minsheng.org.models import Division, Role, RoleGrant, User
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.tickets.models import Category, Channel, Kind

ACCOUNT = "import-desk"
CHUNK = 200
TITLE_CHARS = 30


def intake_actor() -> User:
    """The service account that takes the imported suggestions in as tickets."""
    user = User.objects.filter(username=ACCOUNT).first()
    if user is None:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=ACCOUNT, defaults={"display_name": "意见建议集中导入"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            for role in (Role.OPERATOR, Role.DISPATCHER):
                RoleGrant.objects.get_or_create(user=user, role=role)
    return user


def _event(batch: IntakeBatch, verb: str, actor: User, note: str = "", **data: Any) -> None:
    IntakeEvent.objects.create(batch=batch, verb=verb, actor=actor, note=note[:500], data=data)


def _check_area(actor: User, area: Division) -> bool:
    """May the actor upload for the area? Returns whether only council suggestions are allowed."""
    if selectors.is_desk(actor):
        if area.code in {a.code for a in selectors.areas_for(actor)}:
            return False
        raise InvalidInput(_("请选择本县或本县的乡镇。"), field="area")
    if area.code in {c.division_id for c in selectors.own_councils(actor)}:
        return True
    raise NotAllowed(_("您无权为该地区导入意见建议。"))


def intake_upload(
    *,
    actor: User,
    area: Division,
    filename: str,
    content: bytes,
    default_destination: str = IntakeRow.Destination.TICKET,
) -> IntakeBatch:
    """Read and check an uploaded file and store it as a preview; nothing else is made."""
    if not selectors.may_use(actor):
        raise NotAllowed(_("您无权导入意见建议。"))
    council_only = _check_area(actor, area)
    if default_destination not in (
        IntakeRow.Destination.TICKET,
        IntakeRow.Destination.COUNCIL,
    ):
        raise InvalidInput(_("处理方式无效。"), field="destination")
    if council_only:
        default_destination = IntakeRow.Destination.COUNCIL
    raw = selectors.read_rows(content)
    checked = selectors.check_rows(
        raw,
        area=area,
        actor=actor,
        council_only=council_only,
        default_destination=default_destination,
    )
    with transaction.atomic():
        batch = IntakeBatch.objects.create(
            area=area,
            filename=(filename or "")[:200],
            digest=hashlib.sha256(content).hexdigest(),
            council_only=council_only,
            created_by=actor,
        )
        rows = [
            IntakeRow(
                batch=batch,
                number=c.number,
                text=c.text,
                place=c.place,
                contributor=c.contributor,
                phone=c.phone,
                fingerprint=c.fingerprint,
                errors=c.errors,
                notes=c.notes,
                bad=bool(c.errors),
                attention=bool(c.notes),
                duplicate=bool(c.duplicates) or c.same_as is not None,
                village=c.village,
                category=c.category,
                destination=c.destination,
                duplicates=c.duplicates,
                same_as=c.same_as,
                outcome=IntakeRow.Outcome.ALREADY if c.already else "",
                ticket=c.already.ticket if c.already else None,
                suggestion=c.already.suggestion if c.already else None,
            )
            for c in checked
        ]
        IntakeRow.objects.bulk_create(rows, batch_size=500)
        bad = sum(1 for c in checked if c.errors)
        _event(
            batch,
            "uploaded",
            actor,
            note=batch.filename,
            rows=len(checked),
            bad=bad,
            already=sum(1 for c in checked if c.already),
            digest=batch.digest,
        )
    return batch


@dataclass(frozen=True)
class Correction:
    place: str | None = None  # a division code ('' clears)
    category: int | None = None  # a category id (0 clears)
    destination: str | None = None


def _check_open(actor: User, batch: IntakeBatch) -> None:
    if selectors.batch_for(actor, batch.pk) is None:
        raise NotAllowed(_("您无权操作这个导入批次。"))
    if batch.status != IntakeBatch.Status.PREVIEW:
        raise InvalidTransition(_("这个批次已确认导入，不能再修改。"))


def intake_correct(
    *, actor: User, batch: IntakeBatch, corrections: Mapping[int, Correction]
) -> int:
    """The user's corrections of the preview's rows (by row id): all checked first, then saved
    in one transaction. Returns the number of rows changed."""
    with transaction.atomic():
        batch = IntakeBatch.objects.select_for_update().select_related("area").get(pk=batch.pk)
        _check_open(actor, batch)
        rows = {r.pk: r for r in batch.rows.filter(pk__in=list(corrections), outcome="").order_by()}
        place_codes = {c.place for c in corrections.values() if c.place}
        places = Division.objects.in_bulk(list(place_codes), field_name="code")
        category_ids = {c.category for c in corrections.values() if c.category}
        categories = Category.objects.in_bulk(list(category_ids))
        councils = set(
            Council.objects.filter(division__code__startswith=batch.area.short_code).values_list(
                "division_id", flat=True
            )
        )
        changed: list[IntakeRow] = []
        for pk, fix in corrections.items():
            row = rows.get(pk)
            if row is None:
                continue
            before = (row.village_id, row.category_id, row.destination)
            if fix.place is not None:
                if fix.place == "":
                    row.village = None
                else:
                    division = places.get(fix.place)
                    if division is None or not selectors.in_area(batch.area, division.code):
                        raise InvalidInput(
                            _("第 %(n)s 行：所选村（社区）不在%(area)s范围内。")
                            % {"n": row.number, "area": batch.area.name},
                            field="place",
                        )
                    row.village = division
            if fix.category is not None:
                if fix.category == 0:
                    row.category = None
                elif fix.category not in categories:
                    raise InvalidInput(
                        _("第 %(n)s 行：分类不存在。") % {"n": row.number}, field="category"
                    )
                else:
                    row.category = categories[fix.category]
            if fix.destination is not None:
                if fix.destination not in IntakeRow.Destination.values:
                    raise InvalidInput(
                        _("第 %(n)s 行：处理方式无效。") % {"n": row.number}, field="destination"
                    )
                if row.errors and fix.destination != IntakeRow.Destination.SKIP:
                    raise InvalidInput(
                        _("第 %(n)s 行有错误，不能导入，请修改文件后重新上传。")
                        % {"n": row.number},
                        field="destination",
                    )
                if batch.council_only and fix.destination == IntakeRow.Destination.TICKET:
                    raise InvalidInput(
                        _("第 %(n)s 行：本乡镇导入只能提交议事会。") % {"n": row.number},
                        field="destination",
                    )
                row.destination = fix.destination
            if (
                row.destination == IntakeRow.Destination.COUNCIL
                and selectors.township_of(row.village_id or batch.area_id) not in councils
            ):
                raise InvalidInput(
                    _("第 %(n)s 行：该乡镇未设立民生议事会（或未选择村），请改为转工单。")
                    % {"n": row.number},
                    field="destination",
                )
            if (row.village_id, row.category_id, row.destination) != before:
                changed.append(row)
        if changed:
            IntakeRow.objects.bulk_update(changed, ["village", "category", "destination"])
            _event(batch, "corrected", actor, rows=[r.number for r in changed][:200])
    return len(changed)


def _description(row: IntakeRow, batch: IntakeBatch, confirmer: User) -> str:
    parts = [row.text]
    said = []
    if row.contributor:
        said.append(_("提出人：%(name)s") % {"name": row.contributor})
    if row.place:
        said.append(_("地点：%(place)s") % {"place": row.place})
    said.append(
        _("集中收集意见建议导入，批次 #%(batch)s 第 %(n)s 行，%(who)s 确认")
        % {"batch": batch.pk, "n": row.number, "who": confirmer.display_name or confirmer.username}
    )
    parts.append("（" + "；".join(said) + "）")
    return "\n\n".join(parts)


def _title(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return first[:TITLE_CHARS] + ("…" if len(first) > TITLE_CHARS else "")


def _council_for(
    row: IntakeRow, batch: IntakeBatch, councils: dict[str, Council]
) -> Council | None:
    code = row.village_id or batch.area_id
    return councils.get(selectors.township_of(code))


def intake_confirm(*, actor: User, batch: IntakeBatch, chunk: int = CHUNK) -> dict[str, int]:
    """Make every pending row what the preview says, chunk by chunk; rows whose fingerprint was
    imported before (by this batch or another) are marked, not made again. Returns the counts
    of the rows' outcomes. A batch already confirmed returns its counts and makes nothing."""
    batch = IntakeBatch.objects.select_related("area").get(pk=batch.pk)
    if selectors.batch_for(actor, batch.pk) is None:
        raise NotAllowed(_("您无权操作这个导入批次。"))
    if batch.status == IntakeBatch.Status.DONE:
        return dict(batch.counts)
    desk = intake_actor()
    councils = {
        c.division_id: c
        for c in Council.objects.select_related("division", "unit").filter(
            division__code__startswith=batch.area.short_code
        )
    }
    made: dict[str, int] = {}
    while True:
        with transaction.atomic():
            locked = IntakeBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status == IntakeBatch.Status.DONE:
                return dict(locked.counts)
            rows = list(
                locked.rows.filter(outcome="")
                .select_related("village", "category")
                .order_by("number")[:chunk]
            )
            if not rows:
                counts = _final_counts(locked)
                locked.status = IntakeBatch.Status.DONE
                locked.counts = counts
                locked.confirmed_by = actor
                locked.confirmed_at = timezone.now()
                locked.save(update_fields=["status", "counts", "confirmed_by", "confirmed_at"])
                _event(locked, "confirmed", actor, note=locked.filename, made=made, **counts)
                return counts
            try:
                _confirm_rows(actor, desk, locked, rows, councils, made)
            except IntegrityError:
                raise InvalidTransition(
                    _("有相同的意见建议正在由另一个批次导入，请稍后再确认。")
                ) from None


def _confirm_rows(
    actor: User,
    desk: User,
    batch: IntakeBatch,
    rows: list[IntakeRow],
    councils: dict[str, Council],
    made: dict[str, int],
) -> None:
    records = {
        r.fingerprint: r
        for r in IntakeRecord.objects.filter(fingerprint__in=[row.fingerprint for row in rows])
    }
    new_records: list[IntakeRecord] = []
    for row in rows:
        record = records.get(row.fingerprint)
        if row.errors or row.destination == IntakeRow.Destination.SKIP:
            row.outcome = IntakeRow.Outcome.SKIPPED
            row.outcome_note = (row.errors[0] if row.errors else _("未选择导入"))[:200]
            continue
        if record is not None:
            row.outcome = IntakeRow.Outcome.ALREADY
            row.ticket_id = record.ticket_id
            row.suggestion_id = record.suggestion_id
            continue
        if row.destination == IntakeRow.Destination.TICKET:
            if batch.council_only:
                row.outcome = IntakeRow.Outcome.SKIPPED
                row.outcome_note = _("本乡镇导入只能提交议事会。")
                continue
            try:
                with transaction.atomic():
                    ticket = actions.ticket_intake(
                        actor=desk,
                        channel=Channel.IMPORT,
                        kind=Kind.SUGGESTION,
                        title=_title(row.text),
                        description=_description(row, batch, actor),
                        citizen_name=row.contributor,
                        citizen_phone=row.phone,
                        category=row.category,
                        division=row.village
                        or (batch.area if batch.area.level >= Division.Level.TOWNSHIP else None),
                    )
            except InvalidInput as error:
                row.outcome = IntakeRow.Outcome.SKIPPED
                row.outcome_note = str(error.message)[:200]
                continue
            row.outcome = IntakeRow.Outcome.TICKET
            row.ticket = ticket
            new_records.append(
                IntakeRecord(
                    fingerprint=row.fingerprint, batch=batch, number=row.number, ticket=ticket
                )
            )
        else:
            council = _council_for(row, batch, councils)
            if council is None:
                row.outcome = IntakeRow.Outcome.SKIPPED
                row.outcome_note = _("该乡镇未设立民生议事会，或未选择村（社区）。")
                continue
            try:
                suggestion = suggestion_add(
                    actor=actor,
                    council=council,
                    text=row.text,
                    source=Suggestion.Source.IMPORT,
                    village=row.village if row.village_id != council.division_id else None,
                    category=row.category,
                    contributor=row.contributor,
                    reference=selectors.reference(row.fingerprint),
                    checked=True,
                )
            except InvalidInput as error:
                row.outcome = IntakeRow.Outcome.SKIPPED
                row.outcome_note = str(error.message)[:200]
                continue
            row.outcome = IntakeRow.Outcome.COUNCIL
            row.suggestion = suggestion
            new_records.append(
                IntakeRecord(
                    fingerprint=row.fingerprint,
                    batch=batch,
                    number=row.number,
                    suggestion=suggestion,
                )
            )
        made[row.outcome] = made.get(row.outcome, 0) + 1
        records[row.fingerprint] = new_records[-1]
    IntakeRecord.objects.bulk_create(new_records)
    IntakeRow.objects.bulk_update(
        rows, ["outcome", "outcome_note", "ticket", "suggestion"], batch_size=500
    )


def _final_counts(batch: IntakeBatch) -> dict[str, int]:
    counts = {key or "pending": 0 for key in IntakeRow.Outcome.values}
    for row in batch.rows.values("outcome").annotate(n=Count("id")).order_by():
        counts[row["outcome"] or "pending"] = row["n"]
    return counts
