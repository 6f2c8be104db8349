"""The demo: 台前县's facilities with keepers, schedules, rounds, one missed round's alarm and one
QR-reported problem dispatched to 孙口镇人民政府; idempotent."""

from __future__ import annotations

import pytest

from minsheng.facilities.demo import seed_demo_facilities
from minsheng.facilities.models import Facility, FacilityTicket, MissedRound, Round, Schedule
from minsheng.org.demo import seed_demo
from minsheng.tickets.models import Status

pytestmark = pytest.mark.django_db


def test_the_demo_facilities() -> None:
    seed_demo(password="demo-password-1")
    assert seed_demo_facilities() == 5
    kinds = set(Facility.objects.values_list("kind", flat=True))
    assert kinds == {"公厕", "A级旅游厕所", "城市书房"}
    assert Facility.objects.get(kind="A级旅游厕所").standard == "AAA"
    assert set(Facility.objects.values_list("keeper_user__username", flat=True)) == {
        "h-sunkou",
        "h-chengguan",
    }
    assert Schedule.objects.filter(check_at__isnull=False).count() == Schedule.objects.count() >= 5
    assert Round.objects.count() == 10
    assert MissedRound.objects.count() == 1
    link = FacilityTicket.objects.select_related("ticket__lead_unit").get()
    assert link.ticket.status == Status.DISPATCHED and link.ticket.lead_unit.code == "sunkou"
    assert seed_demo_facilities() == 0
    assert FacilityTicket.objects.count() == 1 and MissedRound.objects.count() == 1
