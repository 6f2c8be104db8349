"""帮扶台账's pages (/assistance/, namespace `assistance`)."""

from django.urls import path

from minsheng.assistance import views

app_name = "assistance"

urlpatterns: list = [  # type: ignore[type-arg]
    path("", views.home, name="home"),
    path("a/<str:code>/", views.ledger, name="ledger"),
    path("a/<str:code>/export/", views.export, name="export"),
    path("a/<str:code>/new/", views.person_new, name="person_new"),
    path("a/<str:code>/import/", views.import_ledger, name="import"),
    path("a/<str:code>/import/template/", views.import_template, name="import_template"),
    path("a/<str:code>/station/", views.station, name="station"),
    path("a/<str:code>/figures/", views.figures, name="figures"),
    path("a/<str:code>/access/", views.access_log, name="access_log"),
    path("photo/<int:pk>/", views.photo, name="photo"),
    path("p/<int:pk>/", views.person, name="person"),
    path("p/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("p/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("t/<str:number>/", views.from_ticket, name="from_ticket"),
    path("e/<int:pk>/", views.event, name="event"),
    path("a/<str:code>/full-employment/", views.full_employment, name="full_employment"),
]
