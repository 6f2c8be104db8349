"""Whatever arrives, the answer is the spec's error list (or a result), never a 500: bytes that
are not UTF-8, parameters given twice or as arrays, huge values, broken bodies, random text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.tickets.models import Category, Ticket
from tests.open311.conftest import BASE, Api, light_report, parse_xml

pytestmark = pytest.mark.django_db


def test_query_strings_that_are_not_utf8_are_400(api: Api, people: Any) -> None:
    for path in ("requests.json", "services.json", "discovery.json", "requests/1.json"):
        [error] = api.errors(api.http.get(BASE + path, QUERY_STRING="status=%FF%FEopen"), 400)
        assert "UTF-8" in error["description"]
    api.xml_errors(api.http.get(BASE + "requests.xml", QUERY_STRING="start_date=%C3%28"), 400)
    # Raw (unescaped) bytes that are not UTF-8.
    api.errors(api.http.get(BASE + "requests.json", QUERY_STRING="status=\xff"), 400)


def test_form_bodies_that_are_not_utf8_are_400(api: Api, street_light: Category) -> None:
    body = f"api_key={api.key}&service_code={street_light.pk}&address_string=%B0%D7%C1%FA".encode()
    response = api.http.post(
        BASE + "requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    [error] = api.errors(response, 400)
    assert "UTF-8" in error["description"]
    assert not Ticket.objects.exists()


def test_multipart_fields_that_are_not_utf8_are_400(api: Api, street_light: Category) -> None:
    boundary = "XyZ"
    parts = [
        ("api_key", api.key.encode()),
        ("service_code", str(street_light.pk).encode()),
        ("address_string", b"\xb0\xd7\xc1\xfa"),
    ]
    body = (
        b"".join(
            b"--"
            + boundary.encode()
            + b'\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"\r\n\r\n'
            + value
            + b"\r\n"
            for name, value in parts
        )
        + b"--"
        + boundary.encode()
        + b"--\r\n"
    )
    response = api.http.post(
        BASE + "requests.json", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    api.errors(response, 400)
    assert not Ticket.objects.exists()


def test_form_urlencoded_posts_work(api: Api, street_light: Category) -> None:
    """The spec's encoding (the test client posts multipart by default, which works too)."""
    from urllib.parse import urlencode

    body = urlencode(
        {
            **light_report(street_light),
            "api_key": api.key,
            "attribute[nearby][]": ["school", "market"],
        },
        doseq=True,
    )
    response = api.http.post(
        BASE + "requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    [created] = api.json(response)
    ticket = Ticket.objects.get(number=created["service_request_id"])
    assert ticket.address == "孙口镇铭功路东段" and "附近设施：学校、集市" in ticket.description


def test_a_broken_multipart_body_is_400(api: Api, street_light: Category) -> None:
    response = api.http.post(BASE + "requests.json", b"garbage", content_type="multipart/form-data")
    api.errors(response, 400)


@pytest.mark.parametrize(
    "overrides",
    [
        {"description": ["one", "two"]},
        {"service_code": ["1", "2"]},
        {"lat": ["35.9", "36.0"]},
        {"phone": ["13800138000", "13900139000"]},
        {"service_code": None, "service_code[]": "1"},
        {"description[]": "text", "description": ["a", "b"]},
        {"attribute[pole][]": ["a", "b"]},
    ],
)
def test_arrays_where_a_single_value_belongs_are_400(
    api: Api, street_light: Category, overrides: dict[str, Any]
) -> None:
    data = light_report(street_light, **overrides)
    if "service_code" in overrides and overrides["service_code"] is None:
        data.pop("service_code", None)
    api.errors(api.post("requests.json", data), 400)
    assert not Ticket.objects.exists()


def test_arrays_in_queries_are_400(api: Api, people: Any) -> None:
    api.errors(api.http.get(BASE + "requests.json?status=open&status=closed"), 400)
    api.errors(api.http.get(BASE + "requests.json?page=1&page=2"), 400)


def test_huge_values_are_400(api: Api, street_light: Category) -> None:
    for field in (
        "description",
        "address_string",
        "lat",
        "phone",
        "email",
        "media_url",
        "device_id",
        "service_code",
        "attribute[pole]",
    ):
        api.errors(
            api.post("requests.json", light_report(street_light, **{field: "9" * 100_000})), 400
        )
    api.errors(api.get("requests.json", start_date="2" * 10_000), 400)
    api.errors(api.get("requests.json", service_request_id="1," * 5000), 400)
    assert not Ticket.objects.exists()


def test_too_many_fields_or_too_big_a_body_is_400(
    api: Api, street_light: Category, settings: Any
) -> None:
    data = light_report(street_light, **{f"attribute[x{i}]": "1" for i in range(1100)})
    api.errors(api.post("requests.json", data), 400)
    api.errors(
        api.http.get(BASE + "requests.json?" + "&".join(f"f{i}=1" for i in range(1100))), 400
    )
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    api.errors(api.post("requests.json", light_report(street_light, description="长" * 1000)), 400)
    body = "description=" + "%E9%95%BF" * 1000
    api.errors(
        api.http.post(
            BASE + "requests.json", body, content_type="application/x-www-form-urlencoded"
        ),
        400,
    )
    assert not Ticket.objects.exists()


def test_a_json_body_is_not_a_form(api: Api, street_light: Category) -> None:
    response = api.http.post(
        BASE + "requests.json",
        json.dumps(light_report(street_light, api_key=api.key)),
        content_type="application/json",
    )
    api.errors(response, 403)  # no form, so no api_key


PARAMETERS = st.sampled_from(
    [
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "description",
        "phone",
        "email",
        "first_name",
        "last_name",
        "media_url",
        "device_id",
        "account_id",
        "attribute[pole]",
        "attribute[fault]",
        "attribute[count]",
        "attribute[since]",
        "attribute[nearby][]",
        "jurisdiction_id",
        "service_request_id",
        "start_date",
        "end_date",
        "status",
        "page",
        "page_size",
        "extensions",
        "updated_after",
        "updated_before",
    ]
)
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e309",
            "NaN",
            "true",
            "open,closed",
            "2024-01-01T00:00:00Z",
            "9" * 30,
            "\x00",
            "中",
        ]
    ),
    st.lists(st.text(max_size=5), min_size=2, max_size=3),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=st.dictionaries(PARAMETERS, VALUES, max_size=8))
def test_random_parameters_never_make_a_500(
    client: Client, street_light: Category, api: Api, params: dict[str, Any]
) -> None:
    for response in (
        api.http.get(BASE + "requests.json", params),
        api.http.get(BASE + "requests.xml", params),
        api.post("requests.json", params),
        api.post("requests.xml", {**light_report(street_light), **params}),
        api.http.get(
            BASE + f"services/{params.get('service_code', '1')!s:.50}.json".replace("?", "")
        ),
    ):
        assert response.status_code in (200, 400, 403, 404), response.content
        if response["Content-Type"].startswith("application/json"):
            json.loads(response.content)
        else:
            parse_xml(response.content)


@pytest.mark.parametrize("written", ["١٢", "1_0", "3_5.9", "３５.９", "35.9e", "nan", "0x10"])
def test_coordinates_python_would_read_are_400(
    api: Api, street_light: Category, written: str
) -> None:
    # Decimal() accepts other scripts' digits and "_" between digits; the interface does not.
    api.errors(api.post("requests.json", light_report(street_light, lat=written)), 400)
    assert not Ticket.objects.exists()
