"""The facilities' QR pages, included at /h5/f/ inside the portal's namespace."""

from django.urls import path

from minsheng.portal.facilities import views

urlpatterns = [
    path("<str:code>/", views.facility, name="facility"),
    path("<str:code>/receipt/<str:number>/", views.receipt, name="facility_receipt"),
]
