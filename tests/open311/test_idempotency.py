"""`Idempotency-Key` on POST requests: a retry after a lost answer files no second ticket
(issue 18, finding 12)."""

from __future__ import annotations

import pytest

from minsheng.open311.models import ApiClient
from minsheng.open311.services import client_create
from minsheng.tickets.models import Category, Ticket
from tests.open311.conftest import Api, light_report

pytestmark = pytest.mark.django_db


def post(api: Api, data: dict[str, str], key: str | None) -> object:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.post("requests.json", data, headers=headers)


def test_a_retry_with_the_same_key_answers_the_first_ticket(
    api: Api, street_light: Category
) -> None:
    data = light_report(street_light)
    first = api.json(post(api, data, "retry-1"))
    again = post(api, data, "retry-1")
    assert api.json(again) == first
    assert again["Idempotent-Replayed"] == "true"  # type: ignore[index]
    assert Ticket.objects.count() == 1


def test_without_a_key_a_resend_is_a_new_ticket(api: Api, street_light: Category) -> None:
    data = light_report(street_light)
    api.json(post(api, data, None))
    api.json(post(api, data, None))
    assert Ticket.objects.count() == 2


def test_the_same_key_with_another_request_is_refused(api: Api, street_light: Category) -> None:
    api.json(post(api, light_report(street_light), "k"))
    other = light_report(street_light, description="另一处路灯不亮，请尽快修复。")
    [error] = api.errors(post(api, other, "k"), 422)
    assert "Idempotency-Key" in error["description"]
    assert Ticket.objects.count() == 1


def test_a_refused_request_does_not_use_up_its_key(api: Api, street_light: Category) -> None:
    bad = light_report(street_light, lat="91")
    api.errors(post(api, bad, "fix-and-retry"), 400)
    api.json(post(api, light_report(street_light), "fix-and-retry"))
    assert Ticket.objects.count() == 1


def test_keys_belong_to_their_client(
    api: Api, street_light: Category, app_client: tuple[ApiClient, str]
) -> None:
    data = light_report(street_light)
    mine = api.json(post(api, data, "shared-key"))
    _other, other_key = client_create(name="另一个应用", rate_limit_per_minute=1000)
    theirs = api.json(
        api.http.post(
            "/open311/v2/requests.json",
            {**data, "api_key": other_key},
            headers={"Idempotency-Key": "shared-key"},
        )
    )
    assert mine[0]["service_request_id"] != theirs[0]["service_request_id"]
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("key", ["", " ", "x" * 201, "键"])
def test_a_malformed_key_is_a_400(api: Api, street_light: Category, key: str) -> None:
    api.errors(post(api, light_report(street_light), key), 400)
    assert Ticket.objects.count() == 0
