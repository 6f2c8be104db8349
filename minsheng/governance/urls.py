"""The township's governance pages, included at /governance/ by minsheng/urls.py."""

from django.urls import include, path

app_name = "governance"

urlpatterns: list = [  # type: ignore[type-arg]
    path("councils/", include("minsheng.governance.urls_councils")),  # 民生议事会
    path("campaigns/", include("minsheng.governance.urls_campaigns")),  # 专项行动
    path("commitments/", include("minsheng.governance.urls_commitments")),  # 民生实事
    path("villages/", include("minsheng.governance.urls_assignments")),  # 包村 / 走访
    path("intake/", include("minsheng.governance.urls_intake")),  # 集中导入
    path("points/", include("minsheng.governance.urls_servicepoints")),  # 服务点 / 服务矩阵
]
