from django.urls import path

from minsheng.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("<int:message_id>/open/", views.open_message, name="open"),
]
