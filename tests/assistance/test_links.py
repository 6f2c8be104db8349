"""A citizen's ticket linked to their ledger entry, with consent recorded: from the person's page
(by number), from the ticket (登记到帮扶台账, prefilled, de-duplicated), a visit's need made a
ticket by governance; the scope of both sides; no personal data on the ticket's side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minsheng.assistance import selectors
from minsheng.assistance.errors import Duplicate, InvalidInput, NotAllowed
from minsheng.assistance.models import Event, Need, Person, TicketLink
from minsheng.assistance.services import links
from minsheng.assistance.services.people import PersonData
from minsheng.governance.models import VisitNeed
from minsheng.governance.services.visits import Need as VisitNeedInput
from minsheng.governance.services.visits import visit_record
from minsheng.org.models import Role
from minsheng.tickets import actions
from minsheng.tickets.models import Channel, Ticket, TicketEvent
from tests.assistance.helpers import Area, add_person, fake_id, make_area
from tests.conftest import People, make_user
from tests.factories import new_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(db: None) -> Area:
    return make_area()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def consent(**kw: object) -> links.Consent:
    fields: dict[str, object] = {
        "given": True,
        "method": "phone",
        "on": timezone.localdate(),
        "note": "",
    }
    fields.update(kw)
    return links.Consent(**fields)  # type: ignore[arg-type]


def job_ticket(people: People, area: Area, **kw: object) -> Ticket:
    fields: dict[str, object] = {
        "kind": "help",
        "title": "想找一份家门口的工作",
        "description": "本人失业在家，希望村里帮忙介绍工作，电话13900001234。",
        "citizen_name": "演示赵六",
        "citizen_phone": "13900001234",
        "division": area.v1,
    }
    fields.update(kw)
    return new_ticket(people, **fields)


def test_a_worker_links_a_ticket_with_consent(people: People, area: Area) -> None:
    person = add_person(area.worker1, area.v1, 1)
    ticket = job_ticket(people, area)
    timeline = TicketEvent.objects.filter(ticket=ticket).count()
    link = links.link_ticket(area.worker1, person, ticket, consent(note="本人电话确认"))
    assert (link.consent_method, link.recorded_by, link.village_code) == (
        "phone",
        area.worker1,
        area.v1.code,
    )
    person.refresh_from_db()
    assert person.ticket_consent_on == timezone.localdate()
    event = Event.objects.get(verb="ticket_linked")
    assert event.data == {"ticket": ticket.number, "consent": "phone", "need": None}
    # The ticket is untouched: nothing on its timeline.
    assert TicketEvent.objects.filter(ticket=ticket).count() == timeline
    with pytest.raises(InvalidInput, match="已关联"):
        links.link_ticket(area.worker1, person, ticket, consent())


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"given": False}, "须经本人同意"),
        ({"method": ""}, "同意方式"),
        ({"method": "sms"}, "同意方式"),
        ({"on": dt.date(2100, 1, 1)}, "不能晚于今天"),
        ({"on": dt.date(2000, 1, 1)}, "超过一年"),
        ({"note": "长" * 201}, "200"),
    ],
    ids=["not-given", "no-method", "bad-method", "future", "stale", "long-note"],
)
def test_no_link_without_a_recorded_consent(
    people: People, area: Area, kw: dict[str, object], message: str
) -> None:
    person = add_person(area.worker1, area.v1, 1)
    ticket = job_ticket(people, area)
    with pytest.raises(InvalidInput, match=message):
        links.link_ticket(area.worker1, person, ticket, consent(**kw))
    assert not TicketLink.objects.exists() and not Event.objects.filter(verb="ticket_linked")


def test_only_tickets_the_user_may_read(people: People, area: Area) -> None:
    person = add_person(area.worker1, area.v1, 1)
    elsewhere = job_ticket(people, area, division=area.v4)  # 侯庙村: not worker1's, not assigned
    assert links.find_ticket(area.worker1, elsewhere.number) is None
    assert links.find_ticket(area.worker1, "no-such") is None
    with pytest.raises(NotAllowed):
        links.link_ticket(area.worker1, person, elsewhere, consent())
    # worker4 keeps 侯庙村's ledger: the ticket is theirs to link, but not to worker1's person.
    assert links.find_ticket(area.worker4, elsewhere.number) == elsewhere
    with pytest.raises(NotAllowed):
        links.link_ticket(area.worker4, person, elsewhere, consent())
    # The township's officer reads but does not write.
    with pytest.raises(NotAllowed):
        links.link_ticket(area.officer, person, job_ticket(people, area), consent())


def test_the_person_page_links_by_number_and_lists_the_tickets(people: People, area: Area) -> None:
    person = add_person(area.worker1, area.v1, 1)
    ticket = job_ticket(people, area)
    client = client_for(area.worker1)
    url = f"/assistance/p/{person.pk}/"
    form = {
        "action": "link",
        "number": ticket.number,
        "consent_method": "in_person",
        "consent_on": timezone.localdate().isoformat(),
    }
    refused = client.post(url, form)
    assert refused.status_code == 400 and "须经本人同意" in refused.content.decode()
    missing = client.post(url, {**form, "number": "2099", "consent": "on"})
    assert missing.status_code == 400 and "找不到该工单" in missing.content.decode()
    assert client.post(url, {**form, "consent": "on"}).status_code == 302
    html = client.get(url).content.decode()
    section = html.split('id="tickets"')[1].split("</ul>")[0]
    assert ticket.number in section and str(ticket.get_status_display()) in section
    assert "想找一份家门口的工作" in section and "当面同意" in section
    # The township's officer reads the link (no form); another village's worker gets a 404.
    officer = client_for(area.officer).get(url).content.decode()
    assert ticket.number in officer and 'id="add-link"' not in officer
    assert client_for(area.worker2).get(url).status_code == 404


def test_registering_from_a_ticket_creates_the_person_and_links(people: People, area: Area) -> None:
    ticket = job_ticket(people, area)
    client = client_for(area.worker1)
    url = f"/assistance/t/{ticket.number}/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="演示赵六"' in html and area.v1.name in html
    # The ticket's phone is offered masked, never in clear (nor in the prefilled need).
    assert "13900001234" not in html and "139****1234" in html
    form = {
        "name": "演示赵六",
        "id_number": fake_id(7),
        "categories": ["就业困难人员"],
        "in_workforce": "on",
        "needs": "想找一份家门口的工作",
        "use_ticket_phone": "on",
        "consent_method": "written",
        "consent_on": timezone.localdate().isoformat(),
    }
    refused = client.post(url, form)
    assert refused.status_code == 400 and "须经本人同意" in refused.content.decode()
    assert not Person.objects.exists()
    done = client.post(url, {**form, "consent": "on"})
    person = Person.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/assistance/p/{person.pk}/"
    assert person.village_id == area.v1.code and person.phone_mask == "139****1234"
    assert TicketLink.objects.get().ticket == ticket
    need = Need.objects.get()
    assert (need.ticket_id, need.text) == (ticket.pk, "想找一份家门口的工作")
    # The same ID number again (another ticket): found, linked, never a second entry.
    other = job_ticket(people, area, title="再次来电求职")
    again = client.post(
        f"/assistance/t/{other.number}/",
        {**form, "consent": "on", "name": "演示赵六", "id_number": fake_id(7).lower()},
    )
    assert again.status_code == 302 and Person.objects.count() == 1
    assert TicketLink.objects.filter(person=person).count() == 2


def test_registering_refuses_a_number_of_another_village(people: People, area: Area) -> None:
    add_person(area.worker2, area.v2, 7)
    ticket = job_ticket(people, area)
    with pytest.raises(Duplicate, match="其他村"):
        links.register_from_ticket(
            area.worker1,
            ticket,
            PersonData(name="演示赵六", id_number=fake_id(7)),
            consent(),
        )
    assert not TicketLink.objects.exists()


def test_the_register_page_is_for_the_village_ledger_keepers_only(
    people: People, area: Area
) -> None:
    ticket = job_ticket(people, area)
    url = f"/assistance/t/{ticket.number}/"
    for user in (area.worker2, area.officer, area.canlian, people.alice, people.dispatcher):
        assert client_for(user).get(url).status_code == 404, user.username
    anonymous = job_ticket(people, area, anonymous=True, title="匿名求助")
    html = client_for(area.worker1).get(f"/assistance/t/{anonymous.number}/").content.decode()
    assert "演示赵六" not in html and "139****" not in html


def test_a_need_found_on_a_visit_opens_a_ledger_entry(people: People, area: Area) -> None:
    admin = make_user("visit-admin", None, Role.ADMINISTRATOR)
    recorded = visit_record(
        actor=admin,
        village=area.v1,
        date=timezone.localdate(),
        households=3,
        needs=[
            VisitNeedInput(
                "家里两个劳动力都没活干，想参加技能培训",
                VisitNeed.Outcome.TICKET,
                citizen_name="演示钱七",
                citizen_phone="13900005678",
            )
        ],
    )
    ticket = VisitNeed.objects.get(visit=recorded.visit).ticket
    assert ticket is not None and ticket.channel == Channel.VISIT
    done = links.register_from_ticket(
        area.worker1,
        ticket,
        PersonData(name="演示钱七", id_number=fake_id(8), needs="想参加技能培训"),
        consent(method="in_person"),
        use_ticket_phone=True,
    )
    assert done.created and done.person.phone_mask == "139****5678"
    assert done.person.need_rows.get().ticket_id == ticket.pk


def test_the_ticket_page_panel(people: People, area: Area) -> None:
    ticket = job_ticket(people, area)
    committee = area.worker1.unit
    assert committee is not None
    ticket = actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit=committee)
    person = add_person(area.worker1, area.v1, 1, name="演示孙八")
    links.link_ticket(area.worker1, person, ticket, consent())
    url = f"/tickets/{ticket.number}/"
    # The hotline's staff see the ticket, not the ledger: no panel, no name.
    html = client_for(people.dispatcher).get(url).content.decode()
    assert 'id="assistance-panel"' not in html and "演示孙八" not in html
    # An administrator reads the masked name only.
    admin = make_user("ledger-admin", None, Role.ADMINISTRATOR)
    html = client_for(admin).get(url).content.decode()
    panel = html.split('id="assistance-panel"')[1].split("</section>")[0]
    assert "演*" in panel and "演示孙八" not in panel
    assert f"/assistance/t/{ticket.number}/" in panel
    # The village committee's handler who also keeps its ledger: masked name and the entry.
    handler = make_user("vc-handler", committee, Role.HANDLER, Role.STATION_WORKER)
    html = client_for(handler).get(url).content.decode()
    panel = html.split('id="assistance-panel"')[1].split("</section>")[0]
    assert "演*" in panel and f"/assistance/p/{person.pk}/" in panel and "关联帮扶台账" in panel
    # A handler of the committee without a ledger role sees no panel.
    plain = make_user("vc-plain", committee, Role.HANDLER)
    assert 'id="assistance-panel"' not in client_for(plain).get(url).content.decode()
    # Another village's worker (a handler elsewhere) never sees the entry.
    assert selectors.ticket_panel(area.worker2, ticket) is None


def test_the_panel_costs_no_query_without_a_ledger_role_and_one_for_an_administrator(
    people: People, area: Area
) -> None:
    ticket = job_ticket(people, area)
    dispatcher = type(people.dispatcher).objects.get(pk=people.dispatcher.pk)
    assert dispatcher.role_set  # roles read, as the page has them
    with CaptureQueriesContext(connection) as none:
        assert selectors.ticket_panel(dispatcher, ticket) is None
    assert len(none) == 0
    admin = make_user("ledger-admin", None, Role.ADMINISTRATOR)
    assert admin.role_set
    with CaptureQueriesContext(connection) as one:
        panel = selectors.ticket_panel(admin, ticket)
    assert panel is not None and panel.can_register and len(one) == 1
    # The village committee's worker on its own village's ticket, as the ticket page has them
    # (roles and unit read by the ticket core's scope, the ticket with its division): one.
    worker = type(area.worker1).objects.get(pk=area.worker1.pk)
    assert worker.role_set and worker.unit is not None
    ticket = Ticket.objects.select_related("division").get(pk=ticket.pk)
    with CaptureQueriesContext(connection) as one:
        panel = selectors.ticket_panel(worker, ticket)
    assert panel is not None and panel.can_register and len(one) == 1


def test_no_personal_data_leaks_to_the_ticket_or_the_public(
    people: People, area: Area, client: Client
) -> None:
    ticket = job_ticket(people, area)
    links.register_from_ticket(
        area.worker1,
        ticket,
        PersonData(name="演示周九", id_number=fake_id(9), phone="13900009999"),
        consent(),
    )
    texts = " ".join(
        str(v)
        for row in TicketEvent.objects.filter(ticket=ticket).values_list("note", "data")
        for v in row
    )
    assert "演示周九" not in texts and fake_id(9) not in texts
    for event in Event.objects.all():
        assert fake_id(9) not in str(event.data) and "13900009999" not in str(event.data)


def test_bad_input_never_answers_500(people: People, area: Area) -> None:
    person = add_person(area.worker1, area.v1, 1)
    client = client_for(area.worker1)
    url = f"/assistance/p/{person.pk}/"
    assert client.post(url, {"action": "close", "need": "abc"}).status_code == 404
    assert client.post(url, {"action": "link", "number": "x" * 40}).status_code == 400
    assert (
        client.post(url, {"action": "link", "number": "1", "consent_on": "2026-99-99"}).status_code
        == 400
    )
    assert client.get("/assistance/t/" + "9" * 40 + "/").status_code == 404
    ticket = job_ticket(people, area)
    bad = client.post(f"/assistance/t/{ticket.number}/", {"name": "", "consent_on": "bad"})
    assert bad.status_code == 400 and not Person.objects.exclude(pk=person.pk).exists()
