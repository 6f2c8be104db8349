"""帮扶台账's tables: households and people of a village with their categories, certificates,
assistance measures, visits and outcomes; the village's employment service station (劳动保障服务站)
with its "六个一" checklist, its job postings and the matches of people to them; and two logs —
the audit trail of every change (`Event`) and the access log of every reveal and export
(`AccessLog`), which the township audits.

ID numbers and phones are never stored in clear: `*_cipher` is the Fernet token
(assistance/crypto.py), `*_hash` the keyed hash that finds and de-duplicates, `*_mask` what every
page shows (textproc.pii's masks, computed once when the value is written).
A village *is* its `org.Division` of level 5; scoping is by the village code's prefix.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division

# The fixed categories (custom ones are free text, up to 20 characters).
CATEGORIES: tuple[str, ...] = (
    "脱贫户",
    "监测户",
    "就业困难人员",
    "残疾人",
    "事实无人抚养儿童",
    "低保",
)


class Household(models.Model):
    village = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    label = models.CharField(_("户（户主或户号）"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["village", "label"], name="assist_household_label")
        ]

    def __str__(self) -> str:
        return self.label


class Person(models.Model):
    village = models.ForeignKey(
        Division,
        verbose_name=_("村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    name = models.CharField(_("姓名"), max_length=40)
    # The ID number: encrypted, hashed (unique: one ledger entry per person), masked.
    id_cipher = models.TextField(editable=False)
    id_hash = models.CharField(max_length=64, editable=False)
    id_mask = models.CharField(_("身份证号"), max_length=18, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_mask = models.CharField(_("电话"), max_length=20, blank=True, editable=False)
    # From the ID number: the year is enough for the workforce's age band; nothing finer kept.
    birth_year = models.PositiveSmallIntegerField(editable=False)
    sex = models.CharField(_("性别"), max_length=1, editable=False)  # "男"/"女" from the ID number
    # Counted in the village's registered workforce (登记劳动力) for 充分就业.
    in_workforce = models.BooleanField(_("登记劳动力"), default=True)
    needs = models.TextField(_("需求"), blank=True)
    # Kept by the services for the figures (one scan of this table, no subquery per person):
    # the start of the job held now (None: not employed), the latest visit or measure.
    employed_since = models.DateField(null=True, blank=True, editable=False)
    last_contact_on = models.DateField(null=True, blank=True, editable=False)
    # Consent to link a citizen's hotline ticket to this entry (recorded with its date).
    ticket_consent_on = models.DateField(_("同意关联工单日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("帮扶对象")
        verbose_name_plural = _("帮扶对象")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["id_hash"], name="assist_person_id_hash")
        ]
        indexes: ClassVar[list[models.Index]] = [
            # A village's (or station's) ledger, by name; a township's by code prefix.
            models.Index(fields=["village", "name", "id"], name="assist_person_village"),
        ]

    def __str__(self) -> str:
        return self.name


class PersonCategory(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(_("类别"), max_length=20)
    # Copied for the county figures and the departments' scope (one index, no join).
    village_code = models.CharField(max_length=12)

    class Meta:
        verbose_name = _("帮扶类别")
        verbose_name_plural = _("帮扶类别")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "category"], name="assist_category_unique")
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["category", "village_code"], name="assist_category_scope"),
        ]

    def __str__(self) -> str:
        return self.category


class Certificate(models.Model):
    """人人持证: a certificate a person holds (skill, vocational qualification, licence)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("证书名称"), max_length=60)
    level = models.CharField(_("等级"), max_length=20, blank=True)
    obtained_on = models.DateField(_("取得日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")

    def __str__(self) -> str:
        return self.kind


class Station(models.Model):
    """劳动保障服务站 of a village or community, with the six "有" (阵地、组织、人员、措施、岗位、政策)."""

    village = models.OneToOneField(
        Division,
        verbose_name=_("村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    name = models.CharField(_("名称"), max_length=80)
    has_site = models.BooleanField(_("有阵地"), default=False)
    has_organisation = models.BooleanField(_("有组织"), default=False)
    has_staff = models.BooleanField(_("有人员"), default=False)
    has_measures = models.BooleanField(_("有措施"), default=False)
    has_jobs = models.BooleanField(_("有岗位"), default=False)
    has_policy = models.BooleanField(_("有政策"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SIX_HAS: ClassVar[tuple[str, ...]] = (
        "has_site",
        "has_organisation",
        "has_staff",
        "has_measures",
        "has_jobs",
        "has_policy",
    )

    class Meta:
        verbose_name = _("劳动保障服务站")
        verbose_name_plural = _("劳动保障服务站")

    def __str__(self) -> str:
        return self.name


class SixOne(models.TextChoices):
    """The "六个一" method."""

    TROUPE = "troupe", _("组建一个文艺宣传队")
    LEDGER = "ledger", _("建立一本帮扶台账")
    SITE = "site", _("打造一个活动阵地")
    GUIDANCE = "guidance", _("进行一次职业指导")
    TRAINING = "training", _("组织一次就业培训")
    RECRUITMENT = "recruitment", _("开展一次招聘活动")


class ChecklistEntry(models.Model):
    """One "六个一" item done by a station: when, what, and its evidence photo (sign-in sheet)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="checklist")
    item = models.CharField(_("事项"), max_length=12, choices=SixOne.choices)
    done_on = models.DateField(_("完成日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    photo = models.FileField(_("佐证照片"), upload_to="assistance/%Y/%m/", blank=True)
    attendance = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("六个一")
        verbose_name_plural = _("六个一")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["station", "item", "done_on"], name="assist_checklist_station"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.item}"


class Measure(models.TextChoices):
    JOB_REFERRAL = "job", _("岗位推荐")
    TRAINING = "training", _("技能培训")
    CERTIFICATE = "certificate", _("取证帮扶")
    SUBSIDY = "subsidy", _("补贴申领")
    DEPARTMENT = "department", _("转介其他部门")
    OTHER = "other", _("其他")


class Assistance(models.Model):
    """帮扶: who helps whom (a cadre, or the station), with which measure, from when."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assistance")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    measure = models.CharField(_("帮扶措施"), max_length=12, choices=Measure.choices)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    village_code = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["village_code", "started_on"], name="assist_assistance_month"),
        ]

    def __str__(self) -> str:
        return self.measure


class Visit(models.Model):
    """A follow-up visit (走访) with its date and note."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    note = models.CharField(_("走访情况"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    village_code = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["village_code", "visited_on"], name="assist_visit_month"),
        ]

    def __str__(self) -> str:
        return str(self.visited_on)


class IncomeBand(models.TextChoices):
    UNDER_1500 = "lt1500", _("1500元以下")
    TO_3000 = "lt3000", _("1500–3000元")
    TO_5000 = "lt5000", _("3000–5000元")
    OVER_5000 = "ge5000", _("5000元以上")


class Employment(models.Model):
    """The outcome "employed": where, since when, what work, the monthly income band; ended when
    the person leaves the job. Stable once it has lasted MINSHENG_ASSIST_STABLE_MONTHS."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employments")
    employer = models.CharField(_("就业单位"), max_length=80)
    since = models.DateField(_("就业起始日期"))
    ended_on = models.DateField(_("离岗日期"), null=True, blank=True)
    work = models.CharField(_("工种"), max_length=40, blank=True)
    income_band = models.CharField(
        _("月收入"), max_length=8, choices=IncomeBand.choices, blank=True
    )
    village_code = models.CharField(max_length=12)
    posting = models.ForeignKey(
        "JobPosting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("就业情况")
        verbose_name_plural = _("就业情况")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["village_code", "since"],
                name="assist_employment_open",
                condition=Q(ended_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.employer


class Need(models.Model):
    """A need of a person (found on a visit, or from a hotline ticket), open until closed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="need_rows")
    text = models.CharField(_("需求"), max_length=300)
    opened_on = models.DateField(_("提出日期"))
    closed_on = models.DateField(_("解决日期"), null=True, blank=True)
    ticket_id = models.BigIntegerField(_("关联工单"), null=True, blank=True)

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")

    def __str__(self) -> str:
        return self.text


class JobPosting(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="postings")
    employer = models.CharField(_("用工单位"), max_length=80)
    title = models.CharField(_("岗位"), max_length=60)
    workshop = models.BooleanField(_("扶贫车间"), default=False)
    piece_rate = models.BooleanField(_("计件"), default=False)
    pay = models.CharField(_("工资待遇"), max_length=60)
    place = models.CharField(_("工作地点"), max_length=80)
    headcount = models.PositiveSmallIntegerField(_("招聘人数"))
    is_open = models.BooleanField(_("招聘中"), default=True)
    village_code = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("招聘岗位")
        verbose_name_plural = _("招聘岗位")

    def __str__(self) -> str:
        return f"{self.employer} · {self.title}"


class MatchStatus(models.TextChoices):
    REFERRED = "referred", _("已推荐")
    INTERVIEWED = "interviewed", _("已面试")
    HIRED = "hired", _("已录用")
    DECLINED = "declined", _("未录用")


class Match(models.Model):
    """A person referred to a posting: referred → interviewed → hired (or declined)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="matches")
    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="matches")
    status = models.CharField(
        _("状态"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.REFERRED
    )
    referred_on = models.DateField(_("推荐日期"))
    hired_on = models.DateField(_("录用日期"), null=True, blank=True)
    village_code = models.CharField(max_length=12)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("岗位匹配")
        verbose_name_plural = _("岗位匹配")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "posting"], name="assist_match_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}→{self.posting_id}"


class Event(models.Model):
    """The audit trail, append-only: every change writes one row in its transaction (services).
    Never holds an ID number or a phone (notes and data name fields, not values)."""

    village_code = models.CharField(max_length=12)
    subject = models.CharField(max_length=16)
    subject_id = models.BigIntegerField(null=True)
    verb = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶台账操作记录")
        verbose_name_plural = _("帮扶台账操作记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["subject", "subject_id", "at"], name="assist_event_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject}:{self.subject_id} {self.verb}"


class AccessKind(models.TextChoices):
    REVEAL = "reveal", _("查看完整信息")
    EXPORT = "export", _("导出台账")


class AccessLog(models.Model):
    """Who saw whose full data, or exported which ledger, when and why (the township audits it)."""

    kind = models.CharField(_("类型"), max_length=8, choices=AccessKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The village of the person revealed, or the scope exported (a village or township code).
    scope_code = models.CharField(_("范围"), max_length=12)
    reason = models.CharField(_("事由"), max_length=200)
    rows = models.PositiveIntegerField(_("条数"), default=0)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["scope_code", "-at"], name="assist_access_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.scope_code}"


class ConsentMethod(models.TextChoices):
    """How the citizen agreed to have their hotline ticket linked to their ledger entry."""

    IN_PERSON = "in_person", _("当面")
    PHONE = "phone", _("电话")
    WRITTEN = "written", _("书面")


class TicketLink(models.Model):
    """A citizen's hotline ticket linked to their ledger entry, with the consent it needs: how
    it was given, when, a note, who recorded it. Written only by services/links.py; the ticket
    itself is not changed (nothing reaches its timeline)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="+"
    )
    # The person's village, for the scope of the ticket page's panel (no join to Person).
    village_code = models.CharField(max_length=12)
    consent_method = models.CharField(_("同意方式"), max_length=12, choices=ConsentMethod.choices)
    consent_on = models.DateField(_("同意日期"))
    consent_note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工单关联")
        verbose_name_plural = _("工单关联")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["person", "ticket"], name="assist_ticketlink_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}↔{self.ticket_id}"


class EventKind(models.TextChoices):
    """A station's events with a roll; each is the "六个一" item of the same value."""

    TRAINING = "training", _("就业培训")
    RECRUITMENT = "recruitment", _("招聘活动")
    GUIDANCE = "guidance", _("职业指导")


class StationEvent(models.Model):
    """A training session, a recruitment event or a career guidance session of a station, with
    its named attendance. Recording one records its "六个一" entry (`checklist_entry`), whose
    attendance count follows the roll: the figures count "六个一" from the checklist only, so
    nothing is counted twice."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=12, choices=EventKind.choices)
    held_on = models.DateField(_("日期"))
    title = models.CharField(_("名称"), max_length=80)
    place = models.CharField(_("地点"), max_length=80)
    # Recruitment: the employers that came (free text, one line).
    employers = models.CharField(_("参会用工单位"), max_length=300, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    checklist_entry = models.OneToOneField(
        ChecklistEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="event"
    )
    village_code = models.CharField(max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训与招聘活动")
        verbose_name_plural = _("培训与招聘活动")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["station", "-held_on"], name="assist_event_station"),
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceOutcome(models.TextChoices):
    NONE = "", _("—")
    CERTIFICATE = "certificate", _("取得证书")
    INTENT = "intent", _("达成意向")
    HIRED = "hired", _("当场录用")


class Attendance(models.Model):
    """One person of the station's village on an event's roll: attended or not, and what came
    of it."""

    event = models.ForeignKey(StationEvent, on_delete=models.CASCADE, related_name="roll")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance")
    attended = models.BooleanField(_("到场"), default=True)
    outcome = models.CharField(
        _("结果"), max_length=12, choices=AttendanceOutcome.choices, blank=True
    )
    village_code = models.CharField(max_length=12)

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["event", "person"], name="assist_attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.person_id}"


class ApplicationStatus(models.TextChoices):
    DECLARED = "declared", _("已申报")
    ACCEPTED = "accepted", _("验收通过")
    RETURNED = "returned", _("已退回")


class FullEmploymentApplication(models.Model):
    """充分就业社区(村) creation list: a village's application for a year — declared (申报) by
    its township with the status computed from the ledger at that moment (`snapshot`), then
    accepted (验收通过) or returned with a reason (退回) by the county. A returned application
    may be declared again (the same row)."""

    village = models.ForeignKey(
        Division,
        verbose_name=_("村（社区）"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=ApplicationStatus.choices)
    # figures.VillageStatus at the declaration: workforce, employed, percent, zero households,
    # the threshold and the 零就业家庭 rule then in force.
    snapshot = models.JSONField(default=dict)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(_("申报时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("充分就业社区（村）申报")
        verbose_name_plural = _("充分就业社区（村）申报")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["village", "year"], name="assist_full_app_unique")
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}"
