"""意见建议 before the council: added once per origin, on every agenda while open, answered by a
decision or set aside with a reason; villagers' questions have their own part of the agenda; who
may; a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from minsheng.governance import councils
from minsheng.governance.models import CouncilEvent, Suggestion
from minsheng.governance.services.councils import council_decide, council_meeting_open
from minsheng.governance.services.suggestions import suggestion_add, suggestion_decline
from minsheng.org.models import Division
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.tickets.models import Category
from tests.conftest import People
from tests.governance.council_helpers import (
    HOUMIAO_VILLAGE,
    VILLAGE,
    Town,
    at,
    demand,
    make_town,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def town(people: People) -> Town:
    return make_town(people)


def _add(town: Town, text: str = "孙口村东头排水沟堵塞，雨天积水", **kw: object) -> Suggestion:
    fields: dict[str, object] = {
        "actor": town.secretary,
        "council": town.council,
        "text": text,
        "source": Suggestion.Source.VISIT,
        "village": Division.objects.get(code=VILLAGE),
    }
    fields.update(kw)
    return suggestion_add(**fields)  # type: ignore[arg-type]


def test_a_suggestion_sits_on_every_agenda_until_a_decision_answers_it(town: Town) -> None:
    with time_machine.travel(at(2026, 10, 20), tick=False):
        kept = _add(town)
        other = _add(town, "建议在孙口村小学门口设置减速带", source=Suggestion.Source.IMPORT)
    with time_machine.travel(at(2026, 11, 2), tick=False):
        first = council_meeting_open(
            actor=town.secretary, council=town.council, date=D(2026, 11, 2)
        )
    listed = [i.data["suggestion"] for i in first.agenda_items.filter(kind="suggestion")]
    assert listed == [kept.pk, other.pk]  # older than the period: still on the agenda
    with time_machine.travel(at(2026, 11, 2), tick=False):
        decision = council_decide(
            actor=town.secretary,
            meeting=first,
            text="疏通孙口村排水沟",
            suggestions=[kept.pk],
            works=[(town.nyfw, D(2026, 11, 9), "疏通孙口村东头排水沟", "")],
        )
    kept.refresh_from_db()
    assert (kept.status, kept.decision_id) == (Suggestion.Status.DECIDED, decision.pk)
    assert kept.settled_at is not None
    with time_machine.travel(at(2026, 11, 9), tick=False):
        second = council_meeting_open(
            actor=town.secretary, council=town.council, date=D(2026, 11, 9)
        )
    listed = [i.data["suggestion"] for i in second.agenda_items.filter(kind="suggestion")]
    assert listed == [other.pk]
    # Deciding on it again is refused and writes nothing.
    with pytest.raises(InvalidInput):
        council_decide(actor=town.secretary, meeting=second, text="再议", suggestions=[kept.pk])
    assert second.decisions.count() == 0


def test_the_same_origin_is_added_once(town: Town) -> None:
    first = _add(town, reference="visit:7:1")
    again = _add(town, "另一个说法", reference="visit:7:1")
    assert again.pk == first.pk
    assert Suggestion.objects.count() == 1
    assert CouncilEvent.objects.filter(subject="suggestion", verb="suggested").count() == 1


def test_a_suggestion_set_aside_needs_a_reason_and_leaves_the_agenda(town: Town) -> None:
    suggestion = _add(town)
    with pytest.raises(InvalidInput):
        suggestion_decline(actor=town.secretary, suggestion=suggestion, note="  ")
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.OPEN
    with pytest.raises(NotAllowed):
        suggestion_decline(actor=town.stranger, suggestion=suggestion, note="不属于本镇")
    suggestion_decline(actor=town.secretary, suggestion=suggestion, note="已纳入县级规划")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.note) == (Suggestion.Status.DECLINED, "已纳入县级规划")
    with pytest.raises(InvalidTransition):
        suggestion_decline(actor=town.secretary, suggestion=suggestion, note="再次")
    agenda = councils.draft_agenda(town.council, since=D(2026, 11, 2), until=D(2026, 11, 9))
    assert agenda.suggestions == [] and agenda.suggestions_total == 0


def test_who_may_add_and_what_is_refused(town: Town) -> None:
    with pytest.raises(NotAllowed):
        _add(town, actor=town.stranger)  # another township's leader
    with pytest.raises(NotAllowed):
        _add(town, actor=town.h_nyfw)  # a station's handler
    _add(town, actor=town.people.operator)  # the hotline's desk may
    with pytest.raises(InvalidInput):
        _add(town, text="   ")
    with pytest.raises(InvalidInput):
        _add(town, village=Division.objects.get(code=HOUMIAO_VILLAGE))
    with pytest.raises(InvalidInput):
        _add(town, source="fax")
    assert Suggestion.objects.count() == 1


def test_villagers_questions_have_their_own_part_of_the_agenda(town: Town) -> None:
    root = Category.objects.create(name="村务基层治理", level=1, full_name="村务基层治理")
    mid = Category.objects.create(
        name="村务管理", level=2, parent=root, full_name="村务基层治理/村务管理"
    )
    leaf = Category.objects.create(
        name="村务公开质询", level=3, parent=mid, full_name="村务基层治理/村务管理/村务公开质询"
    )
    with time_machine.travel(at(2026, 11, 3), tick=False):
        asked = demand(town.people, title="村务公开栏上的低保名单有疑问", category=leaf)
        demand(town.people, title="路灯不亮")
    agenda = councils.draft_agenda(town.council, since=D(2026, 11, 2), until=D(2026, 11, 9))
    assert [t.pk for t in agenda.questions] == [asked.pk]
