from django.urls import path

from minsheng.insight import views

app_name = "insight"
urlpatterns = [
    path("hotspots/", views.hotspots, name="hotspots"),
    path("themes/", views.themes, name="themes"),
    path("themes/new", views.theme_create, name="theme_create"),
    path("themes/<int:pk>/", views.theme_detail, name="theme_detail"),
]
