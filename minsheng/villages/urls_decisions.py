"""四议两公开: the village decision procedure's pages (/villages/matters/, namespace `villages`)."""

from django.urls import path

from minsheng.villages import views_decisions as views

urlpatterns: list = [  # type: ignore[type-arg]
    path("", views.matter_home, name="matter_home"),
    path("overview/", views.matter_overview, name="matter_overview"),
    path("v/<str:code>/", views.matter_village, name="matter_village"),
    path("v/<str:code>/registers/", views.matter_registers, name="matter_registers"),
    path("<int:pk>/", views.matter_detail, name="matter_detail"),
    path("files/<int:pk>/", views.matter_file, name="matter_file"),
]
