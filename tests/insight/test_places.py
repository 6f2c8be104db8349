"""The gazetteer from the deployment's divisions and landmarks; the desk's place pre-selection."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.insight import places
from minsheng.insight.models import Landmark
from minsheng.insight.places import gazetteer, match_place, place_guesses
from minsheng.org.models import Division, Role
from tests.conftest import People, make_user
from tests.insight.conftest import HOUMIAO, SUNKOU, SUNKOU_VILLAGE
from tests.tickets.test_views_ticket import login


def test_it_matches_the_imported_county(county: dict[str, Division]) -> None:
    found = match_place("孙口镇孙口村委会门口垃圾成堆")
    assert found.best is not None and found.best.code == SUNKOU_VILLAGE
    assert [c.code for c in found.candidates][:2] == [SUNKOU_VILLAGE, SUNKOU]
    assert len(gazetteer()) == 1 + 9 + 377 + 2  # county, townships, villages, province and city


def test_it_sees_new_landmarks_and_divisions_at_once(county: dict[str, Division]) -> None:
    assert match_place("铭功路路灯不亮").candidates == ()
    landmark = Landmark.objects.create(name="铭功路", division=county[SUNKOU], kind="road")
    assert match_place("铭功路路灯不亮").best.code == SUNKOU  # type: ignore[union-attr]
    landmark.division = county[HOUMIAO]
    landmark.save()
    assert match_place("铭功路路灯不亮").best.code == HOUMIAO  # type: ignore[union-attr]
    landmark.delete()
    assert match_place("铭功路路灯不亮").candidates == ()
    Division.objects.create(code="410927102299", name="新建村委会", level=5, parent_id=SUNKOU)
    assert match_place("新建村委会").best.code == "410927102299"  # type: ignore[union-attr]


def test_the_gazetteer_is_built_once(
    county: dict[str, Division], django_assert_num_queries, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # Within one refresh period (a test that straddled a 10-minute mark of the clock failed).
    monkeypatch.setattr(places, "_refresh_period", lambda: 7)
    first = gazetteer()
    with django_assert_num_queries(2):  # the two change checks; nothing is rebuilt
        assert gazetteer() is first
    # A new period rebuilds, even when nothing changed.
    monkeypatch.setattr(places, "_refresh_period", lambda: 8)
    assert gazetteer() is not first


def test_guesses_carry_labels_and_the_best(county: dict[str, Division]) -> None:
    guesses = place_guesses("孙口村路灯不亮")
    assert guesses[0].label == "孙口镇 · 孙口村委会" and guesses[0].best
    assert guesses[1].label == "孙口镇" and not guesses[1].best
    assert place_guesses("") == [] and place_guesses("😀" * 10) == []


def test_the_landmark_admin(county: dict[str, Division], client: Client) -> None:
    admin = make_user("root", None, Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    login(client, admin)
    assert client.get("/admin/insight/landmark/add/").status_code == 200
    response = client.post(
        "/admin/insight/landmark/add/",
        {"name": "铭功路", "division": SUNKOU, "kind": "road", "note": "镇区主干道"},
    )
    assert response.status_code == 302
    assert Landmark.objects.get().division_id == SUNKOU
    html = client.get("/admin/insight/landmark/?q=铭功").content.decode()
    assert "铭功路" in html and "孙口镇" in html
    assert match_place("铭功路").best.code == SUNKOU  # type: ignore[union-attr]


@pytest.fixture
def landmark(county: dict[str, Division]) -> Landmark:
    return Landmark.objects.create(name="铭功路", division=county[SUNKOU])


def test_the_desk_preselects_the_place_named_in_the_text(
    people: People, landmark: Landmark, client: Client
) -> None:
    login(client, people.operator)
    html = client.get("/desk/places", {"text": "孙口村委会门口的路灯不亮"}).content.decode()
    assert f'data-code="{SUNKOU_VILLAGE}" data-township="{SUNKOU}"' in html
    assert 'data-best="1"' in html and "孙口镇 · 孙口村委会" in html
    # Posted, as the desk does for long descriptions, with the CSRF token.
    html = client.post("/desk/places", {"text": "铭功路路灯不亮" * 3000}).content.decode()
    assert f'data-code="{SUNKOU}"' in html and 'data-best="1"' in html
    html = client.get("/desk/places", {"text": "孙口这边"}).content.decode()
    assert f'data-code="{SUNKOU}"' in html and "data-best" not in html  # offered, not chosen
    html = client.get("/desk/places", {"text": "没有地名的一段话"}).content.decode()
    assert "没有识别出乡镇或村" in html


def test_the_type_ahead_is_unchanged(
    people: People, county: dict[str, Division], client: Client
) -> None:
    login(client, people.operator)
    html = client.get("/desk/places", {"q": "sk", "text": "侯庙镇"}).content.decode()
    assert 'data-code="410927102000"' in html and "data-best" not in html
    assert "没有匹配" in client.get("/desk/places?q=zzzz").content.decode()


def test_handlers_cannot_use_the_desk_helpers(
    people: People, county: dict[str, Division], client: Client
) -> None:
    login(client, people.alice)
    assert client.get("/desk/places", {"text": "孙口镇"}).status_code == 403
    assert client.get("/desk/similar", {"text": "孙口镇路灯"}).status_code == 403
