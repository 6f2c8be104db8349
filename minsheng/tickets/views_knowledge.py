"""知识库 screens: search and list, read, create, edit; and the search fragment for the
operator desk: `search/?q=…` answers an HTML `<ul>` of the top answers (for htmx, e.g.
`<input name="q" hx-get="/kb/search/" hx-trigger="input changed delay:300ms" hx-target="#kb">`,
or plain fetch), or JSON with `&format=json` / `Accept: application/json`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.org.models import User
from minsheng.tickets import knowledge
from minsheng.tickets.errors import TicketActionError
from minsheng.tickets.models import Category, KnowledgeArticle

LIST_LIMIT = 50
FRAGMENT_LIMIT = 5
QUERY_MAX = 100

View = Callable[..., HttpResponse]

STATUS_LABELS = {
    "valid": gettext_lazy("有效"),
    "expired": gettext_lazy("已失效"),
    "pending": gettext_lazy("未生效"),
}


class CategoryChoiceField(forms.ModelChoiceField[Category]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("关键词"), max_length=QUERY_MAX, required=False)
    category = CategoryChoiceField(
        label=gettext_lazy("分类"),
        # The two upper levels are enough to narrow a search; a filter includes the subtree.
        queryset=Category.objects.filter(level__lte=2, is_active=True).order_by("full_name"),
        required=False,
        empty_label=gettext_lazy("全部分类"),
    )
    expired = forms.BooleanField(label=gettext_lazy("包括已失效和未生效的条目"), required=False)


def _text_errors(label: str | Promise) -> dict[str, Any]:
    # Django's own wording ("确保该变量包含不超过 200 字符") reads like a programmer's; say it
    # the way the services do.
    return {
        "required": format_lazy(gettext_lazy("请填写{label}。"), label=label),
        "max_length": format_lazy(
            gettext_lazy("{label}不能超过 %(limit_value)d 个字（现为 %(show_value)d 个字）。"),
            label=label,
        ),
    }


class ArticleForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("标题"),
        max_length=knowledge.TITLE_MAX,
        error_messages=_text_errors(gettext_lazy("标题")),
    )
    category = CategoryChoiceField(
        label=gettext_lazy("分类"),
        queryset=Category.objects.filter(is_active=True).order_by("full_name"),
        required=False,
        empty_label=gettext_lazy("（不分类）"),
    )
    body = forms.CharField(
        label=gettext_lazy("正文"),
        max_length=knowledge.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages=_text_errors(gettext_lazy("正文")),
    )
    source = forms.CharField(
        label=gettext_lazy("来源"),
        max_length=knowledge.SOURCE_MAX,
        required=False,
        help_text=gettext_lazy("文件名、文号或提供单位，便于核对。"),
        error_messages=_text_errors(gettext_lazy("来源")),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("生效日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("请输入有效的日期，格式如 2026-01-31。")},
    )
    valid_to = forms.DateField(
        label=gettext_lazy("失效日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("请输入有效的日期，格式如 2026-01-31。")},
    )
    # The edit page posts back the version it showed; see knowledge.article_update.
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, article: KnowledgeArticle | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if article is not None and article.category_id is not None:
            # An article filed under a category that was switched off keeps it when edited.
            field = cast(CategoryChoiceField, self.fields["category"])
            field.queryset = Category.objects.filter(
                Q(is_active=True) | Q(pk=article.category_id)
            ).order_by("full_name")

    def clean_updated_at(self) -> dt.datetime | None:
        raw = self.cleaned_data.get("updated_at") or ""
        if not raw:
            return None
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError(_("页面已过期，请刷新后再编辑。")) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("失效日期不能早于生效日期。"))
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            f: data.get(f)
            for f in ("title", "body", "category", "source", "valid_from", "valid_to")
        }


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "knowledge/forbidden.html", {"message": message}, status=403)


def readers_only(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not knowledge.can_read_knowledge(_user(request)):
            return _forbidden(request, _("您的账号尚未分配角色，暂不能查看知识库。"))
        return view(request, *args, **kwargs)

    return wrapper


def editors_only(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not knowledge.can_edit_knowledge(_user(request)):
            return _forbidden(request, _("只有话务员、派单员、督办员和系统管理员可以编辑知识库。"))
        return view(request, *args, **kwargs)

    return wrapper


def _article(pk: int) -> KnowledgeArticle:
    return get_object_or_404(
        KnowledgeArticle.objects.select_related("category", "updated_by"), pk=pk
    )


@readers_only
def article_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    articles: list[KnowledgeArticle] = []
    # A bad filter shows its error and lists nothing, rather than silently everything.
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        articles = knowledge.search_articles(
            data.get("q") or "",
            category=data.get("category"),
            include_expired=bool(data.get("expired")),
            limit=LIST_LIMIT,
        )
    rows = [
        {
            "article": a,
            "status": (status := knowledge.article_status(a)),
            "label": STATUS_LABELS[status],
        }
        for a in articles
    ]
    context = {
        "form": form,
        "rows": rows,
        "limit": LIST_LIMIT,
        "can_edit": knowledge.can_edit_knowledge(_user(request)),
    }
    return render(request, "knowledge/list.html", context)


@readers_only
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(pk)
    status = knowledge.article_status(article)
    context = {
        "article": article,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "can_edit": knowledge.can_edit_knowledge(_user(request)),
    }
    return render(request, "knowledge/detail.html", context)


def _save(
    request: HttpRequest, form: ArticleForm, article: KnowledgeArticle | None
) -> HttpResponse:
    """Validate, call the service, redirect; or render the form again with its errors."""
    if form.is_valid():
        try:
            if article is None:
                article = knowledge.article_create(actor=_user(request), **form.service_fields())
            else:
                article = knowledge.article_update(
                    article=article,
                    actor=_user(request),
                    expected_updated_at=form.cleaned_data.get("updated_at"),
                    **form.service_fields(),
                )
        except TicketActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("知识条目“%(title)s”已保存。") % {"title": article.title})
            return redirect("knowledge:detail", pk=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "article": article})


@editors_only
def article_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, ArticleForm(request.POST), None)
    return render(request, "knowledge/form.html", {"form": ArticleForm(), "article": None})


@editors_only
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(pk)
    if request.method == "POST":
        return _save(request, ArticleForm(request.POST, article=article), article)
    initial = {
        "title": article.title,
        "category": article.category,
        "body": article.body,
        "source": article.source,
        "valid_from": article.valid_from,
        "valid_to": article.valid_to,
        "updated_at": article.updated_at.isoformat(),
    }
    return render(
        request, "knowledge/form.html", {"form": ArticleForm(initial=initial), "article": article}
    )


def _excerpt(text: str, length: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else f"{flat[:length]}…"


@readers_only
def search_fragment(request: HttpRequest) -> HttpResponse:
    """Top answers for the operator desk while the caller talks: `?q=` (and `&format=json`)."""
    query = (request.GET.get("q") or "")[:QUERY_MAX]
    if request.headers.get("Sec-Fetch-Mode") == "navigate":
        # A plain form submitted without JavaScript opens this URL as a page: show the full
        # search page rather than a bare fragment.
        return redirect(f"{reverse('knowledge:list')}?{urlencode({'q': query})}")
    results = knowledge.search_articles(query, limit=FRAGMENT_LIMIT) if query.strip() else []
    wants_json = request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse(
            {
                "query": query,
                "results": [
                    {
                        "id": a.pk,
                        "title": a.title,
                        "url": reverse("knowledge:detail", args=[a.pk]),
                        "category": a.category.full_name if a.category else None,
                        "source": a.source,
                        "excerpt": _excerpt(a.body),
                        "valid_to": a.valid_to.isoformat() if a.valid_to else None,
                    }
                    for a in results
                ],
            }
        )
    items = [{"article": a, "excerpt": _excerpt(a.body)} for a in results]
    # `insert=1` (the operator desk): each answer offers "插入答复", which puts its text into
    # the desk's answer field for 直接答复并办结 (desk.js).
    context = {"items": items, "query": query, "insert": request.GET.get("insert") == "1"}
    return render(request, "knowledge/_results.html", context)
