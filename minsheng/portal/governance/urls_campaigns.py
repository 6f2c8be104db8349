"""专项行动's public pages, included at /h5/campaigns/ inside the portal's namespace."""

from django.urls import path

from minsheng.portal.governance import views_campaigns as views

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("<int:pk>/", views.campaign, name="campaign"),
]
