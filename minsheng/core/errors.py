"""Error answers in the format of the interface that was asked: the REST API's JSON error body
under /api/, Open311's error list (JSON or XML) under /open311/, a Chinese page in the site's
frame everywhere else. Django's handlers otherwise answer bare English HTML, also to an API
client whose body was too large (RequestDataTooBig is raised while the view reads it)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.api.errors import error_body
from minsheng.open311.formats import render_errors
from minsheng.org.access import SessionRefused

PAGES = {
    400: ("invalid", gettext_lazy("请求无效")),
    403: ("forbidden", gettext_lazy("没有权限")),
    404: ("not_found", gettext_lazy("页面不存在")),
    500: ("error", gettext_lazy("系统出错")),
}


def _explanation(status: int) -> str:
    return {
        400: _("请求的内容无法处理（格式有误、过大或含有无效字符）。请返回上一页检查后重试。"),
        403: _("您没有权限访问此页面。如需权限，请联系系统管理员。"),
        404: _("您访问的页面不存在，或不在您的查看范围内。"),
        500: _("系统处理时出错，已记录。请稍后重试；如仍出错，请联系系统管理员。"),
    }[status]


def interface_of(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/open311/"):
        return "open311"
    return "html"


def error_response(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    message = message or _explanation(status)
    kind = interface_of(request.path)
    if kind == "api":
        return JsonResponse(
            error_body(PAGES[status][0], message),
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    if kind == "open311":
        fmt = "xml" if request.path.endswith(".xml") else "json"
        return render_errors([(status, message)], fmt, status=status)
    title = str(PAGES[status][1])
    context = {"status": status, "title": title, "message": message}
    if status == 500:
        # No context processors: the database may be what failed.
        return HttpResponse(render_to_string("errors/500.html", context), status=500)
    return render(request, "errors/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Only the session guard's refusals carry a message meant for the caller.
    message = str(exception) if isinstance(exception, SessionRefused) else ""
    return error_response(request, 403, message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)
