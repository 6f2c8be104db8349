"""Every imported village has a board; drafting is the village clerk's alone."""

import datetime as dt

import pytest

from minsheng.org.divisions_import import import_divisions
from minsheng.org.models import Division, Role, Unit
from minsheng.villages.errors import NotAllowed
from minsheng.villages.models import Board, Event, ItemStatus
from minsheng.villages.services import items
from minsheng.villages.services.boards import ensure_boards
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _csv(tmp_path):
    d = tmp_path / "div"
    d.mkdir(exist_ok=True)
    (d / "provinces.csv").write_text("code,name\n41,河南省\n", encoding="utf-8")
    (d / "cities.csv").write_text("code,name,provinceCode\n4109,濮阳市,41\n", encoding="utf-8")
    (d / "areas.csv").write_text(
        "code,name,cityCode,provinceCode\n410927,台前县,4109,41\n", encoding="utf-8"
    )
    (d / "streets.csv").write_text(
        "code,name,areaCode,cityCode,provinceCode\n410927102,孙口镇,410927,4109,41\n",
        encoding="utf-8",
    )
    (d / "villages.csv").write_text(
        "code,name,streetCode,areaCode,cityCode,provinceCode\n"
        "410927102201,孙口村,410927102,410927,4109,41\n"
        "410927102202,桥北张村,410927102,410927,4109,41\n",
        encoding="utf-8",
    )
    return d


def test_an_imported_village_has_its_board_at_once(tmp_path):
    import_divisions([_csv(tmp_path)])
    boards = dict(Board.objects.values_list("village_id", "township_code"))
    assert boards == {"410927102201": "410927102000", "410927102202": "410927102000"}
    # Importing again (or calling ensure_boards) creates nothing twice.
    import_divisions([_csv(tmp_path)])
    assert ensure_boards() == 0
    assert Board.objects.count() == 2


def test_only_the_villages_clerk_drafts(tmp_path):
    import_divisions([_csv(tmp_path)])

    village = Division.objects.get(code="410927102201")
    other = Division.objects.get(code="410927102202")
    unit = Unit.objects.create(
        code="v201", name="孙口村委会", kind=Unit.Kind.VILLAGE, division=village
    )
    clerk = make_user("clerk", unit, Role.VILLAGE_CLERK)
    item = items.item_draft(
        actor=clerk,
        village_code=village.code,
        section="affairs",
        title="  2026年第四季度  村务公开 ",
        period_kind="quarter",
        period_day=dt.date(2026, 11, 5),
    )
    assert item.status == ItemStatus.DRAFT
    assert item.title == "2026年第四季度 村务公开"
    assert (item.period_start, item.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert Event.objects.filter(subject="item", subject_id=item.pk, verb="drafted").exists()
    with pytest.raises(NotAllowed):
        items.item_draft(
            actor=clerk,
            village_code=other.code,
            section="affairs",
            title="别村的事",
            period_kind="month",
            period_day=dt.date(2026, 11, 5),
        )
