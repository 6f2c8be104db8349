"""Village affairs' back-office pages, included at /villages/ by minsheng/urls.py."""

from django.urls import include, path

from minsheng.villages import views

app_name = "villages"

urlpatterns: list = [  # type: ignore[type-arg]
    path("matters/", include("minsheng.villages.urls_decisions")),  # 四议两公开
    path("oversight/", include("minsheng.villages.urls_oversight")),  # lateness and figures
    # The board's staff side (views.py): drafting, review, publication, corrections, files.
    path("", views.home, name="home"),
    path("review/", views.queue, name="queue"),
    path("board/<str:code>/", views.board, name="board"),
    path("board/<str:code>/new/", views.item_new, name="item_new"),
    path("board/<str:code>/wall/", views.wall, name="wall"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/statement/", views.statement, name="statement"),
    path("items/<int:pk>/statement/import/", views.statement_import, name="statement_import"),
    path("items/<int:pk>/statement.xlsx", views.statement_export, name="statement_export"),
    path("items/<int:pk>/submit/", views.item_submit, name="item_submit"),
    path("items/<int:pk>/review/", views.item_review, name="item_review"),
    path("items/<int:pk>/correct/", views.item_correct, name="item_correct"),
    path("items/<int:pk>/files/", views.item_attach, name="item_attach"),
    path("items/<int:pk>/files/<int:file_id>/remove/", views.item_detach, name="item_detach"),
    path("statement-template.xlsx", views.statement_template, name="statement_template"),
    path("files/<int:pk>/", views.file, name="file"),  # public once published (the board links it)
]
