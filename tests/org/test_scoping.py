"""A unit's users see their unit's (and sub-units') data only; hotline roles see all."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.org.models import Unit
from minsheng.org.scoping import scope_for
from minsheng.org.selectors import units_visible_to
from tests.conftest import PASSWORD, Org, make_user


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def test_a_handler_sees_their_unit_and_its_sub_units_only(org: Org) -> None:
    codes = set(units_visible_to(org.alice).values_list("code", flat=True))
    assert codes == {"sunkou", "sunkou-nc1"}


def test_an_operator_sees_every_unit(org: Org) -> None:
    assert units_visible_to(org.olga).count() == Unit.objects.count()


def test_a_user_without_roles_sees_nothing(org: Org) -> None:
    nobody = make_user("nobody", org.sunkou)
    assert scope_for(nobody).nothing
    assert units_visible_to(nobody).count() == 0


def test_a_handler_without_a_unit_sees_nothing(org: Org) -> None:
    stray = make_user("stray", None, "handler")
    assert units_visible_to(stray).count() == 0


def test_bob_cannot_open_alices_unit(org: Org, client: Client) -> None:
    login(client, "bob")
    assert client.get("/org/units/sunkou/").status_code == 404
    assert client.get("/org/units/sunkou-nc1/").status_code == 404
    assert client.get("/org/units/houmiao/").status_code == 200


def test_bobs_unit_list_does_not_name_alices_unit(org: Org, client: Client) -> None:
    login(client, "bob")
    page = client.get("/org/units/").content.decode()
    assert "侯庙镇人民政府" in page
    assert "孙口镇" not in page


def test_alice_opens_her_team(org: Org, client: Client) -> None:
    login(client, "alice")
    response = client.get("/org/units/sunkou-nc1/")
    assert response.status_code == 200
    assert "孙口镇执法大队农村一中队" in response.content.decode()


def test_moving_a_unit_moves_its_subtree_in_scope(org: Org) -> None:
    org.sunkou_team.parent = org.houmiao
    org.sunkou_team.save()
    assert "sunkou-nc1" in set(units_visible_to(org.bob).values_list("code", flat=True))
    assert "sunkou-nc1" not in set(units_visible_to(org.alice).values_list("code", flat=True))


def test_a_unit_moved_by_update_or_create_takes_its_path_and_subtree_along(org: Org) -> None:
    # update_or_create() saves only the fields it was given; the path follows the parent anyway.
    Unit.objects.update_or_create(code=org.sunkou_team.code, defaults={"parent": org.houmiao})
    moved = Unit.objects.get(code=org.sunkou_team.code)
    assert moved.path == f"{org.houmiao.path}{moved.code}/"
    assert "sunkou-nc1" in set(units_visible_to(org.bob).values_list("code", flat=True))
    assert "sunkou-nc1" not in set(units_visible_to(org.alice).values_list("code", flat=True))


def test_the_unit_list_query_count_does_not_grow_with_units(org: Org, client: Client) -> None:
    login(client, "olga")
    client.get("/org/units/")  # warm the session and user caches
    with CaptureQueriesContext(connection) as few:
        client.get("/org/units/")
    for i in range(20):
        Unit.objects.create(
            code=f"extra-{i}", name=f"单位{i}", kind=Unit.Kind.STATION, parent=org.sunkou
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/org/units/")
    assert len(many) == len(few)
    assert len(few) <= 6
