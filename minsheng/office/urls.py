from django.urls import path

from minsheng.office import attachments, desk, manifest, queues, search, ticket

app_name = "tickets"
urlpatterns = [
    path("desk/new", desk.desk_new, name="desk_new"),
    path("desk/places", desk.desk_places, name="desk_places"),
    path("desk/similar", desk.desk_similar, name="desk_similar"),
    path("desk/triage", desk.desk_triage, name="desk_triage"),
    path("desk/unit", desk.desk_unit, name="desk_unit"),
    path("desk/caller", desk.desk_caller, name="desk_caller"),
    path("dispatch/", queues.dispatch_queue, name="dispatch_queue"),
    path("inbox/", queues.unit_inbox, name="inbox"),
    path("callbacks/", queues.callback_queue, name="callbacks"),
    path("tickets/", search.search, name="search"),
    path("tickets/export.xlsx", search.export, name="export"),
    path("tickets/<str:number>/", ticket.ticket_detail, name="detail"),
    path(
        "tickets/<str:number>/attachments/<int:pk>",
        attachments.attachment,
        name="attachment",
    ),
    path("tickets/<str:number>/<slug:action>/", ticket.ticket_action, name="action"),
    path("manifest.webmanifest", manifest.manifest, name="manifest"),
]
