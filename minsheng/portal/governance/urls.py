"""民生实事's public pages, included at /h5/commitments/ inside the portal's namespace."""

from django.urls import path

from minsheng.portal.governance import views

urlpatterns = [
    path("", views.lists, name="commitment_lists"),
    path("<int:pk>/", views.list_page, name="commitment_list"),
    path("photo/<int:pk>/", views.photo, name="commitment_photo"),
]
