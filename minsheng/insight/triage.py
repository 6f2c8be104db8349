"""智能派单 in the running installation: what the call is about, and which unit should take it.

Two sources of evidence name a category:

- the **lexicon** of the installation's category tree (minsheng.textproc.lexicon): the leaves'
  names and the synonyms the hotline centre wrote down for them ("没水", "断水", "水管爆" →
  ``市政公用/供水/停水``). It needs no training and knows a county's calls from the first day;
- the **trained classifier** (minsheng.textproc.classify), loaded once per process from
  ``settings.MINSHENG_TRIAGE_MODEL`` and again when the file changes. It is trained from the
  labels the installation has: labelled messages, and the dispatched tickets (``triage retrain
  --level 3``: the dispatchers' own choices and corrections). A model with a label that is not a
  node of the tree was trained on another tree (the message board's, say) and is not used:
  its 城乡建设 is not this tree's 城乡建设.

A leaf's score mixes the two: the lexicon's share by how strong its evidence is, the model's
the rest (:data:`MODEL_SHARE` at most). A label above the leaves is narrowed to a leaf under it
(the lexicon's best there, else the leaf whose names the text mentions, else its ``其他``).

Then the **unit**: the dispatch catalogue's decision for each suggested leaf in the place of the
call (the division given, else the place the text names, by the gazetteer), scores summed per
unit, each with the reason in words. Below ``settings.MINSHENG_TRIAGE_PRESELECT`` the best unit
is shown but not pre-selected: the dispatcher chooses.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from minsheng.insight.index import term_weights
from minsheng.insight.places import gazetteer
from minsheng.org.models import Division, Unit
from minsheng.textproc.classify import (
    MAX_CHARS,
    OTHER,
    TOP_K,
    Classifier,
    Example,
    Suggestion,
    TriageError,
    category_names_from_paths,
)
from minsheng.textproc.lexicon import (
    PATTERN_MARK,
    SETTING_MARK,
    LeafMatch,
    LeafTerms,
    Lexicon,
    strength,
)
from minsheng.textproc.normalize import normalize_text
from minsheng.textproc.similar import words
from minsheng.tickets.catalogue import (
    SEPARATOR,
    SYNONYM_SEPARATOR,
    Decision,
    dispatch_decision,
    township_code_for,
)
from minsheng.tickets.models import Category, Status, Ticket
from minsheng.tickets.selectors import word_bigrams

logger = logging.getLogger(__name__)

CATEGORY_REFRESH_SECONDS = 600
MODEL_SHARE = 0.5
"""The trained model's share of a leaf's score when the lexicon has no evidence; the lexicon
takes `strength(evidence)` of it as its evidence grows (docs/routing.md)."""
SPECIFIC = 1.0
"""A term counts fully when its IDF reaches this share of the largest (a term seen nowhere)."""
CANDIDATES = 6
"""Leaves considered for the unit: a unit named by several weak leaves can beat one strong."""


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
    synonyms: str = ""


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
        full_name: _Node(pk, full_name, name, pk not in parents, active, synonyms)
        for pk, full_name, name, active, synonyms in Category.objects.values_list(
            "id", "full_name", "name", "is_active", "synonyms"
        )
    }
    _categories["tree"] = (state, nodes)
    _lexicons.pop("tree", None)
    return nodes


_lexicons: dict[str, tuple[int, Lexicon]] = {}


def _lexicon(nodes: dict[str, _Node]) -> Lexicon:
    """The lexicon of the tree's active leaves, rebuilt with the tree (a few ms for 2,000 terms)."""
    cached = _lexicons.get("tree")
    if cached is not None and cached[0] == id(nodes):
        return cached[1]
    leaves = []
    for node in nodes.values():
        if not (node.is_leaf and node.is_active):
            continue
        names = node.full_name.split(SEPARATOR)
        own = tuple(n for n in (names[-1], names[-2] if len(names) > 1 else "") if n)
        synonyms = tuple(t for t in node.synonyms.split(SYNONYM_SEPARATOR) if t.strip())
        leaves.append(LeafTerms(node.full_name, own, synonyms))
    weights = term_weights()
    top = math.log(weights.n_docs + 1) + 1.0

    def specificity(term: str) -> float:
        # A word found in many citizen messages (小区, 学校) names a matter less surely than
        # one found in few (油烟, 县道): between 0.5 and 1 by its IDF in 7,142 real messages.
        return 0.5 + 0.5 * min(weights.idf(term) / (SPECIFIC * top), 1.0)

    lexicon = Lexicon(leaves, specificity)
    _lexicons["tree"] = (id(nodes), lexicon)
    return lexicon


def _leaf_for(
    node: _Node,
    nodes: dict[str, _Node],
    text: str,
    text_words: set[str],
    found: Sequence[LeafMatch] = (),
) -> _Node | None:
    """The active leaf under ``node`` with the lexicon's best evidence; else the one the text
    names best; else the one leaf sharing the most two-character pieces of its names with the
    text; else its 其他 leaf; None when it has no active leaf."""
    if node.is_leaf:
        return node if node.is_active else None
    prefix = node.full_name + SEPARATOR
    for match in found:  # best first
        if match.label.startswith(prefix) and match.label in nodes:
            return nodes[match.label]
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
    label: str  # the suggested category's full name (a leaf, or a model's label above them)
    score: float
    category: Category | None  # the row of that name (None: the tree has no such category)
    leaf: Category | None  # the leaf the desk fills in
    unit: Unit | None
    terms: tuple[str, ...] = ()  # what the caller said that names it
    why: str = ""  # the catalogue's reason for `unit`


@dataclass(frozen=True)
class UnitSuggestion:
    unit: Unit
    score: float
    why: str  # in words: the category, what named it, the catalogue's rule
    leaf: Category | None


@dataclass(frozen=True)
class Triage:
    ready: bool  # False: no tree with synonyms and no model: the page says so quietly
    categories: list[CategorySuggestion]
    units: list[UnitSuggestion] = field(default_factory=list)
    division: Division | None = None  # the place the units were decided for
    place_guessed: bool = False  # that place was read from the text

    @property
    def best_unit(self) -> UnitSuggestion | None:
        return self.units[0] if self.units else None

    @property
    def confident(self) -> bool:
        """Whether the best unit is sure enough to be pre-selected for the dispatcher."""
        best = self.best_unit
        return best is not None and best.score >= preselect_threshold()

    @property
    def unit(self) -> Unit | None:
        """The unit to pre-select: the best one, when it is sure enough; else None."""
        best = self.best_unit
        return best.unit if best is not None and self.confident else None

    @property
    def best(self) -> CategorySuggestion | None:
        return self.categories[0] if self.categories else None


def preselect_threshold() -> float:
    return float(getattr(settings, "MINSHENG_TRIAGE_PRESELECT", 0.3))


def suggest(text: str, title: str = "", division: Division | None = None, k: int = TOP_K) -> Triage:
    """Top categories with scores, the leaf each fills, and the units the catalogue names for
    them in the division's township (or the place the text names)."""
    return suggest_many([(text, title, division)], k)[0]


_Pick = tuple[str, float, "_Node | None", "_Node | None", tuple[str, ...]]


def _picks(
    clean: str,
    nodes: dict[str, _Node],
    found: list[LeafMatch],
    predicted: Sequence[Suggestion],
) -> list[_Pick]:
    """(label, score, node, leaf, terms) of the text's candidate categories, best first."""
    lexical = {m.label: m for m in found if m.label in nodes}
    evidence = strength(found[0].score) if found else 0.0
    total = sum(m.score for m in lexical.values()) or 1.0
    known = [p for p in predicted if p.label in nodes or not nodes]  # no tree: labels alone
    model_share = MODEL_SHARE * (1 - evidence) if known else 0.0
    lexicon_share = (1 - model_share) * evidence if known else evidence
    scores: dict[str, float] = {}
    labels: dict[str, str] = {}
    text_words = set(words(clean))
    for label, match in lexical.items():
        scores[label] = lexicon_share * match.score / total
        labels[label] = label
    for prediction in known:
        node = nodes.get(prediction.label)
        leaf = _leaf_for(node, nodes, clean, text_words, found) if node is not None else None
        key = leaf.full_name if leaf is not None else prediction.label
        scores[key] = scores.get(key, 0.0) + model_share * prediction.score
        labels.setdefault(key, prediction.label)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    picks: list[_Pick] = []
    for key, score in ranked:
        chosen = nodes.get(key)
        terms = lexical[key].terms if key in lexical else ()
        picks.append(
            (
                labels[key],
                round(score, 4),
                nodes.get(labels[key]),
                chosen if chosen is not None and chosen.is_leaf else None,
                terms,
            )
        )
    return picks


def _places(texts: Sequence[str]) -> list[Division | None]:
    """The division each text names clearly (the desk's place guess), else None: one gazetteer
    check and one query for the lot."""
    if not texts:
        return []
    names = gazetteer()
    codes = []
    for text in texts:
        best = names.match(text, limit=3).best
        codes.append(best.code if best is not None else None)
    found = Division.objects.in_bulk([c for c in codes if c], field_name="code")
    return [found.get(c) if c else None for c in codes]


def suggest_many(items: Sequence[tuple[str, str, Division | None]], k: int = TOP_K) -> list[Triage]:
    """:func:`suggest` for many texts at once (the dispatch queue): one model call, and one
    catalogue decision per distinct (leaf, township)."""
    if not items:
        return []
    nodes = _category_nodes()
    lexicon = _lexicon(nodes)
    model = classifier()
    if model is not None and nodes and not set(model.labels) <= nodes.keys():
        model = None  # trained on another tree
    ready = model is not None or len(lexicon) > 0
    if not ready:
        return [Triage(ready=False, categories=[]) for _ in items]
    predicted = (
        model.suggest_many([(text, title) for text, title, _ in items], max(k, CANDIDATES))
        if model is not None
        else [[] for _ in items]
    )
    cleaned = [normalize_text(f"{title}\n{text}"[:MAX_CHARS]) for text, title, _ in items]
    picked = [
        _picks(clean, nodes, lexicon.match(clean, limit=CANDIDATES), prediction)[:CANDIDATES]
        for clean, prediction in zip(cleaned, predicted, strict=True)
    ]
    ids = {n.id for picks in picked for _, _, node, leaf, _ in picks for n in (node, leaf) if n}
    rows = Category.objects.in_bulk(ids)
    decisions: dict[tuple[int, str | None], Decision] = {}
    guess = [i for i, (_t, _ti, given) in enumerate(items) if given is None and picked[i]]
    guessed_places = dict(zip(guess, _places([cleaned[i] for i in guess]), strict=True))
    result = []
    for i, ((_text, _title, given), picks) in enumerate(zip(items, picked, strict=True)):
        division = given if given is not None else guessed_places.get(i)
        guessed = given is None and division is not None
        categories: list[CategorySuggestion] = []
        units: dict[str, UnitSuggestion] = {}
        for label, score, node, leaf, terms in picks:
            category = rows.get(node.id) if node else None
            leaf_row = rows.get(leaf.id) if leaf else None
            target = leaf_row or category
            decision = Decision(None, "")
            if target is not None:
                key = (target.pk, township_code_for(division))
                if key not in decisions:
                    decisions[key] = dispatch_decision(category=target, division=division)
                decision = decisions[key]
            categories.append(
                CategorySuggestion(
                    label, score, category, leaf_row, decision.unit, terms, decision.why
                )
            )
            if decision.unit is None or score <= 0:
                continue
            code = decision.unit.code
            if code in units:
                held = units[code]
                units[code] = UnitSuggestion(held.unit, held.score + score, held.why, held.leaf)
            else:
                units[code] = UnitSuggestion(
                    decision.unit, score, _why(target, terms, decision), leaf_row
                )
        ranked_units = sorted(units.values(), key=lambda u: (-u.score, u.unit.code))[:k]
        result.append(
            Triage(
                ready=True,
                categories=categories[:k],
                units=[
                    UnitSuggestion(u.unit, round(u.score, 4), u.why, u.leaf) for u in ranked_units
                ],
                division=division,
                place_guessed=guessed,
            )
        )
    return result


def _why(category: Category | None, terms: tuple[str, ...], decision: Decision) -> str:
    name = category.full_name.replace(SEPARATOR, "›") if category else ""
    said = (
        _("（来电提到“%(terms)s”）") % {"terms": "”“".join(terms[:3])}
        if terms
        else _("（智能分类模型）")
    )
    return _("分类 %(name)s%(said)s；%(why)s") % {"name": name, "said": said, "why": decision.why}


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


TREE_TEXT_CHARS = 400
"""A message's opening says what it is about; the rest of a long forum post is detail."""
TREE_LABEL_STRENGTH = 0.6
"""A message is labelled by the lexicon only where the lexicon alone would file it this surely
(its best leaf's score with no model): a few hundred of 7,000 forum messages, nearly all right."""


def examples_from_tree(texts: Iterable[str] = ()) -> list[Example]:
    """What an installation knows without a single dispatched ticket, as labelled examples for
    the leaf model (`triage retrain --level 3 --from-tree`): each active leaf's names and
    synonyms (a pattern's parts as words, a setting word as itself), and those of `texts` (real
    citizen messages) that the lexicon files surely (:data:`TREE_LABEL_STRENGTH`). The model
    then learns the words that keep company with the tree's words — its second opinion where a
    call names its matter in words the tree lacks. `其他` leaves learn nothing this way."""
    nodes = _category_nodes()
    examples: list[Example] = []
    for node in nodes.values():
        if not (node.is_leaf and node.is_active) or node.full_name.endswith(SEPARATOR + OTHER):
            continue
        for term in [node.name, *node.synonyms.split(SYNONYM_SEPARATOR)]:
            text = term.strip().lstrip(SETTING_MARK).replace(PATTERN_MARK, " ").strip()
            if text:
                examples.append(Example(text=text, label=node.full_name))
    lexicon = _lexicon(nodes)
    for text in texts:
        text = text[:TREE_TEXT_CHARS]
        clean = normalize_text(text)
        found = [m for m in lexicon.match(clean, limit=CANDIDATES) if m.label in nodes]
        if not found or found[0].label.endswith(SEPARATOR + OTHER):
            continue
        share = found[0].score / sum(m.score for m in found)
        if strength(found[0].score) * share >= TREE_LABEL_STRENGTH:
            examples.append(Example(text=text, label=found[0].label))
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.label] = counts.get(example.label, 0) + 1
    return [e for e in examples if counts[e.label] >= 2]  # the classifier needs two a label
