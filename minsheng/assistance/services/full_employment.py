"""充分就业社区(村) creation list: the township declares (申报) a village for a year with the
status computed from the ledger (figures.village_statuses) kept as a snapshot; the county
(人社局's 帮扶专干, administrators) accepts (验收通过) or returns it with a reason (退回). A village
that does not meet the thresholds cannot be declared; a returned one may be declared again."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.assistance import figures, rules
from minsheng.assistance.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.assistance.models import ApplicationStatus, FullEmploymentApplication
from minsheng.assistance.services.people import record_event
from minsheng.org.models import Division, User

REASON_MIN = 4
REASON_MAX = 200


def status_of(village: Division) -> figures.VillageStatus | None:
    """The village's status now, over its whole ledger (not the reader's scope): None when it
    has no registered workforce."""
    found = figures.village_statuses(rules.EVERYTHING, village.code)
    return found[0] if found else None


def declare(user: User, village: Division, year: int) -> FullEmploymentApplication:
    if village.level != Division.Level.VILLAGE:
        raise InvalidInput(_("只能申报村（社区）。"))
    if not rules.declares(user, village.code):
        raise NotAllowed(_("只有乡镇帮扶专干可以申报本乡镇的村（社区）。"))
    if year != timezone.localdate().year:
        raise InvalidInput(_("只能申报本年度。"), field="year")
    status = status_of(village)
    if status is None:
        raise InvalidInput(
            _("%(name)s 台账中没有登记劳动力，不能申报充分就业社区（村）。")
            % {"name": village.name}
        )
    if not status.qualifies:
        message = _(
            "%(name)s 未达到充分就业标准，不能申报：登记劳动力 %(n)d 人，就业 %(e)d 人"
            "（%(p)s%%，须达到 %(t)d%%）"
        ) % {
            "name": village.name,
            "n": status.workforce,
            "e": status.employed,
            "p": status.percent,
            "t": status.threshold,
        }
        if status.zero_households:
            message += _("；零就业家庭 %(z)d 户（须为 0）") % {"z": status.zero_households}
        raise InvalidInput(message + "。")
    snapshot = {
        "workforce": status.workforce,
        "employed": status.employed,
        "percent": status.percent,
        "zero_households": status.zero_households,
        "threshold": status.threshold,
    }
    now = timezone.now()
    try:
        with transaction.atomic():
            row = (
                FullEmploymentApplication.objects.select_for_update()
                .filter(village=village, year=year)
                .first()
            )
            if row is not None and row.status != ApplicationStatus.RETURNED:
                raise InvalidTransition(
                    _("%(name)s 本年度已申报（%(status)s）。")
                    % {"name": village.name, "status": row.get_status_display()}
                )
            if row is None:
                row = FullEmploymentApplication(village=village, year=year)
            row.status = ApplicationStatus.DECLARED
            row.snapshot = snapshot
            row.declared_by, row.declared_at = user, now
            row.decided_by, row.decided_at, row.return_reason = None, None, ""
            row.save()
            record_event(
                village_code=village.code,
                subject="full_app",
                subject_id=row.pk,
                verb="declared",
                actor=user,
                data={"year": year, **snapshot},
            )
    except IntegrityError:
        raise InvalidTransition(_("%(name)s 本年度已申报。") % {"name": village.name}) from None
    return row


def _decide(user: User, row: FullEmploymentApplication) -> None:
    if not rules.accepts(user):
        raise NotAllowed(_("只有县人社局帮扶专干可以验收。"))
    if row.status != ApplicationStatus.DECLARED:
        raise InvalidTransition(_("只有已申报、待验收的申报可以验收或退回。"))


def accept(user: User, row: FullEmploymentApplication) -> FullEmploymentApplication:
    _decide(user, row)
    with transaction.atomic():
        row.status = ApplicationStatus.ACCEPTED
        row.decided_by, row.decided_at = user, timezone.now()
        row.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(
            village_code=row.village_id,
            subject="full_app",
            subject_id=row.pk,
            verb="accepted",
            actor=user,
            data={"year": row.year},
        )
    return row


def send_back(user: User, row: FullEmploymentApplication, reason: str) -> FullEmploymentApplication:
    """退回, with the reason the township reads."""
    _decide(user, row)
    reason = " ".join(reason.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput(_("请填写退回理由（4 至 200 个字）。"), field="reason")
    with transaction.atomic():
        row.status = ApplicationStatus.RETURNED
        row.decided_by, row.decided_at, row.return_reason = user, timezone.now(), reason
        row.save(update_fields=["status", "decided_by", "decided_at", "return_reason"])
        record_event(
            village_code=row.village_id,
            subject="full_app",
            subject_id=row.pk,
            verb="returned",
            actor=user,
            data={"year": row.year},
        )
    return row
