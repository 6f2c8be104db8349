"""A citizen's QR report: a ticket linked to the facility, dispatched straight to the owner unit
(the keeper's unit) by the facilities' service account — no operator acted; a resent form makes
no second ticket; the keeper is told; the facility page lists the open problem."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.facilities.models import FacilityTicket
from minsheng.facilities.services.reports import ACCOUNT, NewProblem, facility_report
from minsheng.notify.models import Message
from minsheng.tickets.models import Assignment, Status, TicketEvent
from tests.conftest import PASSWORD
from tests.facilities.helpers import make_area, toilet

pytestmark = pytest.mark.django_db


def test_a_qr_report_is_dispatched_to_the_keepers_unit_with_no_operator() -> None:
    area = make_area()
    facility = toilet(area)
    link, repeated = facility_report(
        facility=facility,
        report=NewProblem(problem="dirty", text="地面很脏", submission_key="k" * 32),
    )
    ticket = link.ticket
    ticket.refresh_from_db()
    assert not repeated and link.facility == facility
    assert ticket.status == Status.DISPATCHED
    assert ticket.lead_unit == area.keeper.unit == area.gov
    lead = Assignment.objects.get(ticket=ticket, role=Assignment.Role.LEAD)
    assert lead.unit == area.gov
    # Every step of the timeline is the service account's: no operator or dispatcher acted.
    actors = set(
        TicketEvent.objects.filter(ticket=ticket).values_list("actor__username", flat=True)
    )
    assert actors == {ACCOUNT}
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)) == [
        "intake",
        "dispatch",
    ]
    assert "地面很脏" in ticket.description and "孙口镇政府东公厕" in ticket.title
    assert ticket.category is not None and ticket.category.full_name.endswith("公共设施损坏")
    assert Message.objects.filter(user=area.keeper, title__contains="设施问题").exists()


def test_a_keeper_team_assists() -> None:
    area = make_area()
    facility = toilet(area, name="渡口公厕", keeper_user=None, keeper_unit=area.team)
    link, _ = facility_report(
        facility=facility, report=NewProblem(problem="broken", text="", submission_key="b" * 32)
    )
    units = dict(Assignment.objects.filter(ticket=link.ticket).values_list("unit__code", "role"))
    assert units == {"gov-sunkou": Assignment.Role.LEAD, "sunkou-hw": Assignment.Role.ASSIST}


def test_the_same_form_twice_makes_one_ticket() -> None:
    area = make_area()
    facility = toilet(area)
    report = NewProblem(problem="closed", text="", submission_key="c" * 32)
    first, _ = facility_report(facility=facility, report=report)
    second, repeated = facility_report(facility=facility, report=report)
    assert repeated and first.pk == second.pk and FacilityTicket.objects.count() == 1


def test_the_public_page_reports_and_shows_no_staff_names_or_phones() -> None:
    area = make_area()
    facility = toilet(area)
    client = Client()
    page = client.get(f"/h5/f/{facility.public_code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "孙口镇政府东公厕" in html and "06:00–22:00" in html
    assert "演示保洁员" not in html and "13900001234" not in html and "****1234" not in html
    assert "孙口镇人民政府" not in html
    answer = client.post(
        f"/h5/f/{facility.public_code}/",
        {"problem": "dirty", "text": "没有纸", "submission_key": "d" * 32},
    )
    assert answer.status_code == 302
    link = FacilityTicket.objects.get()
    assert answer["Location"] == f"/h5/f/{facility.public_code}/receipt/{link.ticket.number}/"
    receipt = client.get(answer["Location"])
    assert link.ticket.number in receipt.content.decode()
    # Sent again (a double tap): the same ticket.
    again = client.post(
        f"/h5/f/{facility.public_code}/",
        {"problem": "dirty", "text": "没有纸", "submission_key": "d" * 32},
    )
    assert again.status_code == 302 and FacilityTicket.objects.count() == 1

    staff = Client()
    assert staff.login(username=area.keeper.username, password=PASSWORD)
    detail = staff.get(f"/facilities/{facility.pk}/").content.decode()
    assert link.ticket.number in detail and "演示保洁员 139****1234" in detail


def test_a_bad_choice_or_an_unknown_code_is_answered_plainly() -> None:
    area = make_area()
    facility = toilet(area)
    client = Client()
    bad = client.post(
        f"/h5/f/{facility.public_code}/", {"problem": "x", "submission_key": "e" * 32}
    )
    assert bad.status_code == 400 and "请选择遇到的问题" in bad.content.decode()
    assert client.get("/h5/f/nosuchcode/").status_code == 404
    assert not FacilityTicket.objects.exists()


def test_too_many_reports_from_one_address_are_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_FACILITY_REPORTS_PER_ADDRESS_HOUR = 1
    area = make_area()
    facility = toilet(area)
    client = Client()
    client.post(f"/h5/f/{facility.public_code}/", {"problem": "dirty", "submission_key": "f" * 32})
    refused = client.post(
        f"/h5/f/{facility.public_code}/", {"problem": "broken", "submission_key": "g" * 32}
    )
    assert refused.status_code == 400 and "次数太多" in refused.content.decode()
    assert FacilityTicket.objects.count() == 1


@pytest.mark.parametrize("problem", ["dirty", "broken", "closed", "other"])
def test_every_problem_makes_a_dispatched_ticket(problem: str) -> None:
    area = make_area()
    facility = toilet(area)
    link, _ = facility_report(
        facility=facility,
        report=NewProblem(problem=problem, text="", submission_key=f"{problem:x<32}"),
    )
    assert link.ticket.status == Status.DISPATCHED and link.problem == problem


def test_a_phone_proven_by_sms_comes_back_to_the_facility_and_is_on_the_ticket() -> None:
    from minsheng.notify.models import Outbox

    area = make_area()
    facility = toilet(area)
    client = Client()
    page = f"/h5/f/{facility.public_code}/"
    verify = f"/h5/verify/report/?next={page}%23report"
    assert verify.split("?")[0] in client.get(page).content.decode()
    client.post(verify, {"step": "send", "phone": "13912345678"})
    code = Outbox.objects.filter(recipient="13912345678").latest("id").context["code"]
    back = client.post(verify, {"step": "check", "phone": "13912345678", "code": code})
    assert back.status_code == 302 and back["Location"] == f"{page}#report"
    client.post(page, {"problem": "closed", "submission_key": "p" * 32})
    ticket = FacilityTicket.objects.select_related("ticket").get().ticket
    assert ticket.citizen_phone == "13912345678" and not ticket.anonymous
    # Without a proven phone the report is anonymous (the portal's report form is not affected).
    assert Client().get("/h5/verify/report/").status_code == 200
