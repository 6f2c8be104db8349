"""The ledger's services: de-duplication by the ID number's hash, scope, every reveal logged,
every write audited, the referral → hire flow, and 充分就业 computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minsheng.assistance import crypto, figures, rules
from minsheng.assistance.errors import Duplicate, InvalidInput, NotAllowed
from minsheng.assistance.models import (
    AccessLog,
    Employment,
    Event,
    MatchStatus,
    Person,
)
from minsheng.assistance.services import people as service
from minsheng.assistance.services import stations
from minsheng.org.models import Role
from tests.assistance.helpers import Area, add_person, fake_id, fake_phone, make_area, station
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(db: None) -> Area:
    return make_area()


def test_a_person_is_stored_encrypted_and_masked(area: Area) -> None:
    person = add_person(area.worker1, area.v1, 1)
    row = Person.objects.get(pk=person.pk)
    assert fake_id(1) not in row.id_cipher and crypto.decrypt(row.id_cipher) == fake_id(1)
    assert row.id_mask == fake_id(1)[:4] + "*" * 10 + fake_id(1)[-4:]
    assert row.phone_mask == "139****0001" and crypto.decrypt(row.phone_cipher) == fake_phone(1)
    assert row.birth_year == 1980 and row.village_id == area.v1.code
    assert Event.objects.filter(subject="person", subject_id=row.pk, verb="created").exists()
    # The audit trail never holds the values.
    for event in Event.objects.all():
        assert fake_id(1) not in str(event.data) and fake_phone(1) not in str(event.data)


def test_the_same_id_number_written_otherwise_is_offered_not_duplicated(area: Area) -> None:
    first = add_person(area.worker1, area.v1, 1)
    number = fake_id(1)
    written = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}).lower()
    with pytest.raises(Duplicate) as error:
        service.person_create(
            area.worker1, area.v1, service.PersonData(name="另一个", id_number=written)
        )
    assert error.value.person_id == first.pk and error.value.visible
    assert service.find_by_id_number(f" {number[:6]} {number[6:14]} {number[14:].lower()}") == first
    # Another village's worker learns only that it exists elsewhere, not who.
    with pytest.raises(Duplicate) as other:
        service.person_create(area.worker2, area.v2, service.PersonData(name="x", id_number=number))
    assert not other.value.visible and first.name not in other.value.message
    assert Person.objects.count() == 1


def test_invalid_input_is_refused_with_nothing_saved(area: Area) -> None:
    bad = fake_id(2)[:17] + ("1" if fake_id(2)[17] == "0" else "0")
    with pytest.raises(InvalidInput) as error:
        service.person_create(area.worker1, area.v1, service.PersonData(name="a", id_number=bad))
    assert "校验码" in error.value.message
    with pytest.raises(InvalidInput):
        service.person_create(
            area.worker1, area.v1, service.PersonData(name="a", id_number=fake_id(2), phone="123")
        )
    assert not Person.objects.exists() and not Event.objects.exists()


def test_a_worker_writes_only_in_their_village(area: Area) -> None:
    with pytest.raises(NotAllowed):
        add_person(area.worker1, area.v2, 3)
    with pytest.raises(NotAllowed):
        add_person(area.officer, area.v1, 3)  # the township reads, the station writes
    person = add_person(area.worker2, area.v2, 3)
    with pytest.raises(NotAllowed):
        service.visit_add(area.worker1, person, timezone.localdate(), "走访")


def test_every_reveal_is_logged_and_refusals_reveal_nothing(area: Area) -> None:
    person = add_person(area.worker1, area.v1, 4)
    revealed = service.reveal(area.worker1, person, "核对社保补贴申领")
    assert revealed.id_number == fake_id(4) and revealed.phone == fake_phone(4)
    service.reveal(area.officer, person, "乡镇复核")
    log = list(AccessLog.objects.order_by("pk"))
    assert [(r.actor, r.person_id, r.reason, r.scope_code) for r in log] == [
        (area.worker1, person.pk, "核对社保补贴申领", area.v1.code),
        (area.officer, person.pk, "乡镇复核", area.v1.code),
    ]
    with pytest.raises(InvalidInput):
        service.reveal(area.worker1, person, "看")  # a reason is required
    with pytest.raises(NotAllowed):
        service.reveal(area.worker2, person, "别村的人")
    with pytest.raises(NotAllowed):
        service.reveal(area.canlian, person, "不是残疾人")  # not the department's category
    leader = make_user("leader-x", None, Role.LEADER)
    with pytest.raises(NotAllowed):
        service.reveal(leader, person, "领导想看")
    assert AccessLog.objects.count() == 2


def test_scopes(area: Area) -> None:
    p1 = add_person(area.worker1, area.v1, 5, categories=("残疾人",))
    p2 = add_person(area.worker2, area.v2, 6)
    p4 = add_person(area.worker4, area.v4, 7, categories=("残疾人", "低保"))

    def seen(user) -> set[int]:  # type: ignore[no-untyped-def]
        return set(
            Person.objects.filter(rules.ledger_scope(user).people_q()).values_list("pk", flat=True)
        )

    assert seen(area.worker1) == {p1.pk}
    assert seen(area.officer) == {p1.pk, p2.pk}
    assert seen(area.canlian) == {p1.pk, p4.pk}
    assert seen(make_user("lee2", None, Role.LEADER)) == set()


def test_a_referral_becomes_a_hire_and_an_employment(area: Area) -> None:
    person = add_person(area.worker1, area.v1, 8)
    st = station(area.worker1, area.v1)
    posting = stations.posting_create(
        area.worker1,
        st,
        employer="孙口镇扶贫车间",
        title="手工编织",
        pay="计件，每件2元",
        place="孙口村",
        headcount=10,
        workshop=True,
        piece_rate=True,
    )
    today = timezone.localdate()
    match = stations.match_refer(area.worker1, person, posting, today)
    stations.match_advance(area.worker1, match, MatchStatus.INTERVIEWED, today)
    stations.match_advance(area.worker1, match, MatchStatus.HIRED, today)
    job = Employment.objects.get(person=person)
    assert (job.employer, job.since, job.posting_id) == ("孙口镇扶贫车间", today, posting.pk)
    with pytest.raises(service.InvalidInput.__mro__[1]):  # no move after a hire
        stations.match_advance(area.worker1, match, MatchStatus.DECLINED, today)
    verbs = list(Event.objects.filter(subject_id=person.pk).values_list("verb", flat=True))
    assert {"referred", "match_interviewed", "match_hired", "employed"} <= set(verbs)


def test_full_employment_status_by_hand(area: Area, settings) -> None:  # type: ignore[no-untyped-def]
    """孙口村: 5 in the workforce (households A: 2, B: 2, C: 1) and one not (a child).
    Employed: both of A, one of B, C's one → 4/5 = 80%; no household without work.
    With a 90% threshold it does not qualify; at 80% it does; if C's job ends, household C
    has nobody in work (零就业家庭) and 3/5 = 60% — it fails on both counts."""
    settings.MINSHENG_ASSIST_FULL_EMPLOYMENT_PERCENT = 90
    w = area.worker1
    a1 = add_person(w, area.v1, 11, household="A")
    a2 = add_person(w, area.v1, 12, household="A")
    b1 = add_person(w, area.v1, 13, household="B")
    add_person(w, area.v1, 14, household="B")
    c1 = add_person(w, area.v1, 15, household="C")
    add_person(w, area.v1, 16, household="C", in_workforce=False)
    day = dt.date(2026, 1, 10)
    jobs = {}
    for p in (a1, a2, b1, c1):
        jobs[p.pk] = service.employment_add(w, p, employer="某厂", since=day)
    scope = rules.ledger_scope(w)
    (status,) = figures.village_statuses(scope, area.v1.code)
    assert (status.workforce, status.employed, status.zero_households) == (5, 4, 0)
    assert status.percent == 80.0 and not status.qualifies
    (status,) = figures.village_statuses(scope, area.v1.code, percent=80)
    assert status.qualifies
    service.employment_end(w, jobs[c1.pk], dt.date(2026, 2, 1))
    (status,) = figures.village_statuses(scope, area.v1.code, percent=60)
    assert (status.employed, status.zero_households) == (3, 1) and not status.qualifies
    (status,) = figures.village_statuses(scope, area.v1.code, percent=60, rule=False)
    assert status.qualifies


def test_figures_of_a_station_and_stable_employment(area: Area) -> None:
    w = area.worker1
    today = timezone.localdate()
    p1 = add_person(w, area.v1, 21, categories=("脱贫户", "残疾人"))
    p2 = add_person(w, area.v1, 22, categories=("低保", "返乡创业"))
    add_person(area.worker2, area.v2, 23)
    service.employment_add(w, p1, employer="甲", since=figures.months_before(today, 7))
    service.employment_add(w, p2, employer="乙", since=today)
    service.visit_add(w, p2, today, "了解就业意愿")
    service.certificate_add(w, p1, kind="育婴员", level="五级", obtained_on=today)
    facts = figures.figures_for(rules.ledger_scope(w), area.v1, today)
    assert facts.people == 2 and facts.employed == 2 and facts.stable == 1
    assert facts.assisted_month == 1 and facts.certificates_year == 1
    cats = dict(facts.by_category)
    assert (
        cats["脱贫户"] == 1
        and cats["残疾人"] == 1
        and cats["返乡创业"] == 1
        and cats["监测户"] == 0
    )
    county = figures.figures_for(rules.EVERYTHING, area.county, today)
    assert county.people == 3
    assert [(r.name, r.people) for r in county.rows] == [("孙口镇", 3), ("侯庙镇", 0)]


def test_months_before() -> None:
    assert figures.months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert figures.months_before(dt.date(2026, 3, 15), 6) == dt.date(2025, 9, 15)
