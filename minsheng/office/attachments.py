"""Attachments are served here and nowhere else: after the same checks as the ticket page.

Files live under MEDIA_ROOT with unguessable names, and no URL maps MEDIA_ROOT: a photo of a
citizen's house or ID card must never be one guessed link away. The view finds the ticket in
the user's scope (404 otherwise, as every ticket URL), requires the user to hold it now (the
hotline, or a unit with a live assignment: selectors.holds), and then either streams the file
or, in production, hands it to the web server (`MINSHENG_SENDFILE`: `x-accel-redirect` for
nginx with an `internal` location, `x-sendfile` for Apache's mod_xsendfile; docs/deployment.md).
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase

from minsheng.org.access import current_user
from minsheng.tickets import selectors
from minsheng.tickets.models import Attachment


@login_required
def attachment(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    user = current_user(request)
    ticket = selectors.ticket_for(user, number)
    if not selectors.holds(user, ticket):
        raise Http404("attachment not found")
    item = Attachment.objects.filter(ticket=ticket, pk=pk).first()
    if item is None:
        raise Http404("attachment not found")
    # `?thumb` asks for the small copy a handler's photo has (the ticket page's thumbnails).
    thumb = "thumb" in request.GET and bool(item.thumbnail)
    response = _serve(item.thumbnail if thumb else item.file)
    response["Content-Type"] = item.content_type
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(item.original_name)}"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _serve(file: FieldFile) -> HttpResponseBase:
    mode = settings.MINSHENG_SENDFILE
    if mode == "x-accel-redirect":
        response = HttpResponse()
        response["X-Accel-Redirect"] = f"{settings.MINSHENG_SENDFILE_PREFIX}{file.name}"
        return response
    if mode == "x-sendfile":
        response = HttpResponse()
        response["X-Sendfile"] = file.path
        return response
    try:
        return FileResponse(file.open("rb"))
    except FileNotFoundError:
        raise Http404("attachment file missing") from None
