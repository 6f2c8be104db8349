from django.urls import path

from minsheng.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("big/", views.big_text, name="big"),
    path("figures/", views.figures, name="figures"),
    path("verify/<str:purpose>/", views.verify, name="verify"),
    path("report/", views.report, name="report"),
    path("receipt/<str:number>/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("t/<str:number>/", views.ticket, name="ticket"),
    path("leave/", views.leave, name="leave"),
]
