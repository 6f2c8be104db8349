"""`manage.py rates` prints the numbers the pages show."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import People
from tests.stats.helpers import Story
from tests.stats.test_pages import client_for

H1 = {"period": "custom", "from": "2025-01-01", "to": "2025-06-30"}


def rates(*args: str) -> str:
    out = io.StringIO()
    call_command("rates", "--from", "2025-01-01", "--to", "2025-06-30", *args, stdout=out)
    return out.getvalue()


def normalise(value: object) -> str:
    """Excel keeps numbers as numbers, CSV as text: compare them as decimals."""
    if value is None or value == "" or value == "—":
        return ""
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except ArithmeticError:
        return str(value)


def page_rows(client: Client, view: str, params: dict[str, str]) -> list[list[str]]:
    response = client.get(reverse(view), {**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [[normalise(v) for v in row] for row in sheet.iter_rows(min_row=3, values_only=True)]


def command_rows(*args: str) -> list[list[str]]:
    return [[normalise(v) for v in row] for row in csv.reader(io.StringIO(rates(*args)))]


@pytest.mark.parametrize(
    ("by", "view", "extra"),
    [
        ("unit", "stats:units", {}),
        ("township", "stats:areas", {}),
        ("category", "stats:categories", {}),
        ("channel", "stats:channels", {}),
    ],
)
def test_the_command_prints_the_numbers_of_the_page(
    june: Story, people: People, by: str, view: str, extra: dict[str, str]
) -> None:
    page = page_rows(client_for(people.org.leader), view, {**H1, **extra})
    printed = command_rows("--by", by, "--format", "csv")
    assert printed == page[: len(printed)]  # the page's first table: same rows, same numbers
    assert len(printed) > 2 and printed[-1][0].startswith("合计")
    assert any(r[1] not in ("", "0") for r in printed[1:])  # not an empty table


def test_the_command_for_one_townships_villages(june: Story, people: People) -> None:
    params = {**H1, "division": "410927102000"}
    page = page_rows(client_for(people.org.leader), "stats:areas", params)
    printed = command_rows("--by", "village", "--division", "410927102000", "--format", "csv")
    assert printed == page[: len(printed)]
    assert [r[0] for r in printed[1:]] == ["孙口镇", "孙口村", "合计"]


def test_the_command_for_one_townships_units(june: Story, people: People) -> None:
    page = page_rows(client_for(people.org.leader), "stats:units", {**H1, "unit": "sunkou"})
    printed = command_rows("--by", "unit", "--unit", "sunkou", "--format", "csv")
    assert printed == page[: len(printed)]


def test_the_table_format_has_the_same_figures(june: Story) -> None:
    text = rates("--by", "unit")
    assert "单位排名" in text and "孙口镇人民政府" in text and "侯庙镇人民政府" in text
    sunkou = next(line for line in text.splitlines() if line.startswith("孙口镇人民政府"))
    rows = command_rows("--by", "unit", "--format", "csv")
    expected = next(r for r in rows if r[0] == "孙口镇人民政府")
    shown = [normalise(v.rstrip("%")) for v in sunkou.split()[1:]]
    assert shown == expected[1:]


def test_bad_arguments_are_refused_clearly(db: None) -> None:
    with pytest.raises(CommandError, match="日期格式"):
        call_command("rates", "--from", "2025-1-1x", "--to", "2025-06-30")
    with pytest.raises(CommandError, match="不能早于"):
        call_command("rates", "--from", "2025-06-30", "--to", "2025-01-01")
    with pytest.raises(CommandError, match="指定乡镇"):
        call_command("rates", "--from", "2025-01-01", "--to", "2025-06-30", "--by", "village")
    with pytest.raises(CommandError, match="不存在"):
        call_command("rates", "--from", "2025-01-01", "--to", "2025-06-30", "--unit", "nope")
