"""The Open311 api_key: accepted in a header, never written to a log line."""

from __future__ import annotations

import copy
import datetime as dt
import io
import logging
import logging.config
from types import SimpleNamespace
from typing import Any

from django.conf import settings as django_settings
from gunicorn.config import Config

from minsheng.open311.scrub import GunicornLogger, scrub
from minsheng.tickets.models import Category, Ticket
from tests.open311.conftest import BASE, Api, light_report


def test_the_key_is_accepted_in_the_x_api_key_header(api: Api, street_light: Category) -> None:
    response = api.post(
        "requests.json", light_report(street_light), key=False, HTTP_X_API_KEY=api.key
    )
    assert response.status_code == 200, response.content.decode()
    assert Ticket.objects.count() == 1


def test_a_key_in_both_the_header_and_the_body_is_refused(api: Api, street_light: Category) -> None:
    api.errors(api.post("requests.json", light_report(street_light), HTTP_X_API_KEY=api.key), 403)
    api.errors(
        api.post("requests.json", light_report(street_light), key=False, HTTP_X_API_KEY="bad"),
        403,
    )
    assert not Ticket.objects.exists()


def test_scrub_hides_every_spelling_of_the_parameter() -> None:
    assert scrub("GET /open311/v2/requests.json?api_key=s3cr3t&page=2") == (
        "GET /open311/v2/requests.json?api_key=***&page=2"
    )
    assert scrub("api_key=s3cr3t") == "api_key=***"
    assert scrub("?API_KEY=a%20b c") == "?API_KEY=*** c"
    assert scrub("?api%5Fkey=s3cr3t") == "?api%5Fkey=***"
    assert scrub("?my_api_key_id=1&x=api_key") == "?my_api_key_id=1&x=api_key"


def test_the_configured_log_handlers_scrub_the_key() -> None:
    config = copy.deepcopy(django_settings.LOGGING)
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream  # type: ignore[index]
    logging.config.dictConfig(config)
    try:
        logging.getLogger("minsheng.test").warning(
            "slow request %s", "/open311/v2/requests.json?api_key=s3cr3t&lat=1"
        )
    finally:
        logging.config.dictConfig(django_settings.LOGGING)
    written = stream.getvalue()
    assert "/open311/v2/requests.json?api_key=***&lat=1" in written
    assert "s3cr3t" not in written


def test_the_gunicorn_access_log_never_shows_the_key() -> None:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": BASE + "requests.json?api_key=s3cr3t",
        "PATH_INFO": BASE + "requests.json",
        "QUERY_STRING": "api_key=s3cr3t",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://app.example/?api_key=s3cr3t",
        "HTTP_X_API_KEY": "s3cr3t",
        "REMOTE_ADDR": "127.0.0.1",
    }
    request = SimpleNamespace(headers=[("X-API-KEY", "s3cr3t")])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    config = Config()
    atoms = GunicornLogger(config).atoms(response, request, environ, dt.timedelta(seconds=1))
    assert not any("s3cr3t" in str(value) for value in atoms.values())
    line = config.access_log_format % atoms
    assert "GET /open311/v2/requests.json?api_key=*** HTTP/1.1" in line
