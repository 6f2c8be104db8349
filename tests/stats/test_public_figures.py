"""数据公开 on the citizens' side: the month's three rates and the units' ranking are the
statistics pages' own figures (one computation behind both), for anyone, without logging in."""

from __future__ import annotations

import re

from django.test import Client

from tests.conftest import People
from tests.stats.helpers import Story, at, when
from tests.stats.test_home_rates import RATE_LABELS, overview_cards
from tests.stats.test_pages import client_for


def public_rates(html: str) -> dict[str, str]:
    section = html.split('class="rates"', 1)[1].split("</ul>", 1)[0]
    return dict(re.findall(r"<span>([^<]+)</span><strong>([^<]+)</strong>", section))


def test_the_public_figures_are_the_statistics_own(
    june: Story, people: People, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with when(at(2025, 6, 20, 10)):
        cards = overview_cards(client_for(people.org.leader))
        visitor = Client()
        with django_assert_max_num_queries(8):
            html = visitor.get("/h5/figures/").content.decode()
    assert "2025年6月办理情况" in html
    assert public_rates(html) == {label: cards[label] for label in RATE_LABELS}
    assert "孙口镇人民政府" in html  # the ranking lists the units that handled tickets
    for story_phone in ("138", "139"):
        assert story_phone not in re.sub(r"\d{4}-\d{2}", "", html.split("<main>")[1])


def test_an_earlier_month_and_a_bad_one(june: Story) -> None:
    with when(at(2025, 8, 3, 10)):
        assert "2025年6月办理情况" in Client().get("/h5/figures/?month=2025-06").content.decode()
        page = Client().get("/h5/figures/?month=2025-99")
        assert page.status_code == 200 and "2025年8月办理情况" in page.content.decode()
        future = Client().get("/h5/figures/?month=2031-01").content.decode()
        assert "2025年8月办理情况" in future
