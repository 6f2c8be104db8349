"""The population register: counts on a day, areas as sums of their counted parts, all-or-none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from minsheng.org.models import Division, PopulationCount
from minsheng.org.population import (
    CountRow,
    PopulationError,
    counts_on,
    population_of,
    populations_of,
    record_population,
    significant_prefix,
)

pytestmark = pytest.mark.django_db

COUNTY = "410927000000"
TOWN = "410927102000"
V1, V2, V3 = "410927102201", "410927102202", "410927102203"
OTHER_TOWN = "410927100000"
OTHER_VILLAGE = "410927100201"


@pytest.fixture
def divisions() -> None:
    Division.objects.create(code=COUNTY, name="台前县", level=3)
    Division.objects.create(code=TOWN, name="孙口镇", level=4, parent_id=COUNTY)
    Division.objects.create(code=OTHER_TOWN, name="城关镇", level=4, parent_id=COUNTY)
    for code, name in ((V1, "甲村"), (V2, "乙村"), (V3, "丙村")):
        Division.objects.create(code=code, name=name, level=5, parent_id=TOWN)
    Division.objects.create(code=OTHER_VILLAGE, name="台前村", level=5, parent_id=OTHER_TOWN)


def test_significant_prefix_of_each_level() -> None:
    assert significant_prefix("410000000000") == "41"
    assert significant_prefix("410900000000") == "4109"
    assert significant_prefix(COUNTY) == "410927"
    # A township numbered 100: its trailing zeros are digits of its own.
    assert significant_prefix(OTHER_TOWN) == "410927100"
    assert significant_prefix(OTHER_VILLAGE) == OTHER_VILLAGE


def test_a_township_is_the_sum_of_its_counted_villages(divisions: None) -> None:
    record_population(
        [CountRow(V1, 1200), CountRow(V2, 800), CountRow(OTHER_VILLAGE, 5000)],
        effective_from=dt.date(2026, 1, 1),
    )
    assert population_of(TOWN, on=dt.date(2026, 6, 1)) == 2000
    assert population_of(OTHER_TOWN, on=dt.date(2026, 6, 1)) == 5000
    assert population_of(COUNTY, on=dt.date(2026, 6, 1)) == 7000
    assert population_of(V3, on=dt.date(2026, 6, 1)) is None  # not counted: unknown, not 0
    # Before the counts took effect nothing is known.
    assert population_of(TOWN, on=dt.date(2025, 12, 31)) is None


def test_an_own_total_wins_over_the_parts_and_the_latest_count_wins(divisions: None) -> None:
    record_population([CountRow(V1, 1200), CountRow(V2, 800)], effective_from=dt.date(2026, 1, 1))
    record_population([CountRow(TOWN, 2500)], effective_from=dt.date(2026, 1, 1))
    record_population([CountRow(V1, 1300)], effective_from=dt.date(2026, 3, 1))
    day = dt.date(2026, 6, 1)
    assert populations_of([TOWN, V1, V2, COUNTY], on=day) == {
        TOWN: 2500,
        V1: 1300,
        V2: 800,
        COUNTY: 2500,  # the township's own total, not also its villages
    }
    assert counts_on([V1, V3], on=dt.date(2026, 2, 1)) == {V1: 1200}


def test_a_bad_row_records_nothing(divisions: None) -> None:
    with pytest.raises(PopulationError, match="不存在"):
        record_population(
            [CountRow(V1, 10), CountRow("410927999999", 5)], effective_from=dt.date(2026, 1, 1)
        )
    with pytest.raises(PopulationError, match="户数"):
        record_population([CountRow(V1, 10, households=11)], effective_from=dt.date(2026, 1, 1))
    with pytest.raises(PopulationError, match="重复"):
        record_population([CountRow(V1, 10), CountRow(V1, 12)], effective_from=dt.date(2026, 1, 1))
    assert not PopulationCount.objects.exists()


def test_the_command_imports_a_csv_all_or_nothing(divisions: None, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("code,population,households\n410927102201,1200,400\n410927102202,800,\n")
    call_command("import_population", str(good), "--date", "2026-01-01", "--source", "普查")
    assert population_of(TOWN, on=dt.date(2026, 1, 1)) == 2000
    bad = tmp_path / "bad.csv"
    bad.write_text("code,population\n410927102203,１２\n")  # full-width digits: refused
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("import_population", str(bad), "--date", "2026-01-01")
    assert PopulationCount.objects.count() == 2


def test_the_demo_county_sunkou_sums_to_the_seeds_71000() -> None:
    from minsheng.org.demo import seed_demo

    seed_demo(password="demo-pass-123")
    seed_demo(password="demo-pass-123")  # twice: counted once
    assert population_of(TOWN) == 71_000
    assert PopulationCount.objects.filter(division_id=V1).count() == 1
