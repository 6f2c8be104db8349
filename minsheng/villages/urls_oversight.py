"""The township's and the county's oversight of boards (/villages/oversight/)."""

from django.urls import path

from minsheng.villages import views_oversight as views

urlpatterns = [
    path("", views.index, name="oversight_index"),
    path("area/<str:code>/", views.area, name="oversight_area"),
    path("township/<str:code>/", views.township, name="oversight_township"),
]
