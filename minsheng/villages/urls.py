"""Village affairs' back-office pages, included at /villages/ by minsheng/urls.py."""

from django.urls import include, path

app_name = "villages"

urlpatterns: list = [  # type: ignore[type-arg]
    path("matters/", include("minsheng.villages.urls_decisions")),  # 四议两公开
    path("oversight/", include("minsheng.villages.urls_oversight")),  # lateness and figures
]
