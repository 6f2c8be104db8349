"""Reads of the notify app. A user only ever sees their own messages."""

from __future__ import annotations

from django.db.models import QuerySet

from minsheng.notify.models import Message
from minsheng.org.models import User


def unread_count(user: User) -> int:
    """One COUNT over the (user, read_at) index; the header badge calls this on every page."""
    return Message.objects.filter(user=user, read_at__isnull=True).count()


def inbox_for(user: User) -> QuerySet[Message]:
    """The user's messages, newest first (no joins: a message carries its own text)."""
    return Message.objects.filter(user=user).order_by("-created_at", "-id")
