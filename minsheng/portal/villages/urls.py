"""Public pages of village boards, included at /h5/villages/ inside the portal's namespace."""

from django.urls import path

from minsheng.portal.villages import views

urlpatterns = [
    path("", views.county, name="village_county"),
    path("t/<str:township_code>/", views.township, name="village_township"),
    path("<str:village_code>/", views.board, name="village_board"),
    path("<str:village_code>/items/<int:item_id>/", views.item, name="village_item"),
    path(
        "<str:village_code>/items/<int:item_id>/receipt/<str:number>/",
        views.receipt,
        name="village_receipt",
    ),
    path("<str:village_code>/poster/", views.poster, name="village_poster"),
    path("<str:village_code>/poster/qr.png", views.poster_png, name="village_poster_qr"),
]
