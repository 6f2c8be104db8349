"""The leader's home shows the month's three rates, as the statistics pages compute them, with
links to those pages; its queries are pinned and do not grow with the tickets."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client
from django.urls import reverse

from minsheng.org.models import Role
from tests.conftest import People, make_user
from tests.stats.helpers import Story, at, refresh_all, when
from tests.stats.test_pages import JUNE, client_for

# The home page's queries (session, user and roles, the work counts, the month's rollup sum).
HOME_QUERIES = 9
RATE_LABELS = ["响应率", "解决率", "满意率"]


def home_rates(html: str) -> dict[str, str]:
    section = html.split('id="month-rates"', 1)[1].split("</section>", 1)[0]
    found = re.findall(r'<strong class="num">([^<]*)</strong> ([^<]+)</a>', section)
    return {label.strip(): value for value, label in found}


def overview_cards(client: Client) -> dict[str, str]:
    html = client.get(reverse("stats:overview"), JUNE).content.decode()
    cards = re.findall(
        r'<span class="label">([^<]*)</span>\s*<strong>(?:<a href="[^"]*">)?([^<]*)', html
    )
    return {label: value.strip() for label, value in cards}


def test_the_leaders_home_shows_the_months_three_rates(june: Story, people: People) -> None:
    client = client_for(people.org.leader)
    with when(at(2025, 6, 20, 10)):
        html = client.get("/").content.decode()
        cards = overview_cards(client)
    assert "本月三率（2025年6月）" in html
    rates = home_rates(html)
    assert list(rates) == RATE_LABELS
    # The statistics pages' own figures for the same month (one computation behind both).
    assert rates == {label: cards[label] for label in RATE_LABELS}
    assert rates["解决率"] == "50.0%" and rates["满意率"] == "50.0%"
    section = html.split('id="month-rates"', 1)[1].split("</section>", 1)[0]
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]*)"', section)]
    assert f"{reverse('stats:overview')}?from=2025-06-01&to=2025-06-20&period=month" in hrefs
    assert any(h.startswith(reverse("stats:units")) for h in hrefs)
    assert any(h.startswith(reverse("stats:report")) for h in hrefs)
    # A figure links to the tickets behind it, which the leader may open.
    drill = next(h for h in hrefs if h.startswith(reverse("stats:tickets")))
    assert client.get(drill).status_code == 200


def test_a_month_with_nothing_counted_shows_dashes(june: Story, people: People) -> None:
    client = client_for(people.org.leader)
    with when(at(2025, 8, 3, 10)):
        html = client.get("/").content.decode()
    assert "本月三率（2025年8月）" in html
    assert home_rates(html) == dict.fromkeys(RATE_LABELS, "—")


def test_only_the_leaders_home_computes_the_rates(june: Story, people: People) -> None:
    html = client_for(people.operator).get("/").content.decode()
    assert "month-rates" not in html and "本月三率" not in html
    # A unit's leader role reads their unit's figures on the statistics pages: the same here.
    unit_leader = make_user("lu", people.org.sunkou, Role.LEADER)
    with when(at(2025, 6, 20, 10)):
        html = client_for(unit_leader).get("/").content.decode()
    assert "本月三率（2025年6月）" in html and "孙口镇人民政府" in html


def test_the_leaders_home_queries_are_pinned(
    june: Story,
    people: People,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = client_for(people.org.leader)
    with when(at(2025, 6, 20, 10)), django_assert_max_num_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200
    for day in range(9, 15):
        june.handled(at(2025, 6, day, 9))
    refresh_all()
    with when(at(2025, 6, 20, 10)), django_assert_max_num_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200
