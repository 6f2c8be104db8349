"""The deadline policies and the category tree are kept per process (lib/snapshot.py): an
intake reads them without a query, and every edit still reaches new tickets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.deadlines import clock
from minsheng.deadlines.models import DeadlinePolicy
from minsheng.lib import snapshot
from minsheng.org.models import Role
from minsheng.tickets.models import Category, Ticket
from tests.conftest import PASSWORD, People, make_user
from tests.factories import new_ticket

SH = ZoneInfo("Asia/Shanghai")
POLICIES = "/admin/deadlines/deadlinepolicy/"
NOON = dt.datetime(2026, 6, 1, 12, 0, tzinfo=SH)  # a Monday


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    clock.invalidate()
    yield
    clock.invalidate()


@pytest.fixture
def admin(client: Client, people: People) -> Client:
    user = make_user("root", people.org.hotline, Role.ADMINISTRATOR)
    user.is_staff = user.is_superuser = True
    user.save()
    assert client.login(username="root", password=PASSWORD)
    return client


@pytest.fixture
def tree(db: None) -> tuple[Category, Category]:
    root = Category.objects.create(name="城乡建设", level=1, full_name="城乡建设")
    leaf = Category.objects.create(name="路灯", level=2, parent=root, full_name="城乡建设/路灯")
    return root, leaf


def policy(**fields: object) -> dict[str, object]:
    form: dict[str, object] = {
        "applies_to": "general",
        "category": "",
        "dispatch_amount": "2",
        "dispatch_unit": "hours",
        "sign_amount": "4",
        "sign_unit": "working_hours",
        "contact_amount": "",
        "contact_unit": "",
        "reply_amount": "5",
        "reply_unit": "working_days",
        "callback_amount": "2",
        "callback_unit": "working_days",
        "pause_allowed": "on",
    }
    form.update(fields)
    return form


def intake(people: People, **fields: object) -> Ticket:
    with time_machine.travel(NOON, tick=False):
        return new_ticket(people, kind="complaint", **fields)


def dispatch_hours(ticket: Ticket) -> float:
    assert ticket.dispatch_due is not None
    return (ticket.dispatch_due - NOON).total_seconds() / 3600


def test_an_intake_reads_no_policy_or_category_once_they_are_known(
    people: People, tree: tuple[Category, Category]
) -> None:
    snapshot.forget_all()  # as after the commit of the tree: the snapshot may keep it now
    leaf = Category.objects.get(pk=tree[1].pk)  # as a form would read it: parent not loaded
    intake(people, category=leaf)
    leaf = Category.objects.get(pk=tree[1].pk)
    with CaptureQueriesContext(connection) as queries:
        intake(people, category=leaf)
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "deadlines_deadlinepolicy" not in tables
    assert "tickets_category" not in tables


def test_an_admin_edit_of_a_policy_reaches_the_next_intake(admin: Client, people: People) -> None:
    assert dispatch_hours(intake(people)) == 24  # the default, now kept in the snapshot
    assert admin.post(POLICIES + "add/", policy(dispatch_amount="2")).status_code == 302
    assert dispatch_hours(intake(people)) == 2
    row = DeadlinePolicy.objects.get()
    assert admin.post(f"{POLICIES}{row.pk}/change/", policy(dispatch_amount="3")).status_code == 302
    assert dispatch_hours(intake(people)) == 3
    assert admin.post(f"{POLICIES}{row.pk}/delete/", {"post": "yes"}).status_code == 302
    assert dispatch_hours(intake(people)) == 24


def test_a_category_policy_applies_to_the_leaves_below_it(
    admin: Client, people: People, tree: tuple[Category, Category]
) -> None:
    root, leaf = tree
    other = Category.objects.create(name="教育", level=1, full_name="教育")
    assert dispatch_hours(intake(people, category=leaf)) == 24
    form = policy(category=str(root.pk), dispatch_amount="6")
    assert admin.post(POLICIES + "add/", form).status_code == 302
    assert dispatch_hours(intake(people, category=Category.objects.get(pk=leaf.pk))) == 6
    # Moved under another branch (in the admin, or any save): the branch's policy no longer applies.
    leaf.parent = other
    leaf.full_name = "教育/路灯"
    leaf.save()
    assert dispatch_hours(intake(people, category=Category.objects.get(pk=leaf.pk))) == 24


def test_an_edit_in_another_process_is_seen_within_the_snapshot_age(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(snapshot.time, "monotonic", lambda: now[0])
    assert dispatch_hours(intake(people)) == 24
    # Another process's edit sends no signal here: written past the model's save.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO deadlines_deadlinepolicy (applies_to, dispatch_amount, dispatch_unit, "
            "sign_amount, sign_unit, contact_unit, reply_amount, reply_unit, callback_amount, "
            "callback_unit, pause_allowed) VALUES ('general', 5, 'hours', 4, 'working_hours', "
            "'', 5, 'working_days', 2, 'working_days', %s)",
            [True],
        )
    now[0] += snapshot.MAX_AGE - 1
    assert dispatch_hours(intake(people)) == 24
    now[0] += 2
    assert dispatch_hours(intake(people)) == 5


def test_a_rolled_back_edit_does_not_stay_in_the_snapshot(people: People) -> None:
    with transaction.atomic():
        DeadlinePolicy.objects.create(
            applies_to="general",
            dispatch_amount=2,
            dispatch_unit="hours",
            sign_amount=4,
            sign_unit="working_hours",
            reply_amount=5,
            reply_unit="working_days",
            callback_amount=2,
            callback_unit="working_days",
        )
        assert dispatch_hours(intake(people)) == 2  # this transaction sees its own edit
        transaction.set_rollback(True)
    assert not DeadlinePolicy.objects.exists()
    assert dispatch_hours(intake(people)) == 24


def test_a_category_created_elsewhere_is_walked_in_the_database(
    people: People, tree: tuple[Category, Category]
) -> None:
    root, _ = tree
    intake(people, category=Category.objects.get(pk=tree[1].pk))  # the tree is now known
    DeadlinePolicy.objects.create(
        applies_to="general",
        category=root,
        dispatch_amount=6,
        dispatch_unit="hours",
        sign_amount=4,
        sign_unit="working_hours",
        reply_amount=5,
        reply_unit="working_days",
        callback_amount=2,
        callback_unit="working_days",
    )
    # bulk_create sends no signal, like a category made by another process.
    [middle] = Category.objects.bulk_create(
        [Category(name="市政", level=2, parent=root, full_name="城乡建设/市政")]
    )
    middle = Category.objects.get(full_name="城乡建设/市政")
    [deep] = Category.objects.bulk_create(
        [Category(name="井盖", level=3, parent=middle, full_name="城乡建设/市政/井盖")]
    )
    deep = Category.objects.get(full_name="城乡建设/市政/井盖")
    assert dispatch_hours(intake(people, category=deep)) == 6
