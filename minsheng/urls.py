from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from minsheng.core.forms import LoginForm
from minsheng.org.forms import ChangePasswordForm

admin.site.site_header = _("民生 · 12345 接诉即办")
admin.site.site_title = _("民生管理后台")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the header's switch
    path("admin/", admin.site.urls),
    path("org/", include("minsheng.org.urls")),
    path("kb/", include("minsheng.tickets.urls_knowledge")),
    path("notify/", include("minsheng.notify.urls")),
    path("deadlines/", include("minsheng.deadlines.urls")),
    path("insight/", include("minsheng.insight.urls")),
    path("stats/", include("minsheng.stats.urls")),
    path("open311/v2/", include("minsheng.open311.urls")),
    path("api/v1/", include("minsheng.api.urls")),
    path("h5/", include("minsheng.portal.urls")),
    path("board/", include("minsheng.portal.board.urls")),  # 留言审核, the back office's side
    path("villages/", include("minsheng.villages.urls")),  # 村务 (back office)
    path("governance/", include("minsheng.governance.urls")),  # 议事会, 专项行动, 民生实事, 包村
    path("assistance/", include("minsheng.assistance.urls")),  # 帮扶台账, 劳动保障服务站
    path("incidents/", include("minsheng.incidents.urls")),  # 重大突发事件
    path("facilities/", include("minsheng.facilities.urls")),  # 公共设施
    path("", include("minsheng.office.urls")),
    path("", include("minsheng.core.urls")),
]

# Errors answer in the format of the interface asked (minsheng/core/errors.py).
handler400 = "minsheng.core.errors.bad_request"
handler403 = "minsheng.core.errors.permission_denied"
handler404 = "minsheng.core.errors.page_not_found"
handler500 = "minsheng.core.errors.server_error"
