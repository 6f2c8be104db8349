"""Permission-aware reads of incidents: who may read (rules.can_read), the list, one incident
with what its page shows, candidate tickets of the same area and problem, delivery counts."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from minsheng.incidents import rules
from minsheng.incidents.models import (
    Broadcast,
    Incident,
    IncidentStatus,
    IncidentTicket,
    LogEntry,
    Mobilisation,
    ResourceKind,
    Team,
)
from minsheng.notify.models import Outbox, OutboxStatus
from minsheng.org.models import User
from minsheng.org.population import significant_prefix
from minsheng.tickets.models import OPEN_STATUSES, Ticket

CANDIDATES_MAX = 50


def incidents_for(user: User) -> QuerySet[Incident]:
    if not rules.can_read(user):
        return Incident.objects.none()
    return Incident.objects.select_related("raised_by").annotate(
        n_tickets=Count("links", distinct=True)
    )


def open_first(user: User) -> list[Incident]:
    rows = list(incidents_for(user).order_by("-started_at", "-id")[:200])
    return sorted(rows, key=lambda i: i.status != IncidentStatus.OPEN)


def incident_for(user: User, pk: int) -> Incident | None:
    """One incident for its page: the readers', and the leader's of a team mobilised to it
    (the in-app notice leads there to acknowledge); None (404) for anyone else."""
    if not rules.can_read(user) and not leads_a_team_of(user, pk):
        return None
    return (
        Incident.objects.select_related("raised_by", "closed_by")
        .prefetch_related(
            "divisions",
            Prefetch("log", queryset=LogEntry.objects.select_related("by").order_by("at", "id")),
            Prefetch(
                "mobilisations",
                queryset=Mobilisation.objects.select_related("acked_by").order_by("id"),
            ),
            Prefetch(
                "links",
                queryset=IncidentTicket.objects.select_related(
                    "ticket", "ticket__lead_unit"
                ).order_by("id"),
            ),
            Prefetch("broadcasts", queryset=Broadcast.objects.order_by("id")),
        )
        .filter(pk=pk)
        .first()
    )


def leads_a_team_of(user: User, incident_id: int) -> bool:
    return (
        user.is_active
        and Mobilisation.objects.filter(
            incident_id=incident_id,
            kind=ResourceKind.TEAM,
            resource_id__in=Team.objects.filter(leader=user).values("pk"),
        ).exists()
    )


def open_incident_of(ticket: Ticket) -> Incident | None:
    link = (
        IncidentTicket.objects.filter(ticket=ticket, is_open=True)
        .select_related("incident")
        .first()
    )
    return link.incident if link else None


def candidate_tickets(ticket: Ticket, *, codes: list[str] | None = None) -> list[Ticket]:
    """Open tickets of the same problem (category) and area (the ticket's township) that no
    open incident holds yet: the ones a dispatcher links or merges."""
    busy = IncidentTicket.objects.filter(is_open=True).values("ticket_id")
    rows = (
        Ticket.objects.filter(status__in=OPEN_STATUSES).exclude(pk=ticket.pk).exclude(pk__in=busy)
    )
    if ticket.category_id is not None:
        rows = rows.filter(category_id=ticket.category_id)
    area = codes or ([ticket.division_id] if ticket.division_id else [])
    if not area:
        return []
    prefixes = {significant_prefix(c)[:9] for c in area}
    where = Q()
    for prefix in prefixes:
        where |= Q(division__code__startswith=prefix)
    return list(rows.filter(where).order_by("-created_at")[:CANDIDATES_MAX])


def delivery_counts(broadcast: Broadcast) -> dict[str, int]:
    """queued / sent / failed, read from the broadcast's outbox rows."""
    rows = (
        Outbox.objects.filter(key__startswith=broadcast.key_prefix)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    by_status = dict(rows)
    return {
        "queued": sum(by_status.get(s, 0) for s in (OutboxStatus.PENDING, OutboxStatus.SENDING)),
        "sent": by_status.get(OutboxStatus.SENT, 0),
        "failed": by_status.get(OutboxStatus.FAILED, 0) + by_status.get(OutboxStatus.DEAD, 0),
    }
