"""A June 2025 of 孙口镇 and 侯庙镇 (with the month before and the year before) for the pages
and the command."""

from __future__ import annotations

import pytest

from minsheng.org.models import Division
from minsheng.tickets.models import Category
from tests.conftest import People
from tests.stats.helpers import Story, at, refresh_all


@pytest.fixture
def places(db: None) -> dict[str, Division]:
    county = Division.objects.create(code="410927000000", name="台前县", level=3)
    sunkou = Division.objects.create(code="410927102000", name="孙口镇", level=4, parent=county)
    houmiao = Division.objects.create(code="410927101000", name="侯庙镇", level=4, parent=county)
    village = Division.objects.create(code="410927102201", name="孙口村", level=5, parent=sunkou)
    return {"sunkou": sunkou, "houmiao": houmiao, "village": village}


@pytest.fixture
def june(people: People, places: dict[str, Division]) -> Story:
    roads = Category.objects.create(name="城乡建设", level=1, full_name="城乡建设")
    lights = Category.objects.create(name="路灯", level=2, full_name="城乡建设/路灯", parent=roads)
    social = Category.objects.create(name="社会保障", level=1, full_name="社会保障")
    s = Story(people)
    s.handled(at(2025, 6, 2, 9), division=places["village"], category=lights)
    s.handled(
        at(2025, 6, 3, 9),
        satisfaction="unsatisfied",
        resolved=False,
        division=places["sunkou"],
        category=roads,
    )
    t = s.intake(
        at(2025, 6, 4, 9), kind="consultation", division=places["houmiao"], category=social
    )
    s.dispatch(t, at(2025, 6, 4, 10), "houmiao")
    s.intake(at(2025, 6, 5, 9), channel="web")  # not dispatched yet
    s.handled(at(2025, 5, 5, 9))  # the month before
    s.handled(at(2024, 6, 5, 9))  # a year before
    refresh_all()
    return s
