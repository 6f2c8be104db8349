"""LongSelect renders what Django's Select renders, without a template per option."""

from __future__ import annotations

import re

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.tickets.forms import LongSelect, SearchForm
from minsheng.tickets.models import Category
from tests.conftest import Org

CHOICES = [("", "——"), ("1", "城乡建设/物业"), ("2", '<b>"A&B"</b>'), ("10", "交通")]
OPTION = re.compile(r"<option[^>]*>[^<]*")


def test_it_renders_the_same_options_as_djangos_select() -> None:
    for value in ("", "2", "10", None, "nope"):
        ours = LongSelect(choices=CHOICES).render("category", value, {"id": "id_category"})
        django = forms.Select(choices=CHOICES).render("category", value, {"id": "id_category"})
        assert OPTION.findall(ours) == OPTION.findall(django), value
        assert 'name="category"' in ours and 'id="id_category"' in ours


def test_it_escapes_labels_and_marks_one_choice() -> None:
    html = LongSelect(choices=CHOICES).render("category", "2", {"required": True})
    assert "<b>" not in html and "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;" in html
    assert html.count(" selected") == 1 and '<option value="2" selected>' in html
    assert html.startswith("<select") and " required" in html


def test_the_cached_options_are_the_same_as_the_uncached_ones() -> None:
    from minsheng.tickets.forms import OptionsCache

    cached = LongSelect(choices=CHOICES, options_cache=OptionsCache())
    for value in ("", "2", "10", None):
        plain = LongSelect(choices=CHOICES).render("category", value, {"id": "id_category"})
        assert cached.render("category", value, {"id": "id_category"}) == plain, value


def _category_options(form: SearchForm) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)", str(form["category"]))


def test_the_search_forms_options_are_built_once_and_follow_changes(org: Org) -> None:
    Category.objects.create(name="路灯", level=1, full_name="城乡建设/路灯")
    assert "城乡建设/路灯" in _category_options(SearchForm())
    str(SearchForm()["unit"])
    with CaptureQueriesContext(connection) as ctx:
        html = str(SearchForm({"category": ""})["category"]) + str(SearchForm()["unit"])
    assert len(ctx) == 0 and "城乡建设/路灯" in html and "孙口镇人民政府" in html
    water = Category.objects.create(name="供水", level=1, full_name="城乡建设/供水")
    assert "城乡建设/供水" in _category_options(SearchForm())  # a save clears the cache
    water.full_name = "城乡建设/供水停水"
    water.save()
    assert "城乡建设/供水停水" in _category_options(SearchForm())
    water.delete()
    assert "城乡建设/供水停水" not in _category_options(SearchForm())
    selected = str(SearchForm({"category": str(Category.objects.get().pk)})["category"])
    assert selected.count(" selected") == 1 and "selected>城乡建设/路灯<" in selected
