"""Property-based run of every operation in /api/v1/schema/ (schemathesis 3.x, in process through
WSGI): whatever it sends, the API never answers 5xx and every answer matches the schema.

It acts as an operator (a fixed token) on a few real tickets in different states: generated
ticket numbers are mapped onto them, so actions reach the services instead of stopping at 404.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.specs.openapi.schemas import BaseOpenAPISchema

from minsheng.api.tokens import token_create
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket, replied

NUMBERS: list[str] = []
TOKEN: dict[str, str] = {}


@pytest.fixture
def api_schema(transactional_db: None, people: People) -> BaseOpenAPISchema:
    TOKEN["key"] = token_create(user=people.operator, name="schemathesis")[1]
    NUMBERS[:] = [
        new_ticket(people).number,
        new_ticket(people, kind="consultation").number,
        dispatched(people).number,
        in_progress(people).number,
        replied(people).number,
    ]
    return schemathesis.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


schema = schemathesis.from_pytest_fixture("api_schema")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:schemathesis")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
def test_the_api_keeps_its_schema_and_never_fails(case: Any) -> None:
    if case.path_parameters and "number" in case.path_parameters:
        generated = str(case.path_parameters["number"])
        case.path_parameters["number"] = NUMBERS[sum(map(ord, generated)) % len(NUMBERS)]
    response = case.call(headers={"Authorization": f"Token {TOKEN['key']}"})
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
