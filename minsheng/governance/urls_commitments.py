"""民生实事 pages (/governance/commitments/, minsheng/governance/views_commitments.py)."""

from django.urls import path

from minsheng.governance import views_commitments as views

urlpatterns = [
    path("", views.home, name="commitment_home"),
    path("<int:pk>/", views.list_page, name="commitment_list"),
    path("c/<int:pk>/", views.commitment_page, name="commitment_detail"),
    path("w/<int:pk>/", views.work_page, name="commitment_work"),
    path("photo/<int:pk>/", views.report_photo, name="commitment_photo"),
]
