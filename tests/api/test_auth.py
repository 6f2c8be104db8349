"""Token authentication: who gets in, as whom, and what a unit's token may see."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from minsheng.api.models import ApiToken
from minsheng.api.tokens import hash_key, token_create, token_revoke
from minsheng.org.models import Role, User
from tests.api.conftest import INTAKE, Api, Apis, error_code
from tests.conftest import Org, People


def _command(*args: str) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue()


def _key_from(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "authorization",
    [None, "Token", "Token not-a-key", "Token a b", "Bearer something", "Token é"],
)
def test_it_refuses_requests_without_a_valid_token(org: Org, authorization: str | None) -> None:
    answer = Api(Client(), authorization=authorization).get("tickets/")
    assert answer.status == 401
    assert error_code(answer) == "unauthenticated"
    assert answer.headers["WWW-Authenticate"] == "Token"


def test_it_refuses_a_revoked_token(org: Org) -> None:
    token, key = token_create(user=org.olga)
    api = Api(Client(), key)
    assert api.get("tickets/").status == 200
    token_revoke(token=token)
    assert api.get("tickets/").status == 401


def test_it_refuses_the_token_of_a_deactivated_user(org: Org) -> None:
    _, key = token_create(user=org.olga)
    User.objects.filter(pk=org.olga.pk).update(is_active=False)
    assert Api(Client(), key).get("tickets/").status == 401


def test_it_stores_only_the_hash_of_the_key(org: Org) -> None:
    token, key = token_create(user=org.olga)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_key(key) and key not in (stored.key_hash, stored.key_prefix)
    assert key.startswith(stored.key_prefix)


def test_it_records_the_last_use_at_most_once_a_minute(org: Org) -> None:
    token, key = token_create(user=org.olga)
    api = Api(Client(), key)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get("units/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api.get("units/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        api.get("units/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start + dt.timedelta(seconds=61)


def test_a_unit_token_acts_as_that_units_handler(apis: Apis, people: People) -> None:
    output = _command("create", "--unit", "sunkou", "--name", "孙口镇办公系统")
    unit_api = Api(Client(), _key_from(output))
    system = User.objects.get(username="api-sunkou")
    assert system.unit == people.org.sunkou and system.role_set == {Role.HANDLER}
    assert not system.has_usable_password()

    mine = apis.operator.post("tickets/", INTAKE).body["number"]
    theirs = apis.operator.post("tickets/", INTAKE).body["number"]
    apis.dispatcher.act(mine, "dispatch", {"lead_unit": "sunkou"})
    apis.dispatcher.act(theirs, "dispatch", {"lead_unit": "houmiao"})

    listed = unit_api.get("tickets/")
    assert [t["number"] for t in listed.body["results"]] == [mine]
    assert unit_api.get(f"tickets/{theirs}/").status == 404
    assert error_code(unit_api.act(theirs, "sign")) == "not_found"
    signed = unit_api.act(mine, "sign")
    assert signed.status == 200 and signed.body["status"] == "in_progress"
    sign_event = signed.body["timeline"][-1]
    assert sign_event["action"] == "sign" and sign_event["unit"] == "sunkou"
    # A handler's token cannot do the hotline's work.
    assert unit_api.post("tickets/", INTAKE).status == 403
    assert {u["code"] for u in unit_api.get("units/").body} == {"sunkou", "sunkou-nc1"}


def test_the_unit_command_reuses_the_units_system_account(org: Org) -> None:
    first = _key_from(_command("create", "--unit", "houmiao"))
    second = _key_from(_command("create", "--unit", "houmiao"))
    assert first != second
    assert User.objects.filter(username="api-houmiao").count() == 1
    assert ApiToken.objects.filter(user__username="api-houmiao").count() == 2


def test_the_command_creates_lists_and_revokes_user_tokens(org: Org) -> None:
    output = _command("create", "--user", "olga", "--name", "呼叫中心对接")
    key = _key_from(output)
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert token.user == org.olga and token.name == "呼叫中心对接"
    listing = _command("list")
    assert token.key_prefix in listing and key not in listing and "active" in listing
    assert "Revoked" in _command("revoke", token.key_prefix)
    assert Api(Client(), key).get("units/").status == 401
    assert "revoked" in _command("list")


@pytest.mark.parametrize(
    "args",
    [
        ("create", "--user", "nobody"),
        ("create", "--unit", "no-such-unit"),
        ("create", "--unit", "hotline"),
        ("revoke", "zzzzzzzz"),
    ],
)
def test_the_command_explains_what_it_cannot_do(org: Org, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        _command(*args)


def test_the_admin_revokes_tokens(org: Org, client: Client) -> None:
    admin = User.objects.create_superuser("root", password="x" * 12)
    token, key = token_create(user=org.olga)
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert Api(Client(), key).get("units/").status == 401


def test_the_admin_creates_a_token_and_shows_its_key_once(org: Org, client: Client) -> None:
    admin = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": org.alice.pk, "name": "测试"},
        follow=True,
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=org.alice)
    shown = [str(m) for m in response.context["messages"] if token.key_prefix in str(m)]
    key = shown[0].rsplit("：", 1)[-1]
    assert Api(Client(), key).get("units/").status == 200
