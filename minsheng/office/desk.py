"""话务台: the operator types the call into one form; helpers beside it answer as they type.

`/desk/new` takes the call (→ ticket_intake). The fragments `/desk/places`, `/desk/similar`,
`/desk/triage` (智能分类建议), `/desk/unit` and `/desk/caller` (the caller's earlier tickets, as
soon as the number is typed) fill the side panels (desk.js fetches them; without JS the selects
still work).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from pypinyin import Style, lazy_pinyin

from minsheng.insight import triage
from minsheng.insight.index import reference_answers, similar_open_tickets
from minsheng.insight.places import place_guesses
from minsheng.office.common import (
    catalogue_decision,
    county_code,
    knowledge_search_url,
    suggested_unit,
)
from minsheng.org.access import current_user
from minsheng.org.models import Division, User
from minsheng.textproc.pii import normalize_phone
from minsheng.tickets import actions, rules, selectors
from minsheng.tickets.errors import TicketActionError
from minsheng.tickets.forms import IntakeForm, PlaceChoices
from minsheng.tickets.models import OPEN_STATUSES, Category, KnowledgeArticle, Ticket

SIMILAR_DAYS = 7
PLACE_LIMIT = 12
# The desk form's field of its one-time token (actions.ticket_intake_once).
ONE_TIME_FIELD = "form_token"


def place_choices() -> PlaceChoices:
    county = county_code()
    townships = list(Division.objects.filter(parent_id=county).order_by("code"))
    villages = list(
        Division.objects.filter(level=Division.Level.VILLAGE, code__startswith=county[:6]).order_by(
            "code"
        )
    )
    return PlaceChoices(townships, villages)


EARLIER_LIMIT = 20


class DeskForm(IntakeForm):
    """The desk's form: the call, and for a consultation answered on the spot the answer (the
    knowledge base's "插入答复" fills it) with the article it came from."""

    answer = forms.CharField(
        label=gettext_lazy("答复内容（咨询直接答复）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    article = forms.ModelChoiceField(
        queryset=KnowledgeArticle.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("知识库条目无效，请重新插入答复。")},
    )


# The submit button that answers and closes the call (直接答复并办结) instead of taking it in.
ANSWER_BUTTON = "direct_answer"


def _earlier_tickets(user: User, phone: str) -> list[Ticket]:
    """The number's tickets, newest first (the phone index), with their titles as `user` may
    read them: one query."""
    if not phone:
        return []
    tickets = list(
        selectors.tickets_visible_to(user)
        .filter(citizen_phone=phone)
        .order_by("-created_at")[:EARLIER_LIMIT]
    )
    return selectors.with_titles(user, tickets)


@login_required
def desk_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *rules.INTAKE_ROLES)
    places = place_choices()
    caller = normalize_phone(request.GET.get("caller", "")) or ""
    if request.method == "POST":
        form = DeskForm(request.POST, places=places)
        if form.is_valid():
            answering = ANSWER_BUTTON in request.POST
            taken = _intake(user, form, request.POST.get(ONE_TIME_FIELD, ""), answering)
            if taken is not None:
                if taken.repeated:
                    messages.info(
                        request,
                        _("该表单已受理过，工单号 %(number)s，未重复建单。")
                        % {"number": taken.ticket.number},
                    )
                elif answering:
                    messages.success(
                        request,
                        _("已直接答复并办结，工单号 %(number)s。")
                        % {"number": taken.ticket.number},
                    )
                else:
                    messages.success(
                        request, _("已受理，工单号 %(number)s。") % {"number": taken.ticket.number}
                    )
                return redirect("tickets:detail", number=taken.ticket.number)
        caller = normalize_phone(form.data.get("citizen_phone", "")) or ""
        status = 400
    else:
        form = DeskForm(initial={"citizen_phone": caller}, places=places)
        status = 200
    cleaned = getattr(form, "cleaned_data", {})
    category = cleaned.get("category")
    division = _division(cleaned.get("village") or cleaned.get("township") or "")
    context = {
        "form": form,
        # Every form shown gets a token of its own (a refused one too: it made nothing, and its
        # resend is refused again or repeats the corrected form's answer).
        "form_token": uuid.uuid4(),
        "caller": caller,
        "earlier": _earlier_tickets(user, caller),
        "kb_url": knowledge_search_url(),
        "suggested_unit": suggested_unit(category, division),
        # A re-shown form (refused intake) carries its text: suggest without waiting for JS.
        **_triage_context(
            str(form.data.get("description", ""))[:DESK_TEXT_MAX].strip(),
            str(form.data.get("title", ""))[:200].strip(),
            division,
        ),
    }
    return render(request, "tickets/desk.html", context, status=status)


def _division(code: str) -> Division | None:
    return Division.objects.filter(code=code).first() if code else None


def _form_token(raw: str) -> uuid.UUID | None:
    """The form's one-time token; None from a page without one. Raises ValueError if mangled."""
    return uuid.UUID(raw.strip()[:64]) if raw.strip() else None


def _intake(user: User, form: DeskForm, raw_token: str, answering: bool) -> actions.Intake | None:
    """Call the service (once per form token): take the call in, or with `answering` take it in
    answered and closed; put a refusal on the field it names. None when refused."""
    try:
        token = _form_token(raw_token)
    except ValueError:
        form.add_error(None, _("表单已失效，请核对后重新提交。"))
        return None
    data = form.cleaned_data
    answer: str | None = data["answer"] if answering else None
    if answer is None and data["answer"].strip():
        # An answer typed, then 受理 pressed (or Enter): do not drop the answer silently.
        form.add_error(
            "answer",
            _("已填写答复内容：咨询请点击“直接答复并办结”；如需派单，请清空答复后再受理。"),
        )
        return None
    fields = {
        "channel": data["channel"],
        "kind": data["kind"],
        "title": data["title"],
        "description": data["description"],
        "citizen_name": data["citizen_name"],
        "citizen_phone": data["citizen_phone"],
        "citizen_id_number": data["citizen_id_number"],
        "anonymous": data["anonymous"],
        "confidential": data["confidential"],
        "category": data["category"],
        "urgency": data["urgency"],
        "division": _division(form.division_code),
        "address": data["address"],
        "address_public": data["address_public"],
        "affected_population": data["affected_population"],
    }
    article = data["article"]
    try:
        if token is not None:
            return actions.ticket_intake_once(
                actor=user, form_token=token, answer=answer, article=article, **fields
            )
        if answer is not None:
            ticket = actions.ticket_intake_answered(
                actor=user, answer=answer, article=article, **fields
            )
        else:
            ticket = actions.ticket_intake(actor=user, **fields)
        return actions.Intake(ticket, repeated=False)
    except TicketActionError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


@login_required
@require_POST
def desk_caller(request: HttpRequest) -> HttpResponse:
    """来电记录 while the operator types: the earlier tickets of the number in `phone`.

    Posted, never in the query string, so that the number stays out of access logs. A number
    not complete yet (or not a phone) answers the panel's hint."""
    user = current_user(request, *rules.INTAKE_ROLES)
    caller = normalize_phone(request.POST.get("phone", "")[:30]) or ""
    context = {"caller": caller, "earlier": _earlier_tickets(user, caller)}
    return render(request, "tickets/_caller.html", context)


# --- Place type-ahead --------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    label: str  # "孙口镇 · 前王集村"
    township_code: str
    initials: str  # "skz"
    spelled: str  # "sunkouzhen"


def _places() -> list[Place]:
    """The county's townships and villages with their pinyin, cached in memory.

    A county has a few hundred divisions; pinyin costs milliseconds per name, so compute once.
    The row count is part of the key so an import of new divisions is seen at once.
    """
    county = county_code()
    rows = Division.objects.filter(code__startswith=county[:6], level__gte=Division.Level.TOWNSHIP)
    key = f"tickets:places:{county}:{rows.count()}"
    cached: list[Place] | None = cache.get(key)
    if cached is not None:
        return cached
    divisions = list(rows.order_by("code").values_list("code", "name", "level"))
    township_names = {
        code: name for code, name, level in divisions if level == Division.Level.TOWNSHIP
    }
    places = []
    for code, name, level in divisions:
        township_code = code[:9].ljust(12, "0")
        label = (
            name
            if level == Division.Level.TOWNSHIP
            else f"{township_names.get(township_code, '')} · {name}"
        )
        places.append(
            Place(
                code=code,
                name=name,
                label=label,
                township_code=township_code,
                initials="".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower(),
                spelled="".join(lazy_pinyin(name)).lower(),
            )
        )
    cache.set(key, places, 3600)
    return places


def match_places(query: str, limit: int = PLACE_LIMIT) -> list[Place]:
    """Names containing the query, or whose pinyin initials / spelling start with it."""
    q = query.strip().lower()
    if not q:
        return []
    hits = [
        p for p in _places() if q in p.name or p.initials.startswith(q) or p.spelled.startswith(q)
    ]
    # Townships first (shorter codes sort first within equal relevance), exact starts first.
    hits.sort(
        key=lambda p: (
            not (p.name.startswith(q) or p.initials.startswith(q)),
            p.code[9:] != "000",
            p.code,
        )
    )
    return hits[:limit]


@login_required
def desk_places(request: HttpRequest) -> HttpResponse:
    """Type-ahead on `q`; with `text` (the description, GET or POST) instead: the places the
    text names, best first, the one to pre-select marked `best` (minsheng.insight.places)."""
    current_user(request, *rules.INTAKE_ROLES)
    query = request.GET.get("q", "")[:30]
    text = _posted_text(request, "text")
    if text and not query.strip():
        context = {"places": place_guesses(text), "q": text, "guessed": True}
        return render(request, "tickets/_places.html", context)
    return render(request, "tickets/_places.html", {"places": match_places(query), "q": query})


DESK_TEXT_MAX = 20_000  # the matchers read no further; a longer paste is cut, never refused


def _posted_text(request: HttpRequest, name: str) -> str:
    raw = request.POST.get(name) if request.method == "POST" else None
    return (raw if raw is not None else request.GET.get(name, ""))[:DESK_TEXT_MAX].strip()


@login_required
def desk_similar(request: HttpRequest) -> HttpResponse:
    """Open tickets of the same place (and category) from the last week: merge candidates.

    With `text` (and `title`): also open tickets about the same problem by text similarity
    (last 30 days, scored by text and place) and reference answers of closed cases."""
    user = current_user(request, *rules.INTAKE_ROLES)
    params = request.POST if request.method == "POST" else request.GET  # long texts are posted
    division = _division(params.get("division", "").strip()[:12])
    category = _category(params.get("category", ""))
    tickets: list[Ticket] = []
    if division is not None:
        since = timezone.now() - dt.timedelta(days=SIMILAR_DAYS)
        qs = selectors.tickets_visible_to(user).filter(
            division__code__startswith=division.short_code,
            status__in=OPEN_STATUSES,
            created_at__gte=since,
        )
        if category is not None:
            qs = qs.filter(category=category)
        tickets = list(qs.order_by("-created_at")[:10])
    context: dict[str, object] = {"tickets": tickets, "division": division}
    text = _posted_text(request, "text")
    if text:
        # Same problem by text (any place, scored by place), and how it was answered before.
        title = _posted_text(request, "title")[:200]
        context["text_similar"] = similar_open_tickets(
            text=text, title=title, user=user, division=division
        )
        context["references"] = reference_answers(text=text, title=title, user=user)
        context["with_text"] = True
    return render(request, "tickets/_similar.html", context)


@login_required
def desk_triage(request: HttpRequest) -> HttpResponse:
    """智能分类建议: the classifier's top categories for `text` (and `title`), each a button
    that fills the category field, and the unit they point to in `division`'s township."""
    current_user(request, *rules.INTAKE_ROLES)
    params = request.POST if request.method == "POST" else request.GET  # long texts are posted
    text = _posted_text(request, "text")
    title = _posted_text(request, "title")[:200]
    division = _division(params.get("division", "").strip()[:12])
    return render(request, "tickets/_triage.html", _triage_context(text, title, division))


def _triage_context(text: str, title: str, division: Division | None) -> dict[str, object]:
    if not (text or title):
        return {"triage": None, "ready": triage.classifier() is not None}
    result = triage.suggest(text, title, division)
    return {"triage": result, "ready": result.ready}


@login_required
def desk_unit(request: HttpRequest) -> HttpResponse:
    current_user(request, *rules.INTAKE_ROLES)
    division = _division(request.GET.get("division", "").strip()[:12])
    decision = catalogue_decision(_category(request.GET.get("category", "")), division)
    unit = decision.unit if decision is not None else None
    why = decision.why if decision is not None else ""
    return render(request, "tickets/_unit.html", {"unit": unit, "why": why})


def _category(raw: str) -> Category | None:
    return Category.objects.filter(pk=int(raw)).first() if raw.strip().isdigit() else None
