"""What keeps POST requests cheap without changing what it does: the service catalogue kept per
process (still seeing every edit), the rate limit counted in leases (still never exceeded), and
`last_used_at` written at most once a minute."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minsheng.lib import snapshot
from minsheng.open311 import services as open311_services
from minsheng.open311.models import ApiClient, RateWindow, ServiceAttribute
from minsheng.open311.services import client_create, lease_size, rate_limit_take
from minsheng.org.models import Division
from minsheng.tickets.models import Category, Ticket
from tests.conftest import People
from tests.open311.conftest import Api, light_report

pytestmark = pytest.mark.django_db


def post(api: Api, category: Category, **overrides: object) -> object:
    return api.post("requests.json", light_report(category, **overrides))


def test_a_post_reads_neither_the_catalogue_nor_the_window_again(
    api: Api, street_light: Category
) -> None:
    snapshot.forget_all()  # as after the commit of the fixtures' rows
    assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as queries:
        assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "tickets_category" not in sql and "open311_serviceattribute" not in sql
    assert "open311_ratewindow" not in sql  # the lease of 10 slots (limit 1000) serves it
    assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
    # The service account's roles come with the key lookup, not in a query of their own.
    reads_of_roles = [q["sql"] for q in queries.captured_queries if "org_rolegrant" in q["sql"]]
    assert len(reads_of_roles) == 1 and "open311_apiclient" in reads_of_roles[0]
    assert Ticket.objects.count() == 2


def test_a_switched_off_service_is_refused_at_once(api: Api, street_light: Category) -> None:
    snapshot.forget_all()
    assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
    street_light.is_active = False
    street_light.save()  # as the admin does
    [error] = api.errors(post(api, street_light), 400)
    assert "不存在" in error["description"]
    api.errors(api.get(f"services/{street_light.pk}.json"), 404)
    assert str(street_light.pk) not in {
        s["service_code"] for s in api.json(api.get("services.json"))
    }


def test_a_new_required_attribute_is_asked_for_at_once(api: Api, street_light: Category) -> None:
    snapshot.forget_all()
    assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
    ServiceAttribute.objects.create(
        category=street_light,
        code="road",
        datatype="string",
        required=True,
        order=9,
        description="道路名称",
    )
    [error] = api.errors(post(api, street_light), 400)
    assert "attribute[road]" in error["description"]
    assert post(api, street_light, **{"attribute[road]": "铭功路"}).status_code == 200  # type: ignore[attr-defined]


def test_a_service_made_elsewhere_is_found_in_the_database(
    api: Api, street_light: Category
) -> None:
    snapshot.forget_all()
    assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
    parent = street_light.parent
    # bulk_create sends no signal: as if another process had added the service.
    Category.objects.bulk_create(
        [Category(name="新服务", level=3, parent=parent, full_name=f"{parent}/新服务")]
    )
    new = Category.objects.get(full_name=f"{parent}/新服务")
    response = post(api, new, **{"attribute[pole]": None, "attribute[fault]": None})
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    assert Ticket.objects.filter(category=new).count() == 1


def test_last_used_at_is_written_at_most_once_a_minute(
    api: Api, app_client: tuple[ApiClient, str], street_light: Category
) -> None:
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
        assert ApiClient.objects.get(pk=app_client[0].pk).last_used_at == start
        clock.move_to(start + dt.timedelta(seconds=59))
        assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
        assert ApiClient.objects.get(pk=app_client[0].pk).last_used_at == start
        clock.move_to(start + dt.timedelta(seconds=61))
        assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
        later = start + dt.timedelta(seconds=61)
        assert ApiClient.objects.get(pk=app_client[0].pk).last_used_at == later


def test_small_limits_go_one_slot_at_a_time() -> None:
    assert lease_size(0) == lease_size(60) == lease_size(199) == 1
    assert lease_size(200) == 2 and lease_size(100_000) == 1000


def test_a_large_limit_is_never_exceeded_by_several_processes(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = client_create(name="busy", rate_limit_per_minute=300)  # leases of 3
    now = timezone.now().replace(second=10)
    # Process A takes one call: its lease holds 2 more.
    assert rate_limit_take(client=client, now=now)
    assert RateWindow.objects.get(client=client).count == 3
    leases_a = dict(open311_services._leases)
    # Process B (its own, empty leases) takes what is left.
    monkeypatch.setattr(open311_services, "_leases", {})
    taken_b = 0
    while rate_limit_take(client=client, now=now):
        taken_b += 1
    assert taken_b == 297
    assert not rate_limit_take(client=client, now=now)
    # Back in process A: its two leased slots, then nothing.
    monkeypatch.setattr(open311_services, "_leases", leases_a)
    assert [rate_limit_take(client=client, now=now) for _ in range(3)] == [True, True, False]
    assert RateWindow.objects.get(client=client).count == 300
    # The next minute starts afresh.
    assert rate_limit_take(client=client, now=now + dt.timedelta(minutes=1))


def test_a_lease_is_not_shared_with_another_client(people: People) -> None:
    first, _ = client_create(name="first", rate_limit_per_minute=1000)
    second, _ = client_create(name="second", rate_limit_per_minute=1000)
    now = timezone.now()
    assert rate_limit_take(client=first, now=now)
    assert rate_limit_take(client=second, now=now)
    counts = dict(RateWindow.objects.values_list("client_id", "count"))
    assert counts == {first.pk: 10, second.pk: 10}


def test_the_http_limit_still_answers_429(
    client: Client, street_light: Category, people: People
) -> None:
    _, key = client_create(name="限流", rate_limit_per_minute=2)
    api = Api(http=client, key=key)
    start = timezone.now().replace(second=5, microsecond=0) + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
        assert post(api, street_light).status_code == 200  # type: ignore[attr-defined]
        api.errors(post(api, street_light), 429)


def test_a_division_is_looked_up_once_and_a_new_one_is_found_at_once(
    api: Api, street_light: Category
) -> None:
    Division.objects.create(code="410927102000", name="孙口镇", level=4)
    Division.objects.create(
        code="410927102201", name="孙口村委会", level=5, parent_id="410927102000"
    )
    report = light_report(street_light, address_id="410927102201")
    assert post_form(api, report).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert post_form(api, report).status_code == 200
    assert "org_division" not in " ".join(q["sql"] for q in queries.captured_queries)
    assert Ticket.objects.filter(division_id="410927102201").count() == 2
    # Unknown codes are not remembered: once imported, the next POST finds the division.
    unknown = light_report(street_light, address_id="410927102202")
    api.errors(post_form(api, unknown), 400)
    Division.objects.create(code="410927102202", name="新村委会", level=5, parent_id="410927102000")
    assert post_form(api, unknown).status_code == 200
    assert Ticket.objects.filter(division_id="410927102202").count() == 1


def post_form(api: Api, data: dict[str, object]) -> Any:
    return api.post("requests.json", data)


def test_the_word_index_merges_its_pending_list_in_small_pieces(db: None) -> None:
    """tickets migration 0005: the p99 of POSTs was the merge of a 4 MB GIN pending list."""
    if connection.vendor != "postgresql":
        pytest.skip("the word index is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'tickets_ticketwords_bigrams'"
        )
        (options,) = cursor.fetchone()
    assert options == ["gin_pending_list_limit=512"]
