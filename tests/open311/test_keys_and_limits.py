"""API keys (manage.py open311_key, the admin) and the per-key rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from minsheng.open311.models import ApiClient, RateWindow
from minsheng.open311.services import client_authenticate, client_create, rate_limit_take
from minsheng.org.models import Role, User
from minsheng.tickets.models import Category, Ticket
from tests.conftest import People, run_together
from tests.open311.conftest import Api, light_report

pytestmark = pytest.mark.django_db


def command(*args: str) -> str:
    out = StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue()


def test_create_prints_the_key_once_and_stores_only_its_hash(db: None) -> None:
    output = command("create", "台前县城管通", "--rate-limit", "30")
    key = output.strip().splitlines()[-1]
    assert len(key) >= 40
    client = ApiClient.objects.get(name="台前县城管通")
    assert client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert client.key_prefix == key[:8] and client.rate_limit_per_minute == 30
    stored = " ".join(str(v) for v in ApiClient.objects.values_list().get(pk=client.pk))
    assert key not in stored
    assert client_authenticate(key) == client
    # Its service account takes tickets in and cannot log in.
    user = client.user
    assert user.has_role(Role.OPERATOR) and not user.has_usable_password() and user.is_active
    assert "台前县城管通" in str(user)
    # The list shows the prefix, never the key.
    listing = command("list")
    assert (
        "台前县城管通" in listing
        and key[:8] in listing
        and key not in listing
        and "active" in listing
    )


def test_the_default_rate_limit_is_a_setting(db: None, settings: Any) -> None:
    settings.OPEN311_RATE_LIMIT_PER_MINUTE = 12
    command("create", "app")
    assert ApiClient.objects.get(name="app").rate_limit_per_minute == 12


def test_names_are_unique_and_required(db: None) -> None:
    command("create", "app")
    with pytest.raises(CommandError, match="已有名为"):
        command("create", "app")
    with pytest.raises(CommandError, match="不能为空"):
        command("create", "  ")
    with pytest.raises(CommandError, match="不能为负数"):
        command("create", "other", "--rate-limit", "-1")


def test_revoke_switches_the_key_and_the_account_off(api: Api, street_light: Category) -> None:
    output = command("create", "legacy")
    key = output.strip().splitlines()[-1]
    assert api.post("requests.json", light_report(street_light, api_key=key)).status_code == 200
    assert "Revoked" in command("revoke", "legacy")
    client = ApiClient.objects.get(name="legacy")
    assert not client.is_active and not User.objects.get(pk=client.user_id).is_active
    api.errors(api.post("requests.json", light_report(street_light, api_key=key)), 403)
    assert "revoked" in command("list")
    with pytest.raises(CommandError, match="No Open311 client"):
        command("revoke", "nobody")


def test_list_without_clients(db: None) -> None:
    assert "No Open311 clients" in command("list")


# --- Rate limiting --------------------------------------------------------------------------


@pytest.fixture
def limited(people: People) -> tuple[ApiClient, str]:
    return client_create(name="限流测试", rate_limit_per_minute=3)


def test_the_limit_answers_429_until_the_next_minute(
    client: Client, limited: tuple[ApiClient, str], street_light: Category
) -> None:
    api = Api(http=client, key=limited[1])
    start = timezone.now().replace(second=5, microsecond=0) + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as clock:
        assert api.post("requests.json", light_report(street_light)).status_code == 200
        api.errors(api.post("requests.json", {"service_code": "x"}), 400)  # refused calls count too
        assert api.post("requests.json", light_report(street_light)).status_code == 200
        response = api.post("requests.json", light_report(street_light))
        [error] = api.errors(response, 429)
        assert "每分钟最多 3 次" in error["description"] and response["Retry-After"] == "60"
        api.xml_errors(api.post("requests.xml", light_report(street_light)), 429)
        assert Ticket.objects.count() == 2
        # Reading is not limited: GET needs no key.
        assert api.get("requests.json").status_code == 200
        clock.move_to(start + dt.timedelta(minutes=1))
        assert api.post("requests.json", light_report(street_light)).status_code == 200
    assert RateWindow.objects.filter(client=limited[0]).count() == 2


def test_a_wrong_key_is_refused_before_counting(
    client: Client, limited: tuple[ApiClient, str], street_light: Category
) -> None:
    api = Api(http=client, key="wrong")
    for _ in range(5):
        api.errors(api.post("requests.json", light_report(street_light)), 403)
    assert not RateWindow.objects.exists()


def test_zero_means_unlimited(people: People) -> None:
    unlimited, _ = client_create(name="unlimited", rate_limit_per_minute=0)
    assert all(rate_limit_take(client=unlimited) for _ in range(100))
    assert not RateWindow.objects.exists()


def test_old_windows_are_pruned_when_a_new_one_starts(limited: tuple[ApiClient, str]) -> None:
    client = limited[0]
    t0 = timezone.now().replace(second=0, microsecond=0)
    for minutes in (0, 1, 2, 10):
        assert rate_limit_take(client=client, now=t0 + dt.timedelta(minutes=minutes, seconds=30))
    assert list(RateWindow.objects.filter(client=client).values_list("count", flat=True)) == [1]


def test_each_client_has_its_own_window(limited: tuple[ApiClient, str]) -> None:
    other, _ = client_create(name="another", rate_limit_per_minute=3)
    now = timezone.now()
    assert [rate_limit_take(client=limited[0], now=now) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert rate_limit_take(client=other, now=now)


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_never_overshoot_the_limit(people: People) -> None:
    client, _ = client_create(name="busy", rate_limit_per_minute=5)
    now = timezone.now()
    results = run_together(*[lambda: rate_limit_take(client=client, now=now)] * 12)
    assert len(results) == 12
    assert results.count(True) == 5
    assert RateWindow.objects.get(client=client).count == 5


# --- Admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin(db: None, client: Client) -> Client:
    User.objects.create_superuser("root", "root@example.com", "pw-for-tests")
    client.login(username="root", password="pw-for-tests")
    return client


def test_the_admin_creates_a_client_and_shows_its_key_once(admin: Client) -> None:
    response = admin.post(
        "/admin/open311/apiclient/add/",
        {"name": "网格通", "rate_limit_per_minute": "10", "note": ""},
        follow=True,
    )
    assert response.status_code == 200
    client = ApiClient.objects.get(name="网格通")
    shown = [str(m) for m in response.context["messages"]]
    [notice] = [m for m in shown if "API 密钥" in m]
    key = notice.rsplit("：", 1)[-1]
    assert client_authenticate(key) == client and client.user.has_role(Role.OPERATOR)
    page = admin.get(f"/admin/open311/apiclient/{client.pk}/change/").content.decode()
    assert client.key_prefix in page and key not in page and client.key_hash not in page


def test_the_admin_revokes(admin: Client, people: People) -> None:
    client, key = client_create(name="旧应用")
    response = admin.post(
        "/admin/open311/apiclient/",
        {"action": "revoke", "_selected_action": [client.pk]},
        follow=True,
    )
    assert response.status_code == 200
    client.refresh_from_db()
    assert not client.is_active and client_authenticate(key) is None
    # Switching it back on in the form restores the account as well.
    form = {"name": "旧应用", "is_active": "on", "rate_limit_per_minute": "60", "note": ""}
    assert admin.post(f"/admin/open311/apiclient/{client.pk}/change/", form).status_code == 302
    assert client_authenticate(key) == ApiClient.objects.get(pk=client.pk)


def test_the_other_admin_pages_open(admin: Client, api: Api, street_light: Category) -> None:
    api.post("requests.json", light_report(street_light))
    from minsheng.open311.models import ServiceRequest

    record = ServiceRequest.objects.get()
    for url in (
        "/admin/open311/serviceattribute/",
        "/admin/open311/serviceattribute/add/",
        f"/admin/open311/serviceattribute/{street_light.open311_attributes.first().pk}/change/",  # type: ignore[union-attr]
        "/admin/open311/servicerequest/",
        f"/admin/open311/servicerequest/{record.pk}/change/",
    ):
        assert admin.get(url).status_code == 200, url
    assert admin.get("/admin/open311/servicerequest/add/").status_code == 403


def test_the_admin_refuses_a_broken_attribute(admin: Client, street_light: Category) -> None:
    response = admin.post(
        "/admin/open311/serviceattribute/add/",
        {
            "category": street_light.pk,
            "code": "kind",
            "variable": "on",
            "datatype": "singlevaluelist",
            "order": "1",
            "description": "类型",
            "datatype_description": "",
            "values": '[{"key": "a"}]',
        },
    )
    assert (
        response.status_code == 200
        and "每个选项必须恰好有 key 和 name 两项" in response.content.decode()
    )


def test_the_key_lookup_returns_the_rows_as_stored(db: None) -> None:
    client, key = client_create(name="一键通", rate_limit_per_minute=120, note="测试")
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    stored = ApiClient.objects.select_related("user").get(pk=client.pk)
    found = client_authenticate(key)
    assert found is not None
    fields = [f.attname for f in ApiClient._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(stored, f) for f in fields]
    user_fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(found.user, f) for f in user_fields] == [
        getattr(stored.user, f) for f in user_fields
    ]
    assert not found._state.adding and found.user.role_set == {Role.OPERATOR}
    # A wrong key, a revoked client, a switched-off account: nobody.
    assert client_authenticate(key + "x") is None
    User.objects.filter(pk=client.user_id).update(is_active=False)
    assert client_authenticate(key) is None
    User.objects.filter(pk=client.user_id).update(is_active=True)
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
    assert client_authenticate(key) is None
