"""GET /units/ (scoped like the unit list) and GET /categories/."""

from __future__ import annotations

from minsheng.org.models import Division, Unit
from minsheng.tickets.models import Category
from tests.api.conftest import Apis


def test_the_hotline_sees_every_unit(apis: Apis) -> None:
    division = Division.objects.create(code="410927102000", name="孙口镇", level=4)
    Unit.objects.filter(code="sunkou").update(division=division)
    answer = apis.operator.get("units/")
    assert answer.status == 200
    by_code = {u["code"]: u for u in answer.body}
    assert set(by_code) == {"hotline", "sunkou", "sunkou-nc1", "houmiao"}
    assert by_code["sunkou-nc1"] == {
        "code": "sunkou-nc1",
        "name": "孙口镇执法大队农村一中队",
        "short_name": "",
        "kind": "team",
        "parent": "sunkou",
        "division_code": None,
        "division_name": None,
        "is_active": True,
    }
    assert by_code["sunkou"]["division_code"] == "410927102000"
    assert by_code["sunkou"]["division_name"] == "孙口镇"


def test_a_unit_sees_its_own_subtree_only(apis: Apis) -> None:
    assert [u["code"] for u in apis.alice.get("units/").body] == ["sunkou", "sunkou-nc1"]
    assert [u["code"] for u in apis.bob.get("units/").body] == ["houmiao"]


def test_it_lists_the_category_tree(apis: Apis) -> None:
    root = Category.objects.create(name="城乡建设", level=1, full_name="城乡建设")
    leaf = Category.objects.create(name="路灯", level=2, parent=root, full_name="城乡建设/路灯")
    answer = apis.alice.get("categories/")
    assert answer.status == 200
    assert answer.body == [
        {
            "id": root.pk,
            "name": "城乡建设",
            "full_name": "城乡建设",
            "level": 1,
            "parent": None,
            "is_active": True,
        },
        {
            "id": leaf.pk,
            "name": "路灯",
            "full_name": "城乡建设/路灯",
            "level": 2,
            "parent": root.pk,
            "is_active": True,
        },
    ]
