"""The board's back-office pages (留言审核), included at /board/ by minsheng/urls.py."""

from django.urls import path

from minsheng.portal.board import moderation

app_name = "board"

urlpatterns = [
    path("moderate/", moderation.queue, name="queue"),
    path("moderate/<int:pk>/", moderation.detail, name="message"),
    path("moderate/<int:pk>/approve/", moderation.approve, name="approve"),
    path("moderate/<int:pk>/reject/", moderation.reject, name="reject"),
]
