"""The citizens' side: a county with divisions, the catalogue, and a helper that proves a phone
the way a citizen does (the code is read from the outbox row, as the log channel shows it)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from minsheng.notify.models import Outbox
from minsheng.org.models import Division
from tests.conftest import Org

VILLAGE = "410927102201"  # 孙口镇 孙口村


ELSEWHERE = "410928100201"  # a village of another county


@pytest.fixture
def county(org: Org) -> Org:
    """The test org and its places: 台前县, 孙口镇 with 孙口村, 侯庙镇; and a village elsewhere."""
    make = Division.objects.create
    county = make(code="410927000000", name="台前县", level=Division.Level.COUNTY)
    sunkou = make(code="410927102000", name="孙口镇", level=Division.Level.TOWNSHIP, parent=county)
    make(code="410927101000", name="侯庙镇", level=Division.Level.TOWNSHIP, parent=county)
    make(code=VILLAGE, name="孙口村委会", level=Division.Level.VILLAGE, parent=sunkou)
    other = make(code="410928000000", name="濮阳县", level=Division.Level.COUNTY)
    town = make(code="410928100000", name="城关镇", level=Division.Level.TOWNSHIP, parent=other)
    make(code=ELSEWHERE, name="某村委会", level=Division.Level.VILLAGE, parent=town)
    return org


def last_code(phone: str) -> str:
    row = Outbox.objects.filter(recipient=phone, template="portal_code_sms").order_by("-id").first()
    assert row is not None, "no code was sent"
    return str(row.context["code"])


def prove(client: Client, phone: str = "13912345678", purpose: str = "report") -> Client:
    response = client.post(f"/h5/verify/{purpose}/", {"step": "send", "phone": phone})
    assert response.status_code == 200, response.content.decode()[:500]
    response = client.post(
        f"/h5/verify/{purpose}/", {"step": "check", "phone": phone, "code": last_code(phone)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def receipt_code(number: str) -> str:
    row = Outbox.objects.get(template="portal_receipt_sms", context__number=number)
    return str(row.context["code"])


def numbers_in(html: str) -> list[str]:
    return re.findall(r"\d{8}-\d{4,}", html)
