"""集中导入's pages (minsheng/governance/views_intake.py), at /governance/intake/."""

from django.urls import path

from minsheng.governance import views_intake as views

urlpatterns = [
    path("", views.intake_home, name="intake_home"),
    path("template/", views.intake_template, name="intake_template"),
    path("<int:pk>/", views.intake_batch, name="intake_batch"),
]
