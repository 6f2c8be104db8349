from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from minsheng.org import selectors
from minsheng.org.models import Division, User, normalize_division_code


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(request, "org/unit_list.html", {"units": selectors.units_visible_to(user)})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    unit = selectors.unit_for(user, code)
    context = {
        "unit": unit,
        "members": selectors.unit_members(unit),
        "children": selectors.units_visible_to(user).filter(parent=unit),
    }
    return render(request, "org/unit_detail.html", context)


@login_required
def division_detail(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Browse the division tree. Divisions are public statistical data: no scoping needed."""
    division = None
    if code is not None:
        try:
            division = Division.objects.get(code=normalize_division_code(code))
        except (ValueError, Division.DoesNotExist):
            raise Http404("division not found") from None
    context = {
        "division": division,
        "ancestors": selectors.division_ancestors(division) if division else [],
        "children": selectors.division_children(division),
    }
    return render(request, "org/division_detail.html", context)
