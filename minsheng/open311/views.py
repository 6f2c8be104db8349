"""GeoReport v2 endpoints under /open311/v2/, each in .json and .xml.

Views read parameters (params.py), call one selector or service, and render (formats.py).
Every failure is the spec's error list with its HTTP status; `endpoint` turns whatever a client
can provoke into one, so no input makes a 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from minsheng.open311 import selectors, serialize
from minsheng.open311.formats import render, render_errors
from minsheng.open311.idempotency import (
    IDEMPOTENCY_HEADER,
    REPLAYED_HEADER,
    first_request,
    idempotency_key,
    request_fingerprint,
)
from minsheng.open311.intake import new_request_from
from minsheng.open311.models import ServiceRequest
from minsheng.open311.params import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    Open311Error,
    Params,
    bad_request,
    check_range,
    request_params,
)
from minsheng.open311.services import client_authenticate, rate_limit_take, service_request_create
from minsheng.tickets.errors import NotAllowed, TicketActionError

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this implementation of the interface last changed (discovery's `changeset`).
CHANGESET = "2025-06-01T00:00:00+08:00"

Handler = Callable[..., HttpResponse]


API_KEY_HEADER = "X-Api-Key"


def endpoint(*methods: str) -> Callable[[Handler], Handler]:
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def wrap(view: Handler) -> Handler:
        @csrf_exempt  # apps post with a key, not with a session cookie
        @functools.wraps(view)
        def run(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in allowed:
                    response = render_errors(
                        [(405, f"此接口只接受 {', '.join(methods)}。")], fmt, status=405
                    )
                    response["Allow"] = ", ".join(sorted(allowed))
                    return response
                params = Params(request_params(request))
                params.jurisdiction()
                return view(request, params, fmt, **kwargs)
            except Open311Error as error:
                response = render_errors(error.errors, fmt, status=error.status)
                if error.status == 429:
                    response["Retry-After"] = "60"
                return response
            except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
                # Too many fields, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a broken multipart.
                return render_errors([(400, "请求无法解析（过大或格式错误）。")], fmt, status=400)

        return run

    return wrap


@endpoint("GET")
def discovery(request: HttpRequest, params: Params, fmt: str) -> HttpResponse:
    here = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    body = {
        "changeset": CHANGESET,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": here.rsplit("/", 1)[0] + "/",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(body, fmt, root="discovery")


@endpoint("GET")
def services(request: HttpRequest, params: Params, fmt: str) -> HttpResponse:
    body = [serialize.service(s) for s in selectors.services()]
    return render(body, fmt, root="services")


@endpoint("GET")
def service_definition(request: HttpRequest, params: Params, fmt: str, code: str) -> HttpResponse:
    category = selectors.service_category(code)
    if category is None:
        raise Open311Error(404, f"service_code {code[:50]} 不存在。")
    body = serialize.service_definition(category, selectors.service_attributes(category))
    return render(body, fmt, root="service_definition")


@endpoint("GET", "POST")
def requests(request: HttpRequest, params: Params, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, params, fmt)
    return _search(params, fmt)


def _api_key(request: HttpRequest, params: Params) -> str:
    # The header keeps the key out of URLs (and so out of proxies' logs); the spec's
    # parameter is still accepted, in the body or the query string.
    keys = params.data.getlist("api_key") or request.GET.getlist("api_key")
    if API_KEY_HEADER in request.headers:
        keys = [*keys, request.headers[API_KEY_HEADER]]
    if not keys or not keys[0].strip():
        raise Open311Error(403, "缺少 api_key。")
    if len(keys) > 1:
        raise Open311Error(403, "api_key 只能出现一次。")
    return keys[0].strip()


def _create(request: HttpRequest, params: Params, fmt: str) -> HttpResponse:
    client = client_authenticate(_api_key(request, params))
    if client is None:
        raise Open311Error(403, "api_key 无效或已停用。")
    key = idempotency_key(request)
    digest = request_fingerprint(request, params) if key else ""
    if key and (first := first_request(client, key)) is not None:
        return _replay(first, digest, fmt)
    if not rate_limit_take(client=client):
        raise Open311Error(
            429, f"请求过于频繁：每分钟最多 {client.rate_limit_per_minute} 次，请稍后再试。"
        )
    new = replace(new_request_from(params, client), idempotency_key=key, request_hash=digest)
    try:
        ticket = service_request_create(new=new)
    except NotAllowed as error:  # the client's service account lost its role
        raise Open311Error(403, error.message) from None
    except TicketActionError as error:
        raise bad_request(error.message) from None
    except IntegrityError:
        # The same key committed by a concurrent request first: answer as it was answered.
        first = first_request(client, key) if key else None
        if first is None:
            raise
        return _replay(first, digest, fmt)
    return render(_created(ticket.number), fmt, root="service_requests")


def _created(number: str) -> list[dict[str, Any]]:
    notice = f"已受理，工单号 {number}。请记下工单号，可随时查询办理进度。"
    return [{"service_request_id": number, "service_notice": notice, "account_id": None}]


def _replay(first: ServiceRequest, digest: str, fmt: str) -> HttpResponse:
    if first.request_hash != digest:
        raise Open311Error(
            422, f"该 {IDEMPOTENCY_HEADER} 已用于另一个请求（内容不同），请换用新的键。"
        )
    response = render(_created(first.ticket.number), fmt, root="service_requests")
    response[REPLAYED_HEADER] = "true"
    return response


def _search(params: Params, fmt: str) -> HttpResponse:
    codes = params.comma_list("service_code")
    if any(not c.isascii() or not c.isdigit() or len(c) > 18 for c in codes):
        raise bad_request("service_code 无效：应为 services 接口给出的代码，多个用逗号分隔。")
    statuses = params.comma_list("status", max_items=2)
    if any(s not in ("open", "closed") for s in statuses):
        raise bad_request("status 只能是 open 或 closed（多个用逗号分隔）。")
    start, end = params.datetime("start_date"), params.datetime("end_date")
    check_range(start, end, ("start_date", "end_date"))
    after, before = params.datetime("updated_after"), params.datetime("updated_before")
    if after is not None and before is not None and after > before:
        raise bad_request("updated_after 不能晚于 updated_before。")
    query = selectors.RequestQuery(
        numbers=tuple(params.comma_list("service_request_id")),
        service_codes=tuple(int(c) for c in codes),
        start=start,
        end=end,
        statuses=tuple(statuses),
        updated_after=after,
        updated_before=before,
        page=params.integer("page", default=1, minimum=1, maximum=MAX_PAGE),
        page_size=params.integer(
            "page_size", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE
        ),
        with_notes=params.boolean("extensions"),
    )
    tickets = selectors.requests_search(query)
    body = [serialize.service_request(t, with_notes=query.with_notes) for t in tickets]
    return render(body, fmt, root="service_requests")


@endpoint("GET")
def request_detail(request: HttpRequest, params: Params, fmt: str, request_id: str) -> HttpResponse:
    with_notes = params.boolean("extensions")
    ticket = selectors.request_by_number(request_id, with_notes=with_notes)
    if ticket is None:
        raise Open311Error(404, f"service_request_id {request_id[:50]} 不存在。")
    return render(
        [serialize.service_request(ticket, with_notes=with_notes)], fmt, root="service_requests"
    )


@endpoint("GET")
def token(request: HttpRequest, params: Params, fmt: str, token: str) -> HttpResponse:
    # Requests are created at once: POST answers with the service_request_id itself, so no
    # token is ever issued and none can be looked up.
    raise Open311Error(
        404, "token 不存在：本接口同步创建工单，POST 直接返回 service_request_id，不签发 token。"
    )


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return render_errors(
        [(404, "没有这个接口；路径须以 .json 或 .xml 结尾，见 discovery.json。")], fmt, status=404
    )
