"""Fixtures for the REST API tests: a token for each person of tests/conftest.py and a small
client that sends it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from minsheng.api.tokens import token_create
from minsheng.org.models import User
from tests.conftest import People

BASE = "/api/v1/"


@dataclass
class Answer:
    status: int
    body: Any
    headers: Any


class Api:
    """Calls /api/v1/… as one user (or anonymously, or with any Authorization header)."""

    def __init__(self, client: Client, key: str | None = None, authorization: str | None = None):
        self.client = client
        self.key = key
        self.authorization = (
            authorization if authorization is not None else (f"Token {key}" if key else None)
        )

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.authorization:
            headers["Authorization"] = self.authorization
        return headers

    @staticmethod
    def _answer(response: Any) -> Answer:
        body = json.loads(response.content) if response.content else None
        return Answer(response.status_code, body, response.headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Answer:
        return self._answer(self.client.get(BASE + path, params or {}, headers=self._headers()))

    def post(
        self, path: str, body: Any = None, *, key: str | None = None, raw: str | None = None
    ) -> Answer:
        headers = self._headers({"Idempotency-Key": key} if key is not None else None)
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self._answer(
            self.client.post(BASE + path, data, content_type="application/json", headers=headers)
        )

    def act(self, number: str, action: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.post(f"tickets/{number}/{action}/", body, **kwargs)


@dataclass
class Apis:
    people: People
    operator: Api
    dispatcher: Api
    supervisor: Api
    alice: Api  # handler of 孙口镇
    bob: Api  # handler of 侯庙镇
    anonymous: Api

    def as_user(self, user: User) -> Api:
        return Api(Client(), token_create(user=user)[1])


@pytest.fixture
def apis(people: People) -> Apis:
    def api(user: User) -> Api:
        return Api(Client(), token_create(user=user, name="test")[1])

    return Apis(
        people=people,
        operator=api(people.operator),
        dispatcher=api(people.dispatcher),
        supervisor=api(people.supervisor),
        alice=api(people.alice),
        bob=api(people.bob),
        anonymous=Api(Client()),
    )


INTAKE = {
    "channel": "hotline",
    "kind": "complaint",
    "title": "铭功路路灯不亮",
    "description": "孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。",
    "citizen_name": "张三",
    "citizen_phone": "13800138000",
}


def error_code(answer: Answer) -> str:
    assert isinstance(answer.body, dict) and "error" in answer.body, answer.body
    return str(answer.body["error"]["code"])
