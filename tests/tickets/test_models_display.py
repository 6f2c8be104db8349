"""Ticket.get_status_display / get_kind_display: the enum's labels, as Django's would give."""

from __future__ import annotations

from django.utils import translation

from minsheng.tickets.models import Kind, Status, Ticket


def test_the_labels_are_the_choices_labels_and_unknown_values_show_as_themselves() -> None:
    with translation.override("zh-hans"):
        for status in Status:
            assert Ticket(status=status.value).get_status_display() == str(status.label)
        for kind in Kind:
            assert Ticket(kind=kind.value).get_kind_display() == str(kind.label)
        assert Ticket(status="nonsense").get_status_display() == "nonsense"
        assert Ticket(kind="").get_kind_display() == ""
