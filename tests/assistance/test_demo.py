"""The demo: a station per township of 台前县, synthetic people whose ID numbers pass the checksum,
idempotent; the station worker and the township's 帮扶专干 see their ledger."""

from __future__ import annotations

import pytest

from minsheng.assistance import crypto, figures, rules
from minsheng.assistance.demo import seed_demo_assistance
from minsheng.assistance.models import JobPosting, Person, Station
from minsheng.org.demo import DEMO_COUNTY_CODE, seed_demo
from minsheng.org.models import Division, User
from minsheng.textproc.pii import is_valid_id_number

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_station_per_township_and_synthetic_people() -> None:
    seed_demo(password="demo-password-1")
    created = seed_demo_assistance(password="demo-password-1")
    townships = Division.objects.filter(parent_id=DEMO_COUNTY_CODE).count()
    assert created == townships == Station.objects.count() and townships >= 5
    assert JobPosting.objects.filter(workshop=True, piece_rate=True).count() == townships
    for person in Person.objects.all():
        assert person.name.startswith("演示")
        assert is_valid_id_number(crypto.decrypt(person.id_cipher))
    assert seed_demo_assistance(password="demo-password-1") == 0
    worker = User.objects.get(username="station-sunkou")
    scope = rules.ledger_scope(worker)
    assert Person.objects.filter(scope.people_q()).count() == 12
    county = Division.objects.get(code=DEMO_COUNTY_CODE)
    facts = figures.figures_for(rules.EVERYTHING, county, __import__("datetime").date.today())
    assert facts.people == 12 * townships and facts.hires == townships
    # A training with its roll per station; the first township's village declared 充分就业.
    from minsheng.assistance.models import Attendance, FullEmploymentApplication, StationEvent

    assert StationEvent.objects.count() == townships
    assert Attendance.objects.filter(attended=True).count() == 5 * townships
    declared = FullEmploymentApplication.objects.get()
    assert declared.status == "declared" and declared.snapshot["percent"] == 100.0
