from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from minsheng.org import selectors
from minsheng.org.models import Role, User
from minsheng.portal import views as portal_views
from minsheng.stats.summary import month_rates
from minsheng.tickets import selectors as ticket_selectors

# The home page a user lands on is chosen by their most specific role, in this order.
HOME_ORDER: tuple[str, ...] = (
    Role.ADMINISTRATOR,
    Role.LEADER,
    Role.SUPERVISOR,
    Role.DISPATCHER,
    Role.OPERATOR,
    Role.UNIT_LEADER,
    Role.HANDLER,
    # Village affairs (minsheng/villages): their home points at 村务公开.
    Role.AFFAIRS_REVIEWER,
    Role.VILLAGE_MONITOR,
    Role.VILLAGE_CLERK,
    # 帮扶台账 (minsheng/assistance): their home points at the ledger.
    Role.ASSIST_OFFICER,
    Role.STATION_WORKER,
)


def primary_role(user: User) -> str | None:
    return next((role for role in HOME_ORDER if user.has_role(role)), None)


def home(request: HttpRequest) -> HttpResponse:
    """`/`: the citizens' home for a visitor (群众端), the staff member's own home once logged in."""
    if not request.user.is_authenticated:
        return portal_views.home(request)
    user = request.user
    assert isinstance(user, User)
    role = primary_role(user)
    context: dict[str, object] = {
        "role": role,
        "role_label": Role(role).label if role else None,
        "roles": [Role(r).label for r in sorted(user.role_set)],
        "overview": selectors.unit_overview_for(user),
        "work_counts": ticket_selectors.work_counts(user),
    }
    if role == Role.LEADER:
        # 三率 of the month, as the statistics pages compute them (minsheng.stats.summary).
        context["month_rates"] = month_rates(user)
    return render(request, f"core/home_{role or 'none'}.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and `make run`'s wait loop: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
