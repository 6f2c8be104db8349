"""重大突发事件's pages (/incidents/, namespace `incidents`)."""

from django.urls import path

from minsheng.incidents import views

app_name = "incidents"

urlpatterns: list = [  # type: ignore[type-arg]
    path("", views.index, name="index"),
    path("raise/", views.raise_incident, name="raise"),
    path("roster/", views.roster, name="roster"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.detail, name="detail"),
]
