"""The API's side of the ticket actions: each action of the one table (tickets/action_table.py)
with the serializer that validates its body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from minsheng.api import serializers as api_serializers
from minsheng.org.models import User
from minsheng.tickets.action_table import TABLE, TicketAction
from minsheng.tickets.models import Ticket

# Each action's body, by the action table's name (field names are the service's keywords).
SERIALIZERS: dict[str, type[serializers.Serializer[Any]]] = {
    "dispatch": api_serializers.DispatchSerializer,
    "sign": api_serializers.SignSerializer,
    "return": api_serializers.ReturnSerializer,
    "decompose": api_serializers.DecomposeSerializer,
    "contact": api_serializers.ContactSerializer,
    "progress": api_serializers.ProgressSerializer,
    "extension_request": api_serializers.ExtendSerializer,
    "reply": api_serializers.ReplySerializer,
    "callback": api_serializers.CallbackBodySerializer,
    "reopen": api_serializers.NoteSerializer,
    "close": api_serializers.NoteSerializer,
    "merge": api_serializers.MergeSerializer,
    "return_accept": api_serializers.ReturnAcceptSerializer,
    "return_refuse": api_serializers.ReturnRefuseSerializer,
    "extension_approve": api_serializers.OptionalNoteSerializer,
    "extension_refuse": api_serializers.NoteSerializer,
    "reassign": api_serializers.ReassignSerializer,
    "add_assisting": api_serializers.AddAssistingSerializer,
    "supervise": api_serializers.SuperviseSerializer,
    "remind": api_serializers.OptionalNoteSerializer,
    "direct_answer": api_serializers.DirectAnswerSerializer,
    "emergency_transfer": api_serializers.EmergencyTransferSerializer,
    "legal_channel": api_serializers.LegalChannelSerializer,
}


@dataclass(frozen=True)
class Action:
    action: TicketAction
    serializer: type[serializers.Serializer[Any]]

    @property
    def name(self) -> str:  # the URL segment: /api/v1/tickets/{number}/{name}/
        return self.action.url

    @property
    def summary(self) -> str:
        return self.action.summary

    @property
    def who(self) -> str:  # which role may call it, for the docs
        return self.action.who

    def run(self, ticket: Ticket, actor: User, data: dict[str, Any]) -> object:
        return self.action.perform(ticket, actor, data, data.get("expected_version"))


ACTIONS: tuple[Action, ...] = tuple(
    Action(action, SERIALIZERS[action.name]) for action in TABLE if action.in_api
)
BY_NAME = {action.name: action for action in ACTIONS}
