from django.urls import path

from minsheng.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("due/", views.due, name="due"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/export.xlsx", views.overdue_export, name="overdue_export"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/<str:number>/", views.supervise, name="supervise"),
]
