"""What the API shows (read serializers) and what it accepts (one body serializer per action).

Bodies are validated here, field by field, before a service is called; the service then applies
the rules of the trade (state, role, scope) and refuses with its own Chinese message.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from minsheng.lib.numbers import is_plain_integer, plain_decimal
from minsheng.org.models import Division, Unit, User, normalize_division_code
from minsheng.tickets import selectors
from minsheng.tickets.actions import (
    CONTACT_METHODS,
    EMERGENCY_SERVICES,
    LEGAL_CHANNELS,
    MAX_EXTENSION_DAYS,
    MAX_TEXT,
)
from minsheng.tickets.models import (
    Assignment,
    Callback,
    Category,
    Channel,
    CloseReason,
    ExtensionRequest,
    Kind,
    ReplyResult,
    Satisfaction,
    Status,
    Supervision,
    Ticket,
    TicketEvent,
    Urgency,
)

UNIT_CODE_REGEX = r"^[-a-zA-Z0-9_]{1,64}$"
TICKET_NUMBER_REGEX = r"^[0-9]{6,16}$"
MAX_ID = 2**53  # fits every database's bigint and JSON's safe integers
# Datetimes outside this range cannot be converted between time zones or stored everywhere.
EARLIEST = dt.datetime(1970, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
LEGAL_CHANNEL_CHOICES = list(LEGAL_CHANNELS.items())


def _user(serializer: serializers.Serializer[Any]) -> User:
    return serializer.context["request"].user  # type: ignore[no-any-return]


def checked_datetime(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not EARLIEST <= value <= LATEST:
        raise serializers.ValidationError(_("时间超出范围。"))
    return value


class BoundedDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> dt.datetime:
        try:
            return checked_datetime(super().to_internal_value(value))
        except OverflowError:  # DRF's own time zone check overflows near year 1 and 9999
            raise serializers.ValidationError(_("时间超出范围。")) from None


class PlainIntegerField(serializers.IntegerField):
    """An integer; a string must be ASCII digits (``int()`` also reads "1_0" and "١٢")."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and not is_plain_integer(data):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class CoordinateField(serializers.DecimalField):
    """Degrees, rounded to the six places the database keeps rather than refused for more."""

    def __init__(self, limit: int, **kwargs: Any) -> None:
        super().__init__(
            max_digits=9,
            decimal_places=6,
            min_value=-limit,
            max_value=limit,
            rounding=ROUND_HALF_UP,
            coerce_to_string=False,
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> Decimal:
        # A string is read strictly (minsheng.lib.numbers): DRF would take "1_0" for 10 and
        # "١٢" for 12. A JSON number arrives as int or float and is DRF's to check.
        if isinstance(data, str) and plain_decimal(data.strip()) is None:
            self.fail("invalid")
        return super().to_internal_value(data)

    def validate_precision(self, value: Decimal) -> Decimal:
        if value.adjusted() >= 3:  # 1000 or more: out of range, and too big to quantize safely
            self.fail("max_value", max_value=self.max_value)
        return super().validate_precision(
            value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        )


def text(
    *, max_length: int = MAX_TEXT, required: bool = True, **kwargs: Any
) -> serializers.CharField:
    if required:
        return serializers.CharField(max_length=max_length, **kwargs)
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


def unit_code(**kwargs: Any) -> serializers.RegexField:
    return serializers.RegexField(UNIT_CODE_REGEX, max_length=64, help_text="单位编码", **kwargs)


def ticket_number(**kwargs: Any) -> serializers.RegexField:
    return serializers.RegexField(TICKET_NUMBER_REGEX, max_length=16, help_text="工单号", **kwargs)


def optional_id(help_text: str) -> serializers.IntegerField:
    return PlainIntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text=help_text,
    )


def active_unit(code: str, field: str) -> Unit:
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise serializers.ValidationError(
            {field: _("承办单位 %(code)s 不存在或已停用。") % {"code": code}}
        )
    return unit


def blank_choice(choices: Any) -> serializers.ChoiceField:
    """A read-only choice that may be "" (not yet set): ModelSerializer drops allow_blank on
    read-only fields, and the schema would then promise a value the API does not always have."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


# --- Reference data -------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parent = serializers.CharField(
        source="parent.code",
        allow_null=True,
        read_only=True,  # type: ignore[assignment]
        help_text="上级单位编码",
    )
    division_code = serializers.CharField(source="division.code", allow_null=True, read_only=True)
    division_name = serializers.CharField(source="division.name", allow_null=True, read_only=True)

    class Meta:
        model = Unit
        fields = (
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "division_code",
            "division_name",
            "is_active",
        )
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer[Category]):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Category
        fields = ("id", "name", "full_name", "level", "parent", "is_active")
        read_only_fields = fields


# --- Tickets: reading -----------------------------------------------------------------------


class DeadlinesSerializer(serializers.Serializer[Ticket]):
    dispatch_due = serializers.DateTimeField(allow_null=True, read_only=True, help_text="派单时限")
    sign_due = serializers.DateTimeField(allow_null=True, read_only=True, help_text="签收时限")
    contact_due = serializers.DateTimeField(allow_null=True, read_only=True, help_text="联系时限")
    reply_due = serializers.DateTimeField(allow_null=True, read_only=True, help_text="答复时限")
    callback_due = serializers.DateTimeField(allow_null=True, read_only=True, help_text="回访时限")
    provisional = serializers.BooleanField(
        source="deadlines_provisional",
        read_only=True,
        help_text="节假日安排未公布，时限暂按周末计算",
    )
    paused_at = serializers.DateTimeField(allow_null=True, read_only=True, help_text="暂停计时时间")
    overdue_at = serializers.DateTimeField(
        allow_null=True, read_only=True, help_text="首次超期时间"
    )


class TicketListSerializer(serializers.ModelSerializer[Ticket]):
    category = serializers.IntegerField(source="category_id", allow_null=True, read_only=True)
    category_name = serializers.CharField(
        source="category.full_name", allow_null=True, read_only=True
    )
    lead_unit = serializers.CharField(
        source="lead_unit.code", allow_null=True, read_only=True, help_text="主办单位编码"
    )
    division_code = serializers.CharField(source="division.code", allow_null=True, read_only=True)
    division_name = serializers.CharField(source="division.name", allow_null=True, read_only=True)
    deadlines = DeadlinesSerializer(source="*", read_only=True)

    class Meta:
        model = Ticket
        fields = (
            "number",
            "title",
            "kind",
            "channel",
            "urgency",
            "status",
            "round",
            "category",
            "category_name",
            "lead_unit",
            "division_code",
            "division_name",
            "confidential",
            "deadlines",
            "created_at",
            "updated_at",
            "closed_at",
            "version",
        )
        read_only_fields = fields


class CitizenSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    id_number = serializers.CharField(read_only=True)
    hidden = serializers.BooleanField(
        read_only=True, help_text="保密工单：诉求人信息对承办单位隐藏"
    )


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    reply_result = blank_choice(ReplyResult.choices)
    unit = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Assignment
        fields = (
            "id",
            "unit",
            "unit_name",
            "role",
            "state",
            "round",
            "parent",
            "instructions",
            "return_reason",
            "signed_at",
            "contacted_at",
            "reply_result",
            "reply_text",
            "replied_at",
            "created_at",
        )
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    actor = serializers.SerializerMethodField()
    unit = serializers.CharField(source="unit.code", allow_null=True, read_only=True)
    data = serializers.DictField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = TicketEvent
        fields = (
            "at",
            "action",
            "actor",
            "unit",
            "old_status",
            "new_status",
            "note",
            "public",
            "data",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event: TicketEvent) -> str | None:
        return str(event.actor) if event.actor is not None else None


class CallbackSerializer(serializers.ModelSerializer[Callback]):
    satisfaction = blank_choice(Satisfaction.choices)

    class Meta:
        model = Callback
        fields = ("round", "reached", "resolved", "satisfaction", "comment", "at")
        read_only_fields = fields


class ExtensionSerializer(serializers.ModelSerializer[ExtensionRequest]):
    class Meta:
        model = ExtensionRequest
        fields = ("id", "days", "reason", "state", "requested_at", "decided_at", "decision_note")
        read_only_fields = fields


class SupervisionSerializer(serializers.ModelSerializer[Supervision]):
    class Meta:
        model = Supervision
        fields = ("note", "due_at", "at")
        read_only_fields = fields


class TicketDetailSerializer(TicketListSerializer):
    reply_result = blank_choice(ReplyResult.choices)
    close_reason = blank_choice(CloseReason.choices)
    satisfaction = blank_choice(Satisfaction.choices)
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True, read_only=True
    )
    lng = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True, read_only=True
    )
    master = serializers.CharField(
        source="master.number", allow_null=True, read_only=True, help_text="并单后的主工单号"
    )
    citizen = serializers.SerializerMethodField()
    assignments = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    callbacks = serializers.SerializerMethodField()
    extension_requests = serializers.SerializerMethodField()
    supervisions = serializers.SerializerMethodField()
    merged = serializers.SerializerMethodField()

    class Meta(TicketListSerializer.Meta):
        fields = (  # type: ignore[assignment]
            *TicketListSerializer.Meta.fields,
            "description",
            "address",
            "lat",
            "lng",
            "affected_population",
            "anonymous",
            "citizen",
            "reply_result",
            "reply_text",
            "replied_at",
            "close_reason",
            "satisfaction",
            "extension_days",
            "transferred_to",
            "master",
            "merged",
            "assignments",
            "timeline",
            "callbacks",
            "extension_requests",
            "supervisions",
        )
        read_only_fields = fields  # type: ignore[assignment]

    def _holder(self, ticket: Ticket) -> bool:
        """Whether the caller holds the ticket now (selectors.holds), asked once per ticket."""
        cache: dict[int, bool] = self.context.setdefault("holders", {})
        if ticket.pk not in cache:
            cache[ticket.pk] = selectors.holds(_user(self), ticket)
        return cache[ticket.pk]

    def to_representation(self, instance: Ticket) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        # Free text as the caller may read it: masked for a unit on a confidential ticket or
        # on one taken from it (selectors.text_for).
        text = selectors.text_for(_user(self), instance, holder=self._holder(instance))
        data.update(title=text.title, description=text.description, address=text.address)
        return data

    @extend_schema_field(CitizenSerializer)
    def get_citizen(self, ticket: Ticket) -> dict[str, Any]:
        view = selectors.citizen_for(_user(self), ticket, holder=self._holder(ticket))
        return {
            "name": view.name,
            "phone": view.phone,
            "id_number": view.id_number,
            "hidden": view.hidden,
        }

    @extend_schema_field(AssignmentSerializer(many=True))
    def get_assignments(self, ticket: Ticket) -> Any:
        return AssignmentSerializer(selectors.assignments_of(ticket), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, ticket: Ticket) -> Any:
        events = selectors.timeline_for(_user(self), ticket, holder=self._holder(ticket))
        return EventSerializer(events, many=True).data

    @extend_schema_field(CallbackSerializer(many=True))
    def get_callbacks(self, ticket: Ticket) -> Any:
        return CallbackSerializer(ticket.callbacks.order_by("at", "id"), many=True).data

    @extend_schema_field(ExtensionSerializer(many=True))
    def get_extension_requests(self, ticket: Ticket) -> Any:
        rows = ticket.extension_requests.order_by("requested_at", "id")
        return ExtensionSerializer(rows, many=True).data

    @extend_schema_field(SupervisionSerializer(many=True))
    def get_supervisions(self, ticket: Ticket) -> Any:
        return SupervisionSerializer(ticket.supervisions.order_by("at", "id"), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_merged(self, ticket: Ticket) -> list[str]:
        return list(ticket.merged_tickets.order_by("number").values_list("number", flat=True))


class TicketPageSerializer(serializers.Serializer[Any]):
    next = serializers.CharField(allow_null=True, help_text="下一页的完整地址；没有更多时为 null")
    next_cursor = serializers.CharField(allow_null=True)
    results = TicketListSerializer(many=True)


# --- Tickets: the list's query parameters ----------------------------------------------------


class TicketFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    category = PlainIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="分类 id（含其下级分类）"
    )
    unit = unit_code(required=False)
    updated_after = BoundedDateTimeField(required=False, help_text="ISO 8601，只返回此后更新的工单")
    division = serializers.RegexField(
        r"^[0-9]+$",
        max_length=12,
        required=False,
        help_text="区划代码（2/4/6/9/12 位），含其下级区划",
    )
    cursor = serializers.CharField(
        max_length=200, required=False, help_text="上一页返回的 next_cursor"
    )
    page_size = PlainIntegerField(min_value=1, max_value=200, default=50, required=False)

    def validate_division(self, value: str) -> str:
        try:
            code = normalize_division_code(value)
        except ValueError:
            raise serializers.ValidationError(_("区划代码应为 2、4、6、9 或 12 位数字。")) from None
        # The significant prefix: trailing zero groups name the levels below.
        for digits in (2, 4, 6, 9):
            if set(code[digits:]) <= {"0"}:
                return code[:digits]
        return code


# --- Tickets: writing -----------------------------------------------------------------------


class VersionedSerializer(serializers.Serializer[Any]):
    expected_version = PlainIntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text="客户端看到的工单版本；工单已被他人改动时返回 409 conflict",
    )


class IntakeSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.HOTLINE)
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = text(max_length=200)
    description = text()
    citizen_name = text(max_length=50, required=False)
    citizen_phone = text(max_length=30, required=False)
    citizen_id_number = text(max_length=18, required=False)
    anonymous = serializers.BooleanField(default=False)
    confidential = serializers.BooleanField(default=False)
    category = optional_id("分类 id")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.GENERAL)
    division = serializers.RegexField(
        r"^[0-9]+$",
        max_length=12,
        required=False,
        allow_null=True,
        default=None,
        help_text="所在区划代码",
    )
    address = text(max_length=200, required=False)
    address_public = serializers.BooleanField(
        required=False, default=False, help_text="地址为公共场所（Open311 才公开原地址与精确坐标）"
    )
    lat = CoordinateField(90, required=False, allow_null=True, default=None)
    lng = CoordinateField(180, required=False, allow_null=True, default=None)
    affected_population = PlainIntegerField(min_value=1, max_value=10**7, default=1)

    def validate_category(self, value: int | None) -> Category | None:
        if value is None:
            return None
        category = Category.objects.filter(pk=value, is_active=True).first()
        if category is None:
            raise serializers.ValidationError(_("分类不存在或已停用。"))
        return category

    def validate_division(self, value: str | None) -> Division | None:
        if not value:
            return None
        try:
            code = normalize_division_code(value)
        except ValueError:
            raise serializers.ValidationError(_("区划代码应为 2、4、6、9 或 12 位数字。")) from None
        division = Division.objects.filter(code=code).first()
        if division is None:
            raise serializers.ValidationError(_("区划不存在。"))
        return division


class EmptySerializer(VersionedSerializer):
    pass


class SignSerializer(VersionedSerializer):
    assignment = optional_id("承办任务 id（一个单位承办多个部分时指定）")


class DispatchSerializer(VersionedSerializer):
    lead_unit = unit_code()
    assisting_units = serializers.ListField(child=unit_code(), max_length=20, default=list)
    instructions = text(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["lead_unit"] = active_unit(attrs["lead_unit"], "lead_unit")
        attrs["assisting_units"] = [
            active_unit(c, "assisting_units") for c in attrs["assisting_units"]
        ]
        return attrs


class ReturnSerializer(SignSerializer):
    reason = text()


class ContactSerializer(VersionedSerializer):
    method = serializers.ChoiceField(choices=list(CONTACT_METHODS.items()))
    note = text(required=False)
    at = BoundedDateTimeField(
        required=False, allow_null=True, default=None, help_text="联系时间，默认为现在"
    )


class ProgressSerializer(VersionedSerializer):
    note = text()
    public = serializers.BooleanField(default=False, help_text="是否向诉求人公开")


class ExtendSerializer(VersionedSerializer):
    days = PlainIntegerField(min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = text()


class ReplySerializer(SignSerializer):
    result = serializers.ChoiceField(choices=ReplyResult.choices)
    content = text()


class CallbackBodySerializer(VersionedSerializer):
    reached = serializers.BooleanField(help_text="是否联系上诉求人")
    resolved = serializers.BooleanField(required=False, allow_null=True, default=None)
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices, required=False, allow_blank=True, default=""
    )
    comment = text(required=False)


class NoteSerializer(VersionedSerializer):
    note = text()


class OptionalNoteSerializer(VersionedSerializer):
    note = text(required=False)


class MergeSerializer(VersionedSerializer):
    master = ticket_number()
    note = text(required=False)


class ReturnAcceptSerializer(VersionedSerializer):
    lead_unit = unit_code(required=False, allow_null=True, default=None)
    note = text(required=False)
    assignment = optional_id("退单的承办任务 id")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("lead_unit"):
            attrs["lead_unit"] = active_unit(attrs["lead_unit"], "lead_unit")
        return attrs


class ReturnRefuseSerializer(NoteSerializer):
    assignment = optional_id("退单的承办任务 id")


class ReassignSerializer(VersionedSerializer):
    lead_unit = unit_code()
    note = text(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["lead_unit"] = active_unit(attrs["lead_unit"], "lead_unit")
        return attrs


class AddAssistingSerializer(VersionedSerializer):
    unit = unit_code()
    note = text(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["unit"] = active_unit(attrs["unit"], "unit")
        return attrs


class DecomposeSerializer(SignSerializer):
    units = serializers.ListField(child=unit_code(), min_length=1, max_length=50)
    instructions = text()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["units"] = [active_unit(c, "units") for c in attrs["units"]]
        return attrs


class SuperviseSerializer(VersionedSerializer):
    note = text()
    due_at = BoundedDateTimeField(help_text="督办期限")


class DirectAnswerSerializer(VersionedSerializer):
    answer = text()


class EmergencyTransferSerializer(VersionedSerializer):
    to = serializers.ChoiceField(choices=list(EMERGENCY_SERVICES.items()))
    note = text(required=False)


class LegalChannelSerializer(VersionedSerializer):
    channel = serializers.ChoiceField(choices=LEGAL_CHANNEL_CHOICES)
    note = text()
