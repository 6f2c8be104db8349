"""Administrative divisions (行政区划), units (承办单位), users and their roles.

Codes are the National Bureau of Statistics' statistical division codes, always stored in
their 12-digit form (a province "41" is "410000000000") so that prefixes line up: every
division's descendants share the leading digits of its level.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# Digits that identify a division at each level (1 = province … 5 = village).
LEVEL_DIGITS: dict[int, int] = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def normalize_division_code(raw: str) -> str:
    """Pad a 2/4/6/9/12-digit code to 12 digits; raise ValueError for anything else."""
    code = raw.strip()
    if not code.isdigit() or not code.isascii() or len(code) not in LEVEL_DIGITS.values():
        raise ValueError(f"not a division code: {raw!r}")
    return code.ljust(12, "0")


def division_code_prefix(code: str, level: int) -> str:
    """The significant digits of a 12-digit code at its level: '410927102000', 4 → '410927102'."""
    return code[: LEVEL_DIGITS[level]]


class Division(models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        CITY = 2, _("地级")
        COUNTY = 3, _("县级")
        TOWNSHIP = 4, _("乡级")
        VILLAGE = 5, _("村级")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_constraint=False,  # lets an import write children and parents in any order
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering: ClassVar[list[str]] = ["code"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def short_code(self) -> str:
        return division_code_prefix(self.code, self.level)

    def subtree_filter(self, field: str = "code") -> models.Q:
        """Q matching this division and everything below it (by code prefix)."""
        return models.Q(**{f"{field}__startswith": self.short_code})


class Unit(models.Model):
    """承办单位: anything that takes, handles or answers tickets."""

    class Kind(models.TextChoices):
        HOTLINE = "hotline", _("热线中心")
        DEPARTMENT = "department", _("职能部门")
        TOWNSHIP = "township", _("乡镇（街道）")
        VILLAGE = "village", _("村（社区）")
        STATION = "station", _("站所")
        TEAM = "team", _("执法中队")
        COMPANY = "company", _("公共服务企业")

    code = models.SlugField(_("单位编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("服务区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    # Materialised path of codes ("/hotline/" or "/tq-sunkou/tq-sunkou-zfd/"): a unit's subtree
    # is one indexed prefix query, which the scoping of every list page relies on.
    path = models.CharField(max_length=512, db_index=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    phone = models.CharField(_("值班电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering: ClassVar[list[str]] = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        old_path = self.path
        self.path = self.compute_path()
        update_fields = kwargs.get("update_fields")
        if isinstance(update_fields, Iterable) and self.path != old_path:
            # update_or_create() saves only its defaults' fields: a new parent must still
            # write the path that follows from it.
            kwargs["update_fields"] = {*update_fields, "path"}
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if old_path and old_path != self.path:
            # Moving a unit moves its subtree; rare, so a Python loop is fine.
            for child in Unit.objects.filter(parent=self):
                child.save()

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})
            ancestor = ancestor.parent

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        return f"{prefix}{self.code}/"


class Role(models.TextChoices):
    OPERATOR = "operator", _("话务员")
    DISPATCHER = "dispatcher", _("派单员")
    HANDLER = "handler", _("承办人")
    UNIT_LEADER = "unit_leader", _("单位负责人")
    SUPERVISOR = "supervisor", _("督办员")
    LEADER = "leader", _("领导")
    ADMINISTRATOR = "admin", _("系统管理员")
    # Village affairs (minsheng/villages): a clerk of one village committee (村干部) drafts its
    # board; a member of its 村务监督委员会 and/or a township's reviewer approve publication.
    VILLAGE_CLERK = "village_clerk", _("村干部")
    VILLAGE_MONITOR = "village_monitor", _("村务监督委员")
    AFFAIRS_REVIEWER = "affairs_reviewer", _("乡镇村务审核员")
    # 帮扶台账 (minsheng/assistance): a village's 劳动保障服务站 worker keeps its ledger; a 帮扶专干
    # of a township's government reads and audits its villages', of a county department the
    # people of the categories the department owns (settings.MINSHENG_ASSIST_DEPARTMENTS).
    STATION_WORKER = "station_worker", _("服务站工作人员")
    ASSIST_OFFICER = "assist_officer", _("帮扶专干")


# Roles that work for the hotline centre as a whole rather than for one unit.
HOTLINE_ROLES = frozenset(
    {Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR}
)
# Roles that act inside one unit and see that unit's subtree only.
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_LEADER})
# Roles of village affairs: scoped to the villages of the user's unit's division
# (minsheng/villages/rules.py), not to tickets.
VILLAGE_ROLES = frozenset({Role.VILLAGE_CLERK, Role.VILLAGE_MONITOR, Role.AFFAIRS_REVIEWER})


class User(AbstractUser):
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    display_name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    # Set when an administrator gives the account a password (a new account, a reset): the
    # user must choose their own before anything else (org.access.PasswordChangeRequired).
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined,misc]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        """The user's roles; superusers are administrators whatever rows they have."""
        roles = frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
        if self.is_superuser:
            roles |= {Role.ADMINISTRATOR}
        return roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    def prime_roles(self, joined: str | None) -> None:
        """Take the roles as read with this user's row (`roles_joined`), so that `role_set`
        costs no query of its own."""
        roles = frozenset(r for r in (joined or "").split(",") if r)
        self.__dict__["role_set"] = roles | ({Role.ADMINISTRATOR} if self.is_superuser else set())


class _CommaJoin(models.Aggregate):
    """The values of a column joined with commas: STRING_AGG on PostgreSQL, GROUP_CONCAT on
    SQLite (Django 5.2 has no portable one)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def roles_joined(user_ref: str) -> models.Subquery:
    """A scalar subquery of the roles of the user `user_ref` points at (an OuterRef path such
    as "user"), comma-joined: annotate a query with it and `prime_roles` the user."""
    return models.Subquery(
        RoleGrant.objects.filter(user=models.OuterRef(user_ref))
        .values("user")
        .annotate(joined=_CommaJoin("role"))
        .values("joined")
    )


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "role"], name="org_rolegrant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class LoginFailure(models.Model):
    """A failed login: the throttle counts them per account and per address (org.access), and
    they are the audit trail of guessing. Successful logins clear the account's failures."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes: ClassVar[list[models.Index]] = [
            # The throttle's two counts: an account's, an address's recent failures.
            models.Index(fields=["username", "at"], name="org_loginfail_user_at"),
            models.Index(fields=["address", "at"], name="org_loginfail_addr_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.address} {self.at:%Y-%m-%d %H:%M}"


class PopulationCount(models.Model):
    """The resident population (常住人口) of a division, effective from a date.

    The register that figures of coverage and harm are computed from, not typed: a service
    matrix's "覆盖 7.1 万群众", an incident's affected population. Rows are never changed: a new
    count, or a corrected one, is a new row, so every figure can say which count it used. The
    count of a division on a day is its row of the latest `effective_from` on or before it; an
    area without a row of its own is the sum of its children's (`org.population`)."""

    division = models.ForeignKey(
        Division,
        verbose_name=_("行政区划"),
        on_delete=models.CASCADE,
        related_name="population_counts",
        db_constraint=False,  # as Division.parent: imports write in any order
    )
    population = models.PositiveIntegerField(_("常住人口"))
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    effective_from = models.DateField(_("起算日期"))
    source = models.CharField(_("来源"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("人口登记")
        verbose_name_plural = _("人口登记")
        indexes: ClassVar[list[models.Index]] = [
            # The count at a date: the latest row on or before it, per division.
            models.Index(fields=["division", "-effective_from", "-id"], name="org_population_at"),
        ]

    def __str__(self) -> str:
        return f"{self.division_id}={self.population}@{self.effective_from}"
