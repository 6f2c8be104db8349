"""LongSelect renders what Django's Select renders, without a template per option."""

from __future__ import annotations

import re

from django import forms

from minsheng.tickets.forms import LongSelect

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
