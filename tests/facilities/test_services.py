"""The registry's and upkeep's services: a facility without a place is refused with a clear
message (nothing written); scopes; a resent round form records once; inspections are scored."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from minsheng.facilities.errors import InvalidInput, NotAllowed
from minsheng.facilities.models import ChecklistItem, Event, Facility, Round
from minsheng.facilities.services import FacilityInput, facility_create, round_log
from tests.facilities.helpers import make_area, toilet

pytestmark = pytest.mark.django_db


def test_a_facility_without_a_place_is_refused() -> None:
    area = make_area()
    with pytest.raises(InvalidInput) as refused:
        facility_create(
            actor=area.admin,
            data=FacilityInput(kind="公厕", name="无处公厕", place=None, owner=area.gov),
        )
    assert refused.value.field == "place"
    assert "没有位置的设施不能登记" in str(refused.value)
    assert not Facility.objects.exists() and not Event.objects.exists()


def test_a_place_outside_the_county_or_a_county_itself_is_refused() -> None:
    area = make_area()
    with pytest.raises(InvalidInput, match="本县的乡镇或村"):
        facility_create(
            actor=area.admin,
            data=FacilityInput(kind="公厕", name="县里公厕", place=area.county, owner=area.gov),
        )


def test_registering_writes_an_audit_event_and_a_public_code() -> None:
    area = make_area()
    facility = toilet(area)
    assert facility.township_code == "410927102000" and len(facility.public_code) == 10
    event = Event.objects.get(facility=facility)
    assert event.verb == "created" and event.actor == area.admin
    assert "13900001234" not in str(event.data)  # never a phone in the audit trail


def test_a_handler_registers_only_for_their_own_unit() -> None:
    area = make_area()
    with pytest.raises(NotAllowed):
        toilet_for(area, area.other)
    assert toilet_for(area, area.keeper).owner == area.gov


def toilet_for(area, actor):  # type: ignore[no-untyped-def]
    return facility_create(
        actor=actor,
        data=FacilityInput(kind="公厕", name="镇东公厕", place=area.v1, owner=area.gov),
    )


def test_same_name_in_a_township_is_refused() -> None:
    area = make_area()
    toilet(area)
    with pytest.raises(InvalidInput, match="同名设施"):
        toilet(area)


def test_the_standard_is_for_tourist_toilets_only() -> None:
    area = make_area()
    with pytest.raises(InvalidInput, match="A级旅游厕所"):
        toilet(area, standard="AA")
    assert toilet(area, name="将军渡旅游厕所", kind="A级旅游厕所", standard="AAA").standard == "AAA"


def test_a_resent_round_form_records_once() -> None:
    area = make_area()
    facility = toilet(area)
    token = uuid.uuid4()
    first, repeated = round_log(
        actor=area.keeper, facility=facility, kind="cleaning", form_token=token
    )
    again, repeated_again = round_log(
        actor=area.keeper, facility=facility, kind="cleaning", form_token=token
    )
    assert (repeated, repeated_again) == (False, True) and first.pk == again.pk
    assert Round.objects.count() == 1


def test_only_the_keeper_and_the_units_log_rounds() -> None:
    area = make_area()
    facility = toilet(area)
    with pytest.raises(NotAllowed):
        round_log(actor=area.other, facility=facility, kind="cleaning", form_token=uuid.uuid4())
    with pytest.raises(InvalidInput, match="不能晚于现在"):
        round_log(
            actor=area.keeper,
            facility=facility,
            kind="cleaning",
            form_token=uuid.uuid4(),
            done_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2),
        )


def test_an_inspection_is_scored_against_the_checklist() -> None:
    area = make_area()
    facility = toilet(area)
    clean = ChecklistItem.objects.create(text="地面干净无积水", points=40)
    smell = ChecklistItem.objects.create(text="无明显异味", points=30, kind="公厕")
    ChecklistItem.objects.create(text="图书摆放整齐", points=30, kind="城市书房")
    with pytest.raises(InvalidInput, match="无明显异味"):
        round_log(
            actor=area.keeper,
            facility=facility,
            kind="inspection",
            form_token=uuid.uuid4(),
            scores={clean.pk: 35},
        )
    done, _ = round_log(
        actor=area.keeper,
        facility=facility,
        kind="inspection",
        form_token=uuid.uuid4(),
        scores={clean.pk: 35, smell.pk: 20},
    )
    assert (done.score, done.max_score) == (55, 70)
    assert done.scores.count() == 2
