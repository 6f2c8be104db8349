"""Figures of incidents: by kind, the median time to restore, resources used (from the
summaries that closing wrote, so a closed incident's figures do not move later)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from minsheng.incidents.models import Incident, IncidentStatus, Kind


@dataclass
class KindRow:
    kind: str
    label: str
    total: int = 0
    closed: int = 0
    restore_seconds: list[int] = field(default_factory=list)
    teams: int = 0
    machines: int = 0
    volunteers: int = 0
    people: int = 0

    @property
    def median_hours(self) -> float | None:
        if not self.restore_seconds:
            return None
        return round(statistics.median(self.restore_seconds) / 3600, 1)


def figures(*, since: dt.date | None = None, until: dt.date | None = None) -> list[KindRow]:
    rows = {value: KindRow(value, str(label)) for value, label in Kind.choices}
    incidents = Incident.objects.all()
    if since:
        incidents = incidents.filter(started_at__date__gte=since)
    if until:
        incidents = incidents.filter(started_at__date__lte=until)
    for kind, status, summary in incidents.values_list("kind", "status", "summary"):
        row = rows[kind]
        row.total += 1
        if status != IncidentStatus.CLOSED:
            continue
        row.closed += 1
        seconds = summary.get("duration_seconds")
        if isinstance(seconds, int):
            row.restore_seconds.append(seconds)
        used = summary.get("resources") or {}
        row.teams += int(used.get("team", 0))
        row.machines += int(used.get("machine", 0))
        row.volunteers += int(used.get("volunteer", 0))
        row.people += int(summary.get("population") or 0)
    return [row for row in rows.values() if row.total]


def overall_median_hours(rows: list[KindRow]) -> float | None:
    every = [s for row in rows for s in row.restore_seconds]
    return round(statistics.median(every) / 3600, 1) if every else None
