"""智能分类建议 in a real browser: typing the description brings the top 3 categories, Alt+1
fills the category field with the first, and the unit panel follows."""

from __future__ import annotations

from pathlib import Path

import pytest

from minsheng.org.models import Unit
from minsheng.tickets.models import Category
from tests.conftest import People, browser_login
from tests.insight.test_triage import POLLUTION, environment_unit, sample_model_file, trained

pytestmark = pytest.mark.browser
__all__ = ["environment_unit", "sample_model_file", "trained"]  # fixtures used below


@pytest.mark.django_db(transaction=True)
def test_the_operator_picks_a_suggested_category_with_the_keyboard(
    people: People, live_server, browser_page, trained: Path, environment_unit: Unit
) -> None:  # type: ignore[no-untyped-def]
    leaf = Category.objects.get(full_name="环境保护/环境污染/水污染")
    page = browser_page
    browser_login(page, live_server.url, people.operator.username)
    page.goto(f"{live_server.url}/desk/new")
    page.keyboard.type("河水污染")
    page.keyboard.press("Tab")
    page.keyboard.type(POLLUTION)
    page.wait_for_selector(f"#category-slot button[data-category='{leaf.pk}'][data-key='1']")
    page.keyboard.press("Alt+1")
    page.wait_for_function(f"document.querySelector('select[name=category]').value === '{leaf.pk}'")
    page.wait_for_selector("#unit-slot :text('台前县生态环境局')")
