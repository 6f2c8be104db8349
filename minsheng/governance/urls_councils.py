"""民生议事会's pages (minsheng/governance/views_councils.py), at /governance/councils/."""

from django.urls import path

from minsheng.governance import views_councils as views

urlpatterns = [
    path("", views.council_list, name="council_list"),
    path("<str:code>/", views.council_home, name="council_home"),
    path("<str:code>/agenda/", views.council_agenda, name="council_agenda"),
    path("<str:code>/meetings/<int:pk>/", views.council_meeting, name="council_meeting"),
    path("<str:code>/meetings/<int:pk>/minutes/", views.council_minutes, name="council_minutes"),
]
