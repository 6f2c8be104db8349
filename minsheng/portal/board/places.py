"""What the board filters by, read from memory (lib.snapshot): the category tree's first level
and the installation's townships. Both tables change rarely; a change is seen at once in the
process that made it (signals in PortalConfig.ready) and within 30 s elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from minsheng.lib.snapshot import Snapshot
from minsheng.org.models import Division
from minsheng.tickets.models import Category

SEPARATOR = "/"


@dataclass(frozen=True)
class Topic:
    id: int
    name: str


@dataclass(frozen=True)
class Township:
    code: str
    name: str


def _load_topics() -> dict[str, Topic]:
    rows = Category.objects.filter(level=1, is_active=True).order_by("id")
    return {
        full_name: Topic(pk, name)
        for pk, name, full_name in rows.values_list("id", "name", "full_name")
    }


def _load_townships() -> dict[str, Township]:
    county = str(settings.MINSHENG_COUNTY_CODE)[:6]
    rows = Division.objects.filter(code__startswith=county, level=Division.Level.TOWNSHIP).order_by(
        "code"
    )
    return {code: Township(code, name) for code, name in rows.values_list("code", "name")}


_topics: Snapshot[dict[str, Topic]] = Snapshot(_load_topics)
_townships: Snapshot[dict[str, Township]] = Snapshot(_load_townships)


def topics() -> list[Topic]:
    """The first level of the category tree, in the tree's order."""
    return list(_topics.get().values())


def topic(pk: int | None) -> Topic | None:
    return next((t for t in _topics.get().values() if t.id == pk), None) if pk else None


def topic_of(category: Category | None) -> Topic | None:
    """The first-level category above `category` (itself at level 1)."""
    if category is None:
        return None
    return _topics.get().get(category.full_name.split(SEPARATOR)[0])


def topic_named(full_name: str) -> Topic | None:
    return _topics.get().get(full_name.split(SEPARATOR)[0])


def townships() -> list[Township]:
    return list(_townships.get().values())


def township(code: str | None) -> Township | None:
    return _townships.get().get(code or "")


def categories_changed(**_kwargs: object) -> None:
    _topics.changed()


def divisions_changed(**_kwargs: object) -> None:
    _townships.changed()
