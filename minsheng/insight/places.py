"""The deployment's gazetteer: its county's divisions and the landmarks administrators added.

Built once per process and rebuilt when the number of divisions or landmarks (or the latest
landmark edit) changes, and every ten minutes (a renamed division changes no count); checking
costs two cheap queries per use, building a few milliseconds for a county (about 400 names,
2,000 surface forms).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max

from minsheng.insight.models import Landmark
from minsheng.org.models import LEVEL_DIGITS, Division
from minsheng.textproc.place import Gazetteer, PlaceCandidate, PlaceMatch
from minsheng.textproc.place import Landmark as PureLandmark

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], Gazetteer]] = {}


def county_code() -> str:
    return str(settings.MINSHENG_COUNTY_CODE)


def _divisions_in_scope(county: str):  # type: ignore[no-untyped-def]
    return Division.objects.filter(code__startswith=county[: LEVEL_DIGITS[3]])


REFRESH_SECONDS = 600
"""A renamed division changes no count: rebuild at least this often anyway."""


def _refresh_period() -> int:
    """Which REFRESH_SECONDS period of the process's clock this is: a new one rebuilds."""
    return int(time.monotonic() // REFRESH_SECONDS)


def _state(county: str) -> tuple[object, ...]:
    divisions = _divisions_in_scope(county).count()
    landmarks = Landmark.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (divisions, landmarks["n"], landmarks["last"], _refresh_period())


def gazetteer() -> Gazetteer:
    """The cached matcher for the configured county (MINSHENG_COUNTY_CODE)."""
    county = county_code()
    state = _state(county)
    cached = _cache.get(county)
    if cached is not None and cached[0] == state:
        return cached[1]
    with _lock:
        rows = list(_divisions_in_scope(county).values_list("code", "name", "level", "parent_id"))
        # The county's ancestors only serve as context ("台前县" is not the village 台前).
        ancestors = list(
            Division.objects.filter(
                code__in=[county[: LEVEL_DIGITS[level]].ljust(12, "0") for level in (1, 2)]
            ).values_list("code", "name", "level", "parent_id")
        )
        landmarks = [
            PureLandmark(name, code, kind)
            for name, code, kind in Landmark.objects.values_list("name", "division_id", "kind")
        ]
        built = Gazetteer([*ancestors, *rows], landmarks)
        _cache[county] = (state, built)
        return built


def match_place(text: str, limit: int = 5) -> PlaceMatch:
    return gazetteer().match(text, limit=limit)


@dataclass(frozen=True)
class PlaceGuess:
    """A candidate ready for a template: what the desk shows and pre-selects."""

    code: str
    name: str
    label: str  # "孙口镇 · 孙口村委会"
    township_code: str
    score: float
    best: bool
    matched: tuple[str, ...]


def place_guesses(text: str, limit: int = 5) -> list[PlaceGuess]:
    """The matcher's candidates with labels; the pre-selected one (if any) is marked `best`."""
    gazetteer_ = gazetteer()
    result = gazetteer_.match(text, limit=limit)
    return [_guess(gazetteer_, c, result.best) for c in result.candidates]


def _guess(
    gazetteer_: Gazetteer, candidate: PlaceCandidate, best: PlaceCandidate | None
) -> PlaceGuess:
    label = candidate.name
    if candidate.is_village:
        township = gazetteer_.divisions.get(candidate.township_code)
        label = f"{township.name} · {candidate.name}" if township else candidate.name
    return PlaceGuess(
        code=candidate.code,
        name=candidate.name,
        label=label,
        township_code=candidate.township_code,
        score=candidate.score,
        best=best is not None and best.code == candidate.code,
        matched=candidate.matched,
    )
