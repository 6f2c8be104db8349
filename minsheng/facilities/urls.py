"""公共设施's staff pages (/facilities/, namespace `facilities`)."""

from django.urls import path

from minsheng.facilities import views

app_name = "facilities"

urlpatterns: list = [  # type: ignore[type-arg]
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("import/", views.import_view, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("figures/", views.figures, name="figures"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/round/", views.round_form, name="round"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("photo/<int:pk>/", views.photo, name="photo"),
    path("round-photo/<int:pk>/", views.round_photo, name="round_photo"),
]
