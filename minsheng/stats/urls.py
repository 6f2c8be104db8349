from django.urls import path

from minsheng.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("units/", views.units, name="units"),
    path("areas/", views.areas, name="areas"),
    path("categories/", views.categories, name="categories"),
    path("channels/", views.channels, name="channels"),
    path("trend/", views.trend, name="trend"),
    path("report/", views.report, name="report"),
    path("tickets/", views.tickets, name="tickets"),
]
