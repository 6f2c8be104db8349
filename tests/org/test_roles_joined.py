"""org.models.roles_joined: a user's roles read with another row, then primed on the user."""

from __future__ import annotations

import pytest

from minsheng.open311.services import client_authenticate, client_create
from minsheng.org.models import Role, RoleGrant, User

pytestmark = pytest.mark.django_db


def test_the_roles_come_with_the_row_and_cost_no_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client, key = client_create(name="市民App")
    RoleGrant.objects.create(user=client.user, role=Role.SUPERVISOR)
    expected = frozenset(client.user.roles.values_list("role", flat=True))
    assert Role.SUPERVISOR in expected and len(expected) >= 2
    with django_assert_num_queries(1):
        found = client_authenticate(key)
        assert found is not None
        assert found.user.role_set == expected
        assert found.user.has_role(Role.SUPERVISOR)


def test_no_roles_and_superusers() -> None:
    user = User.objects.create(username="nobody")
    user.prime_roles(None)
    assert user.role_set == frozenset()
    boss = User.objects.create(username="boss", is_superuser=True)
    boss.prime_roles("")
    assert boss.role_set == frozenset({Role.ADMINISTRATOR})
