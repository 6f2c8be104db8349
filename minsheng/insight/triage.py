"""智能派单 in the running installation: the trained classifier, the category rows, the unit.

The model (minsheng.textproc.classify) is loaded once per process from
``settings.MINSHENG_TRIAGE_MODEL`` and loaded again when the file changes (``manage.py triage
train`` or ``retrain`` replace it atomically), so a running server picks up a new model without
a restart. Without a model file every suggestion is simply empty: the desk says so quietly.

A predicted label is a category's full name (``城乡建设`` for the demo model trained on
labelled.csv's first-level categories; leaves such as ``城乡建设/城乡规划/违章建筑`` for a model
retrained with ``--level 3``). The desk's category field takes leaves only, so a label above the
leaves is narrowed to the leaf under it whose own names the text mentions (``违章建筑``,
``小区管理``), else to the one leaf sharing the most two-character pieces of its names with the
text (基站电磁辐射 → ``电磁污染``), else to its ``其他`` leaf. The unit is the dispatch
catalogue's answer (``responsible_unit``) for that category in the ticket's township.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max

from minsheng.org.models import Division, Unit
from minsheng.textproc.classify import (
    MAX_CHARS,
    OTHER,
    TOP_K,
    Classifier,
    Example,
    TriageError,
    category_names_from_paths,
)
from minsheng.textproc.normalize import normalize_text
from minsheng.textproc.similar import words
from minsheng.tickets.catalogue import SEPARATOR, responsible_unit, township_code_for
from minsheng.tickets.models import Category, Status, Ticket
from minsheng.tickets.selectors import word_bigrams

logger = logging.getLogger(__name__)

CATEGORY_REFRESH_SECONDS = 600


def model_path() -> Path:
    return Path(settings.MINSHENG_TRIAGE_MODEL)


# --- The model, once per process -----------------------------------------------------------------

_lock = threading.Lock()
_loaded: dict[str, tuple[tuple[float, int], Classifier | None]] = {}


def _file_state(path: Path) -> tuple[float, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime, stat.st_size)


def classifier() -> Classifier | None:
    """The model of MINSHENG_TRIAGE_MODEL, or None when there is none (or it cannot be read:
    logged once per file version, never raised, so a bad file never breaks the desk)."""
    path = model_path()
    state = _file_state(path)
    if state is None:
        return None
    key = str(path)
    cached = _loaded.get(key)
    if cached is not None and cached[0] == state:
        return cached[1]
    with _lock:
        cached = _loaded.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
        model: Classifier | None
        try:
            model = Classifier.load(path)
        except TriageError as error:
            logger.warning("triage model not loaded: %s", error)
            model = None
        _loaded[key] = (state, model)
        return model


def forget_model() -> None:
    """Drop the loaded model (tests; a replaced file is noticed without this)."""
    with _lock:
        _loaded.clear()


# --- Categories ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    id: int
    full_name: str
    name: str
    is_leaf: bool
    is_active: bool


_categories: dict[str, tuple[tuple[object, ...], dict[str, _Node]]] = {}


def _category_nodes() -> dict[str, _Node]:
    """Every category by full name, cached per process; rebuilt when the tree changes."""
    state = (
        tuple(Category.objects.aggregate(n=Count("id"), last=Max("id")).values()),
        Category.objects.filter(is_active=True).count(),
        int(time.monotonic() // CATEGORY_REFRESH_SECONDS),
    )
    cached = _categories.get("tree")
    if cached is not None and cached[0] == state:
        return cached[1]
    parents = set(Category.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))
    nodes = {
        full_name: _Node(pk, full_name, name, pk not in parents, active)
        for pk, full_name, name, active in Category.objects.values_list(
            "id", "full_name", "name", "is_active"
        )
    }
    _categories["tree"] = (state, nodes)
    return nodes


def _leaf_for(
    node: _Node, nodes: dict[str, _Node], text: str, text_words: set[str]
) -> _Node | None:
    """The active leaf under ``node`` that the text names best; else the one leaf sharing the
    most two-character pieces of its names with the text; else its 其他 leaf; None when it has
    no active leaf."""
    if node.is_leaf:
        return node if node.is_active else None
    prefix = node.full_name + SEPARATOR
    leaves = [
        n for n in nodes.values() if n.is_leaf and n.is_active and n.full_name.startswith(prefix)
    ]
    best: tuple[int, int, str] | None = None
    chosen: _Node | None = None
    for leaf in leaves:
        score = 0
        for depth, name in enumerate(leaf.full_name[len(prefix) :].split(SEPARATOR), start=1):
            if name == OTHER:
                continue
            if name in text:
                score += 4 * depth  # the leaf's own name counts most
            else:
                score += sum(1 for w in words(name) if len(w) >= 2 and w in text_words)
        key = (score, -leaf.full_name.count(OTHER), leaf.full_name)
        if score and (best is None or key[:2] > best[:2]):
            best, chosen = key, leaf
    if chosen is not None:
        return chosen
    chosen = _leaf_by_pairs(leaves, prefix, text)
    if chosen is not None:
        return chosen
    fallbacks = [
        leaf
        for leaf in leaves
        if all(part == OTHER for part in leaf.full_name[len(prefix) :].split(SEPARATOR))
    ]
    return min(fallbacks, key=lambda n: len(n.full_name)) if fallbacks else None


def _leaf_by_pairs(leaves: list[_Node], prefix: str, text: str) -> _Node | None:
    """When no leaf is named by a word: the one leaf sharing the most two-character pieces of
    its names with the text (基站电磁辐射 → 电磁污染); None on a tie (污染 alone names no leaf)."""
    text_pairs = set(word_bigrams(text))
    scored = []
    for leaf in leaves:
        names = [n for n in leaf.full_name[len(prefix) :].split(SEPARATOR) if n != OTHER]
        shared = {pair for name in names for pair in word_bigrams(name)} & text_pairs
        scored.append((len(shared), leaf))
    scored.sort(key=lambda item: -item[0])
    if scored and scored[0][0] and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][1]
    return None


# --- Suggestions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySuggestion:
    label: str  # what the model predicted (a category's full name)
    score: float
    category: Category | None  # the row of that name (None: the tree has no such category)
    leaf: Category | None  # the leaf the desk fills in
    unit: Unit | None


@dataclass(frozen=True)
class Triage:
    ready: bool  # False: no model is trained; the page says so quietly
    categories: list[CategorySuggestion]

    @property
    def unit(self) -> Unit | None:
        """The unit of the best suggestion that has one."""
        return next((s.unit for s in self.categories if s.unit is not None), None)

    @property
    def best(self) -> CategorySuggestion | None:
        return self.categories[0] if self.categories else None


def suggest(text: str, title: str = "", division: Division | None = None, k: int = TOP_K) -> Triage:
    """Top categories with scores, the leaf each fills, and the unit the catalogue names for it
    in the division's township. Queries: the category tree check (2), one fetch of the rows,
    one catalogue lookup per suggestion."""
    return suggest_many([(text, title, division)], k)[0]


def suggest_many(items: Sequence[tuple[str, str, Division | None]], k: int = TOP_K) -> list[Triage]:
    """:func:`suggest` for many texts at once (the dispatch queue): one model call, and one
    catalogue lookup per distinct (category, township)."""
    model = classifier()
    if model is None or not items:
        return [Triage(ready=model is not None, categories=[]) for _ in items]
    predicted = model.suggest_many([(text, title) for text, title, _ in items], k)
    if not any(predicted):
        return [Triage(ready=True, categories=[]) for _ in items]
    nodes = _category_nodes()
    picked: list[list[tuple[str, float, _Node | None, _Node | None]]] = []
    for (text, title, _division), suggestions in zip(items, predicted, strict=True):
        picks = []
        if suggestions:
            clean = normalize_text(f"{title}\n{text}"[:MAX_CHARS])
            text_words = set(words(clean))
            for suggestion in suggestions:
                node = nodes.get(suggestion.label)
                leaf = _leaf_for(node, nodes, clean, text_words) if node is not None else None
                picks.append((suggestion.label, suggestion.score, node, leaf))
        picked.append(picks)
    ids = {n.id for picks in picked for _, _, node, leaf in picks for n in (node, leaf) if n}
    rows = Category.objects.in_bulk(ids)
    units: dict[tuple[int, str | None], Unit | None] = {}
    result = []
    for (_text, _title, division), picks in zip(items, picked, strict=True):
        categories = []
        for label, score, node, leaf in picks:
            category = rows.get(node.id) if node else None
            leaf_row = rows.get(leaf.id) if leaf else None
            target = leaf_row or category
            unit = None
            if target is not None:
                key = (target.pk, township_code_for(division))
                if key not in units:
                    units[key] = responsible_unit(category=target, division=division)
                unit = units[key]
            categories.append(CategorySuggestion(label, score, category, leaf_row, unit))
        result.append(Triage(ready=True, categories=categories))
    return result


def suggest_for_ticket(ticket: Ticket) -> Triage:
    return suggest(ticket.description, ticket.title, ticket.division)


# --- Training data from the database -------------------------------------------------------------


def label_at_level(full_name: str, level: int) -> str:
    """The category's ancestor at ``level`` (1 = root); the name itself when it is higher."""
    return SEPARATOR.join(full_name.split(SEPARATOR)[:level])


def examples_from_tickets(level: int = 1, limit: int | None = None) -> list[Example]:
    """The labels dispatchers stood behind: every ticket that was dispatched (it has a lead
    unit; not merged into another) with a category, newest first, cut to ``level``. Tickets
    answered at intake or transferred to the police never reached a dispatcher."""
    rows: Iterable[tuple[str, str, str]] = (
        Ticket.objects.filter(lead_unit__isnull=False, category__isnull=False)
        .exclude(status=Status.MERGED)
        .order_by("-created_at")
        .values_list("title", "description", "category__full_name")[:limit]
    )
    return [
        Example(text=description, title=title, label=label_at_level(full_name, level))
        for title, description, full_name in rows
        if description.strip()
    ]


def category_names(labels: Iterable[str]) -> dict[str, list[str]]:
    """The labels' descriptions from the installation's category tree: for each label (a
    category's full name), the names of the active leaves below it (`category_names_from_paths`).
    The demo's tree is minsheng/tickets/data/taxonomy.csv; a deployment's own tree describes its
    own categories."""
    paths = [
        n.full_name.split(SEPARATOR)
        for n in _category_nodes().values()
        if n.is_leaf and n.is_active
    ]
    return category_names_from_paths(paths, labels, SEPARATOR)


def train_and_save(
    examples: Sequence[Example], unlabelled: Sequence[str], *, sources: Sequence[str], path: Path
) -> Classifier:
    """Train with the category tree's names (an empty tree: without them) and save."""
    names = category_names({e.label for e in examples})
    model = Classifier.train(examples, unlabelled, sources=sources, category_names=names)
    model.save(path)
    forget_model()
    return model
