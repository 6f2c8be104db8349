"""专项行动 pages (/governance/campaigns/)."""

from django.urls import path

from minsheng.governance import views_campaigns as views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/indicators/new/", views.indicator_new, name="campaign_indicator_new"),
    path("<int:pk>/tickets/", views.tickets_tag, name="campaign_tickets"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path("<int:pk>/entries/new/", views.entry_new, name="campaign_entry_new"),
    path("<int:pk>/inspections/new/", views.inspection_new, name="campaign_inspection_new"),
    path("<int:pk>/photos/<str:kind>/<int:row>/", views.photo, name="campaign_photo"),
]
