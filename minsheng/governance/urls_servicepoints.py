"""服务点 and 服务矩阵's pages (minsheng/governance/views_servicepoints.py), at /governance/points/."""

from django.urls import path

from minsheng.governance import views_servicepoints as views

urlpatterns = [
    path("", views.points_home, name="points_home"),
    path("t/<str:code>/", views.township_points, name="points_township"),
    path("t/<str:code>/new/", views.point_new, name="point_new"),
    path("t/<str:code>/matrix/", views.matrix_page, name="points_matrix"),
    path("t/<str:code>/matrix/export/", views.matrix_export, name="points_matrix_export"),
    path("p/<int:pk>/", views.point_page, name="point_page"),
    path("p/<int:pk>/edit/", views.point_edit, name="point_edit"),
    path("p/<int:pk>/entry/", views.entry_new, name="point_entry"),
]
