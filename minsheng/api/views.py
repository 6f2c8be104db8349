"""REST API views: validate, call one service or selector, serialize. No rules of the trade here.

Scoping comes from the selectors (a unit's token sees its subtree's tickets only; anything
else is 404), permissions and state checks from the services, whose refusals become 4xx with
the service's Chinese message (errors.py).
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minsheng.api import serializers as api_serializers
from minsheng.api.actions import ACTIONS, Action
from minsheng.api.errors import ErrorSerializer, error_body
from minsheng.api.idempotency import HEADER, idempotent
from minsheng.api.pagination import keyset_page
from minsheng.org.models import User
from minsheng.org.selectors import units_visible_to
from minsheng.tickets import actions
from minsheng.tickets.models import Category, Ticket
from minsheng.tickets.selectors import LIST_RELATED, ticket_for, tickets_visible_to

DETAIL_RELATED = (*LIST_RELATED, "master")

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="任意 1–200 个可打印 ASCII 字符。重复请求返回第一次的成功结果，不会重复执行。",
)


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


def _user(request: Request) -> User:
    return cast(User, request.user)


def _detail(request: Request, ticket: Ticket) -> dict[str, Any]:
    return cast(
        dict[str, Any],
        api_serializers.TicketDetailSerializer(ticket, context={"request": request}).data,
    )


class UnitList(APIView):
    @extend_schema(
        operation_id="units_list",
        summary="承办单位（本人权限范围内）",
        responses={200: api_serializers.UnitSerializer(many=True), **_errors(401)},
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        units = units_visible_to(_user(request))
        return Response(api_serializers.UnitSerializer(units, many=True).data)


class CategoryList(APIView):
    @extend_schema(
        operation_id="categories_list",
        summary="诉求分类树（全部节点）",
        responses={200: api_serializers.CategorySerializer(many=True), **_errors(401)},
        tags=["reference"],
    )
    def get(self, request: Request) -> Response:
        categories = Category.objects.order_by("full_name")
        return Response(api_serializers.CategorySerializer(categories, many=True).data)


class TicketList(APIView):
    @extend_schema(
        operation_id="tickets_list",
        summary="工单列表（按更新时间、id 游标分页）",
        parameters=[api_serializers.TicketFilterSerializer],
        responses={200: api_serializers.TicketPageSerializer, **_errors(400, 401)},
        tags=["tickets"],
    )
    def get(self, request: Request) -> Response:
        filters = api_serializers.TicketFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        tickets = self.filtered(tickets_visible_to(_user(request)), params)
        page = keyset_page(tickets, cursor=params.get("cursor"), size=params["page_size"])
        next_url = None
        if page.next_cursor:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response(
            {
                "next": next_url,
                "next_cursor": page.next_cursor,
                "results": api_serializers.TicketListSerializer(page.rows, many=True).data,
            }
        )

    @staticmethod
    def filtered(tickets: Any, params: dict[str, Any]) -> Any:
        if "status" in params:
            tickets = tickets.filter(status=params["status"])
        if "category" in params:
            category = Category.objects.filter(pk=params["category"]).first()
            if category is None:
                return tickets.none()
            tickets = tickets.filter(
                Q(category=category) | Q(category__full_name__startswith=f"{category.full_name}/")
            )
        if "unit" in params:
            tickets = tickets.filter(lead_unit__code=params["unit"])
        if "updated_after" in params:
            tickets = tickets.filter(updated_at__gt=params["updated_after"])
        if "division" in params:
            tickets = tickets.filter(division__code__startswith=params["division"])
        return tickets

    @extend_schema(
        operation_id="tickets_create",
        summary="受理工单（话务员）",
        request=api_serializers.IntakeSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: api_serializers.TicketDetailSerializer, **_errors(400, 401, 403, 409, 422)},
        tags=["tickets"],
    )
    def post(self, request: Request) -> Response:
        return idempotent(request, lambda: self.intake(request))

    def intake(self, request: Request) -> Response:
        body = api_serializers.IntakeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ticket = actions.ticket_intake(actor=_user(request), **body.validated_data)
        ticket = Ticket.objects.select_related(*DETAIL_RELATED).get(pk=ticket.pk)
        return Response(
            _detail(request, ticket),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/tickets/{ticket.number}/"},
        )


class TicketDetail(APIView):
    @extend_schema(
        operation_id="tickets_retrieve",
        summary="工单详情：承办任务、流转记录、时限、诉求人（保密工单对单位隐藏）",
        responses={200: api_serializers.TicketDetailSerializer, **_errors(401, 404)},
        tags=["tickets"],
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(_detail(request, ticket_for(_user(request), number)))


class TicketActionView(APIView):
    """POST /tickets/{number}/{action}/: one body serializer, one service, the ticket back."""

    spec: Action

    def post(self, request: Request, number: str) -> Response:
        return idempotent(request, lambda: self.perform(request, number))

    def perform(self, request: Request, number: str) -> Response:
        user = _user(request)
        ticket = ticket_for(user, number)  # outside the caller's scope: 404 before anything else
        body = self.spec.serializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.spec.run(ticket, user, dict(body.validated_data))
        fresh = Ticket.objects.select_related(*DETAIL_RELATED).get(pk=ticket.pk)
        return Response(_detail(request, fresh))


def _action_view(action: Action) -> type[TicketActionView]:
    schema = extend_schema(
        operation_id=f"tickets_{action.name.replace('-', '_')}",
        summary=f"{action.summary}（{action.who}）",
        request=action.serializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            200: api_serializers.TicketDetailSerializer,
            **_errors(400, 401, 403, 404, 409, 422),
        },
        tags=["ticket actions"],
    )

    def post(self: TicketActionView, request: Request, number: str) -> Response:
        return TicketActionView.post(self, request, number)

    name = "".join(part.title() for part in action.name.split("-")) + "ActionView"
    return type(name, (TicketActionView,), {"spec": action, "post": schema(post)})


ACTION_VIEWS: dict[str, type[TicketActionView]] = {a.name: _action_view(a) for a in ACTIONS}


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/v1/: the API's error shape, not Django's HTML page."""
    return JsonResponse(
        error_body("not_found", _("没有这个接口。")),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
