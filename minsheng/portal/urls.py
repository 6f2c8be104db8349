from django.urls import include, path

from minsheng.portal import views
from minsheng.portal.board import views as board
from minsheng.portal.board.feeds import CategoryFeed, TownshipFeed

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("big/", views.big_text, name="big"),
    path("figures/", views.figures, name="figures"),
    path("verify/<str:purpose>/", views.verify, name="verify"),
    path("report/", views.report, name="report"),
    path("receipt/<str:number>/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("t/<str:number>/", views.ticket, name="ticket"),
    path("leave/", views.leave, name="leave"),
    # 留言板 (minsheng/portal/board/)
    path("board/", board.board, name="board"),
    path("board/<int:pk>/", board.message, name="board_message"),
    path("board/<int:pk>/like/", board.like, name="board_like"),
    path("board/feed/township/<str:code>/", TownshipFeed(), name="board_feed_township"),
    path("board/feed/category/<int:pk>/", CategoryFeed(), name="board_feed_category"),
    # 村务公开 (minsheng/portal/villages/)
    path("villages/", include("minsheng.portal.villages.urls")),
    # 民生实事 (minsheng/portal/governance/)
    path("commitments/", include("minsheng.portal.governance.urls")),
    # 专项行动 (minsheng/portal/governance/views_campaigns.py)
    path("campaigns/", include("minsheng.portal.governance.urls_campaigns")),
    # 公共设施 (minsheng/portal/facilities/): the QR code's page
    path("f/", include("minsheng.portal.facilities.urls")),
]
