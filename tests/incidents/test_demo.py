"""The demo: a roster and one closed past incident modelled on the seed's 夏县 outage — six
villages of 侯庙镇 with their registered population, about ten hours through the night, its log,
acknowledged assignments and a broadcast; idempotent."""

from __future__ import annotations

import pytest

from minsheng.incidents.demo import TITLE, seed_demo_incidents
from minsheng.incidents.models import Incident, Machine, Team, Volunteer
from minsheng.notify.models import Outbox
from minsheng.org.demo import seed_demo
from minsheng.org.population import populations_of
from minsheng.tickets.catalogue import seed_demo_catalogue

pytestmark = pytest.mark.django_db


def test_the_demo_incident_and_roster() -> None:
    seed_demo(password="demo-password-1")
    seed_demo_catalogue()
    assert seed_demo_incidents() == 1
    incident = Incident.objects.get(title=TITLE)
    codes = list(incident.divisions.values_list("code", flat=True))
    assert len(codes) == 6
    assert incident.population_computed == sum(populations_of(codes).values()) > 0
    assert incident.status == "closed"
    summary = incident.summary
    assert summary["duration"] == "10小时10分钟"
    assert summary["acknowledged"] == summary["assignments"] == 4
    assert summary["resources"] == {"team": 2, "machine": 6, "volunteer": 6}
    assert summary["broadcast_recipients"] == 120
    assert Outbox.objects.filter(template="incident_broadcast_sms").count() == 120
    assert Team.objects.count() == 2 and Volunteer.objects.count() == 8
    assert Machine.objects.filter(owner_company="台前县某奶牛场").exists()
    assert seed_demo_incidents() == 0
    assert Incident.objects.count() == 1 and Volunteer.objects.count() == 8
