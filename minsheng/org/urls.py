from django.urls import path

from minsheng.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<slug:code>/", views.unit_detail, name="unit_detail"),
    path("divisions/", views.division_detail, name="division_detail_root"),
    path("divisions/<str:code>/", views.division_detail, name="division_detail"),
]
