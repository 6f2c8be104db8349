"""lib.compiled.CompiledQuery: compiled once, the same rows as the queryset for any argument."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.lib.compiled import CompiledQuery
from minsheng.org.models import Unit, User
from tests.conftest import People

pytestmark = pytest.mark.django_db


def _by_username(name: str):  # type: ignore[no-untyped-def]
    return User.objects.filter(username=name).values_list(
        "pk", "username", "is_active", "date_joined", "unit__name"
    )


def test_rows_equal_the_querysets_for_each_argument(people: People) -> None:
    query = CompiledQuery(_by_username, arity=1)
    for user in (people.operator, people.alice, people.bob, people.dispatcher):
        expected = list(_by_username(user.username))
        # Converters ran: a datetime, not SQLite's text; a bool, not 0/1.
        assert query.rows(user.username) == expected
        assert isinstance(expected[0][2], bool)
    assert query.rows("nobody") == []


def test_the_sql_is_compiled_once(people: People) -> None:
    built: list[str] = []

    def build(name: str):  # type: ignore[no-untyped-def]
        built.append(name)
        return _by_username(name)

    query = CompiledQuery(build, arity=1)
    with CaptureQueriesContext(connection) as queries:
        query.rows(people.operator.username)
        query.rows(people.alice.username)
    assert len(built) == 1
    assert len(queries) == 2


def test_an_argument_that_is_not_one_plain_parameter_is_refused() -> None:
    # `contains` wraps the value in %…%: it can no longer be substituted.
    query = CompiledQuery(
        lambda name: Unit.objects.filter(name__contains=name).values_list("pk"), 1
    )
    with pytest.raises(ValueError, match="not one parameter"):
        query.rows("镇")


def test_the_number_of_arguments_is_checked() -> None:
    query = CompiledQuery(_by_username, arity=1)
    with pytest.raises(TypeError):
        query.rows("a", "b")
