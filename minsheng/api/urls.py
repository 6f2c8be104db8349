"""/api/v1/: the REST API for units' own systems, its OpenAPI schema and its docs (served
from local static files: government intranets have no CDN)."""

from __future__ import annotations

from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from minsheng.api import assistance, views


class TicketNumberConverter:
    regex = "[0-9]{6,16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TicketNumberConverter, "ticket_number")


class DivisionCodeConverter:
    regex = "[0-9]{6,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DivisionCodeConverter, "division_code")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    path("units/", views.UnitList.as_view(), name="units"),
    path("categories/", views.CategoryList.as_view(), name="categories"),
    path("tickets/", views.TicketList.as_view(), name="tickets"),
    path("tickets/<ticket_number:number>/", views.TicketDetail.as_view(), name="ticket"),
    *[
        path(f"tickets/<ticket_number:number>/{name}/", view.as_view(), name=f"ticket-{name}")
        for name, view in views.ACTION_VIEWS.items()
    ],
    # 帮扶台账, read-only (minsheng/api/assistance.py).
    path(
        "assistance/areas/<division_code:code>/people/",
        assistance.AssistancePeople.as_view(),
        name="assistance-people",
    ),
    path(
        "assistance/areas/<division_code:code>/figures/",
        assistance.AssistanceFigures.as_view(),
        name="assistance-figures",
    ),
    path(
        "assistance/people/<int:pk>/",
        assistance.AssistancePerson.as_view(),
        name="assistance-person",
    ),
    re_path(r"^.*$", views.not_found),
]
