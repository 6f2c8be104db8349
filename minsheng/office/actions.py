"""The ticket page's side of the actions: the timeline's labels and each action's form.

Which actions the page offers is the rulebook's answer (minsheng/tickets/rules.py), and what an
action's form does is the one action table's (minsheng/tickets/action_table.py); this module
only pairs each action with the form that collects its input.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from minsheng.tickets import forms
from minsheng.tickets.action_table import BY_NAME, TicketAction

# Timeline event codes → Chinese labels (the service writes the code, the page shows the label).
EVENT_LABELS: dict[str, Any] = {
    "intake": _("受理"),
    "dispatch": _("派单"),
    "sign": _("签收"),
    "return": _("退单"),
    "return_accept": _("同意退单并改派"),
    "return_refuse": _("驳回退单"),
    "reassign": _("改派"),
    "add_assisting": _("增加协办"),
    "decompose": _("分解下派"),
    "contact": _("联系诉求人"),
    "progress": _("办理进展"),
    "extension_request": _("申请延期"),
    "extension_approve": _("同意延期"),
    "extension_refuse": _("驳回延期"),
    "reply": _("答复"),
    "callback": _("回访"),
    "reopen": _("重办"),
    "close": _("办结"),
    "merge": _("并单"),
    "merge_in": _("并入"),
    "follow_master": _("随主单办结"),
    "direct_answer": _("直接答复"),
    "emergency_transfer": _("转警情"),
    "legal_channel": _("告知法定途径"),
    "supervise": _("督办"),
    "praise": _("表扬"),
}


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


# Each action the page offers, with the form that collects its input (field names are the
# service's keywords, as in the action table).
FORMS: dict[str, type[forms.ActionForm]] = {
    "direct_answer": forms.DirectAnswerForm,
    "emergency_transfer": forms.EmergencyTransferForm,
    "legal_channel": forms.LegalChannelForm,
    "dispatch": forms.DispatchForm,
    "sign": forms.EmptyActionForm,
    "return": forms.ReturnForm,
    "return_accept": forms.ReturnAcceptForm,
    "return_refuse": forms.RequiredNoteForm,
    "reassign": forms.ReassignForm,
    "add_assisting": forms.AddAssistingForm,
    "decompose": forms.DecomposeForm,
    "contact": forms.ContactForm,
    "progress": forms.ProgressForm,
    "extension_request": forms.ExtensionRequestForm,
    "extension_approve": forms.NoteForm,
    "extension_refuse": forms.RequiredNoteForm,
    "reply": forms.ReplyForm,
    "callback": forms.CallbackForm,
    "reopen": forms.RequiredNoteForm,
    "close": forms.RequiredNoteForm,
    "merge": forms.MergeForm,
    "supervise": forms.SuperviseForm,
    "praise": forms.PraiseForm,
}

# The page's actions, looked up by the form's name.
ACTIONS: dict[str, TicketAction] = {name: BY_NAME[name] for name in FORMS}
