"""POST requests: the posted form checked and turned into a `NewRequest`.

Every problem found is reported at once (a list of errors, HTTP 400), so an app developer
fixes a form in one round. The choices made here are documented in docs/configuration.md
("Open311"): the title is the description's first sentence; `address_id` is a statistical
division code (our master address list); attribute answers are stored as rows and also shown
in the ticket's description under 【属性】 so that the handling unit reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from minsheng.lib.snapshot import Snapshot
from minsheng.open311.models import ApiClient, Datatype, ServiceAttribute
from minsheng.open311.params import Open311Error, Params, bad_request, parse_datetime
from minsheng.open311.selectors import service_attributes, service_category
from minsheng.open311.serialize import service_name
from minsheng.open311.services import AttributeAnswer, NewRequest
from minsheng.org.models import Division, normalize_division_code
from minsheng.textproc.pii import normalize_phone
from minsheng.tickets.models import Category

MAX_DESCRIPTION = 4000
MAX_TITLE = 60
MAX_STRING_ATTRIBUTE = 200
MAX_TEXT_ATTRIBUTE = 2000
_ATTRIBUTE_KEY = re.compile(r"attribute\[([^\[\]]{1,50})\](\[\])?")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?:\s|$)")
_CLAUSE_END = re.compile(r"[，,、：:]")
_CJK = re.compile(r"[\u3400-\u9fff]")

T = TypeVar("T")


class _Errors:
    """Collects the descriptions of every failed check."""

    def __init__(self) -> None:
        self.descriptions: list[str] = []

    def check(self, read: Callable[[], T], default: T) -> T:
        try:
            return read()
        except Open311Error as error:
            self.descriptions.extend(description for _, description in error.errors)
            return default

    def add(self, description: str) -> None:
        self.descriptions.append(description)


def derive_title(description: str, fallback: str) -> str:
    """The first sentence, cut at a clause boundary (or hard, with …) to 60 characters."""
    first = _SENTENCE_END.split(description.strip(), maxsplit=1)[0].strip()
    first = " ".join(first.split())
    if not first:
        return fallback[:MAX_TITLE]
    if len(first) <= MAX_TITLE:
        return first
    head = first[: MAX_TITLE - 1]
    boundaries = [m.start() for m in _CLAUSE_END.finditer(head)]
    if boundaries and boundaries[-1] >= 10:
        return head[: boundaries[-1]]
    return head + "…"


def citizen_name(first: str, last: str) -> str:
    """Chinese names are family name first, without a space (last_name 张 + first_name 三)."""
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


# Apps post from the same villages over and over, and divisions are never deleted (tickets and
# units refer to them; an import adds and renames): the ones found are kept per process, in a
# dict started afresh every snapshot.MAX_AGE seconds. Codes not found are always looked up
# again, since an import may add them at any time.
_divisions: Snapshot[dict[str, Division]] = Snapshot(dict)


def _division(address_id: str) -> Division | None:
    try:
        code = normalize_division_code(address_id)
    except ValueError:
        return None
    found = _divisions.get()
    if code not in found:
        division = Division.objects.filter(code=code).first()
        if division is None:
            return None
        found[code] = division
    return found[code]


def _answer(attr: ServiceAttribute, values: list[str]) -> AttributeAnswer:
    code, label = attr.code, attr.description
    if attr.datatype != Datatype.MULTIVALUELIST and len(values) > 1:
        raise bad_request(f"属性 {code}（{label}）只能有一个值。")
    if attr.datatype == Datatype.MULTIVALUELIST:
        names = attr.value_names()
        unknown = [v for v in values if v not in names]
        if unknown:
            raise bad_request(f"属性 {code}（{label}）的选项无效：{'、'.join(unknown)[:100]}。")
        keys = list(dict.fromkeys(values))
        return AttributeAnswer(attr, keys, "、".join(names[k] for k in keys))
    value = values[0]
    if attr.datatype == Datatype.SINGLEVALUELIST:
        names = attr.value_names()
        if value not in names:
            raise bad_request(f"属性 {code}（{label}）的选项无效：{value[:50]}。")
        return AttributeAnswer(attr, value, names[value])
    if attr.datatype == Datatype.NUMBER:
        if len(value) > 40 or not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
            raise bad_request(f"属性 {code}（{label}）必须是数字。")
        return AttributeAnswer(attr, value, value)
    if attr.datatype == Datatype.DATETIME:
        moment = parse_datetime(value, f"attribute[{code}]")
        return AttributeAnswer(attr, moment.isoformat(), moment.isoformat(timespec="minutes"))
    limit = MAX_TEXT_ATTRIBUTE if attr.datatype == Datatype.TEXT else MAX_STRING_ATTRIBUTE
    if len(value) > limit:
        raise bad_request(f"属性 {code}（{label}）不能超过 {limit} 个字符。")
    return AttributeAnswer(attr, value, value)


def _posted_attributes(params: Params) -> dict[str, list[str]]:
    posted: dict[str, list[str]] = {}
    for key in params.data:
        match = _ATTRIBUTE_KEY.fullmatch(key)
        if match is not None:
            posted.setdefault(match.group(1), []).extend(
                params.texts(key, max_length=MAX_TEXT_ATTRIBUTE)
            )
    return posted


def _answers(params: Params, category: Category, errors: _Errors) -> list[AttributeAnswer]:
    """Answers to the service's attributes. Answers to attributes the service does not have
    are ignored: an app may show a form cached before an administrator changed it."""
    no_answers: dict[str, list[str]] = {}
    posted = errors.check(lambda: _posted_attributes(params), no_answers)
    answers: list[AttributeAnswer] = []
    for attr in service_attributes(category):
        if not attr.variable:
            continue
        values = posted.get(attr.code, [])
        if not values:
            if attr.required:
                errors.add(f"缺少必填属性 attribute[{attr.code}]（{attr.description}）。")
            continue
        answer = errors.check(lambda attr=attr, values=values: _answer(attr, values), None)  # type: ignore[misc]
        if answer is not None:
            answers.append(answer)
    return answers


def _description(text: str, answers: list[AttributeAnswer], category: Category) -> str:
    block = "\n".join(f"{a.attribute.description}：{a.display}" for a in answers)
    parts = [text] if text else []
    if block:
        parts.append(f"【属性】\n{block}")
    return (
        "\n\n".join(parts) or f"（通过应用反映“{service_name(category.full_name)}”，未填写描述。）"
    )


def _validated(value: str, validator: Callable[[str], None], message: str, errors: _Errors) -> str:
    if value:
        try:
            validator(value)
        except ValidationError:
            errors.add(message)
            return ""
    return value


def new_request_from(params: Params, client: ApiClient) -> NewRequest:
    errors = _Errors()
    text = params.text
    code = errors.check(lambda: text("service_code", max_length=20, required=True), "")
    category = service_category(code) if code else None
    if code and category is None:
        errors.add(f"service_code {code} 不存在。")

    lat = errors.check(lambda: params.coordinate("lat", limit=90), None)
    lng = errors.check(lambda: params.coordinate("long", limit=180), None)
    address = errors.check(lambda: text("address_string", max_length=200), "")
    address_id = errors.check(lambda: text("address_id", max_length=100), "")
    has_lat = bool(params.data.get("lat", "").strip())
    has_long = bool(params.data.get("long", "").strip())
    if has_lat != has_long:
        errors.add("lat 和 long 需同时提供。")
    if not (has_lat or has_long or address or address_id):
        errors.add("缺少位置：请提供 lat 和 long、address_string 或 address_id 之一。")
    division = None
    if address_id:
        division = _division(address_id)
        if division is None:
            errors.add("address_id 不是已知的行政区划代码（12 位统计用区划代码）。")

    description = errors.check(lambda: text("description", max_length=MAX_DESCRIPTION), "")
    raw_phone = errors.check(lambda: text("phone", max_length=40), "")
    phone = (normalize_phone(raw_phone) or "") if raw_phone else ""
    if raw_phone and not phone:
        errors.add(
            "phone 格式不正确：请提供 11 位手机号或带区号的固定电话，如 13800138000、0393-1234567。"
        )
    email = _validated(
        errors.check(lambda: text("email", max_length=254), ""),
        EmailValidator(),
        "email 格式不正确。",
        errors,
    )
    media_url = _validated(
        errors.check(lambda: text("media_url", max_length=500), ""),
        URLValidator(schemes=["http", "https"]),
        "media_url 必须是 http 或 https 链接。",
        errors,
    )
    first = errors.check(lambda: text("first_name", max_length=25), "")
    last = errors.check(lambda: text("last_name", max_length=25), "")
    device_id = errors.check(lambda: text("device_id", max_length=100), "")
    account_id = errors.check(lambda: text("account_id", max_length=100), "")
    answers = _answers(params, category, errors) if category is not None else []
    full_description = _description(description, answers, category) if category is not None else ""
    if len(full_description) > MAX_DESCRIPTION:
        errors.add(f"description 与属性合计不能超过 {MAX_DESCRIPTION} 个字符。")
    if errors.descriptions or category is None:
        raise bad_request(*(errors.descriptions or ["缺少参数 service_code。"]))
    return NewRequest(
        client=client,
        category=category,
        title=derive_title(description, category.name),
        description=full_description,
        citizen_name=citizen_name(first, last),
        phone=phone,
        email=email,
        address=address,
        address_id=address_id,
        division=division,
        lat=lat,
        lng=lng,
        device_id=device_id,
        account_id=account_id,
        media_url=media_url,
        answers=answers,
    )
