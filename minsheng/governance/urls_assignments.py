"""包村 and 走访's pages (minsheng/governance/views_visits.py), at /governance/villages/."""

from django.urls import path

from minsheng.governance import views_visits as views

urlpatterns = [
    path("", views.visits_home, name="visits_home"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("v/<str:code>/", views.village_page, name="visits_village"),
    path("t/<str:code>/", views.township_page, name="visits_township"),
    path("t/<str:code>/export/", views.township_export, name="visits_township_export"),
    path("t/<str:code>/assignments/", views.assignments_page, name="visits_assignments"),
]
