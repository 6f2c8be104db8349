"""What anyone may read of the village boards (the public side, /h5/villages/): the county's
townships and villages, a township's supervision overview (last publication, what is late), a
board's published items, an item with its finance statement, files and questions.

Only published items are public; free text written by clerks and villagers is masked on the
way out (`textproc.pii`: phones, ID and bank card numbers, e-mails, plates), and a question's
phone never leaves its ticket. Each page is a fixed number of queries whatever the board's size
(pinned in tests/villages/test_public_pages.py); a board's list reads one index range
(`villages_item_board_pub`): the last twelve months, or one year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.org.models import Division
from minsheng.textproc.pii import mask_pii
from minsheng.tickets.forms import pinyin_initials
from minsheng.tickets.models import Status, Ticket
from minsheng.tickets.public import public_text
from minsheng.villages.models import (
    Board,
    FinanceLine,
    FinanceStatement,
    Item,
    ItemFile,
    ItemStatus,
    Question,
    Section,
)
from minsheng.villages.periods import period_label

# A board's page shows at most this many items (the last twelve months of a busy village are
# some fifty); a year asked for by its link the same.
BOARD_LIMIT = 200
RECENT_DAYS = 365
QUESTIONS_SHOWN = 100
SECTION_ORDER = [Section.PARTY, Section.AFFAIRS, Section.FINANCE, Section.OTHER]


def file_url(file_id: int) -> str:
    """Where an item's file is served (the staff side's view `/villages/files/<id>/`, which
    serves published items' files to anyone): a plain path, so this side does not depend on
    that view's URL name."""
    return f"/villages/files/{file_id}/"


def village_name(name: str) -> str:
    """孙口村委会 → 孙口村, 城东居委会 → 城东社区: what a villager calls the place."""
    if name.endswith("村委会") and len(name) > 3:
        return name[:-3] + "村"
    if name.endswith("居委会") and len(name) > 3:
        return name[:-3] + "社区"
    return name


def section_labels(codes: str) -> list[str]:
    """ "affairs,finance" (Board.late_sections) → ["村务公开", "财务公开"]."""
    labels = dict(Section.choices)
    return [str(labels[c]) for c in codes.split(",") if c in labels]


# --- The county: townships and their villages ----------------------------------------------------


@dataclass(frozen=True)
class VillageEntry:
    code: str
    name: str  # as villagers say it (孙口村)
    initials: str  # skc
    township_code: str
    township: str


@dataclass(frozen=True)
class TownshipEntry:
    code: str
    name: str
    villages: list[VillageEntry]


_county_cache: dict[str, tuple[int, list[TownshipEntry]]] = {}


def county_code() -> str:
    return str(settings.MINSHENG_COUNTY_CODE)


def townships() -> list[TownshipEntry]:
    """The installation's townships with their villages, in code order; one query (the names'
    pinyin initials are computed once per process, again when the divisions change)."""
    county = county_code()
    rows = list(
        Division.objects.filter(
            code__startswith=county[:6],
            level__in=[Division.Level.TOWNSHIP, Division.Level.VILLAGE],
        )
        .order_by("code")
        .values_list("code", "name", "level")
    )
    key = hash(tuple(rows))
    hit = _county_cache.get(county)
    if hit is not None and hit[0] == key:
        return hit[1]
    found: dict[str, tuple[str, list[VillageEntry]]] = {}
    for code, name, level in rows:
        if level == Division.Level.TOWNSHIP:
            found[code] = (name, [])
            continue
        township = code[:9].ljust(12, "0")
        if township in found:
            short = village_name(name)
            found[township][1].append(
                VillageEntry(code, short, pinyin_initials(short), township, found[township][0])
            )
    result = [TownshipEntry(code, name, villages) for code, (name, villages) in found.items()]
    _county_cache[county] = (key, result)
    return result


def find_villages(query: str, limit: int = 50) -> list[VillageEntry]:
    """Villages whose name contains `query`, or whose pinyin initials do ("skc" → 孙口村)."""
    query = "".join(query.split()).lower()[:20]
    if not query:
        return []
    latin = query.isascii()
    hits = [
        v
        for t in townships()
        for v in t.villages
        if (latin and query in v.initials) or query in v.name or query in v.township
    ]
    return hits[:limit]


@dataclass(frozen=True)
class TownshipSummary:
    code: str
    name: str
    villages: int
    late: int


def county_overview() -> list[TownshipSummary]:
    """Each township with its number of villages and of late boards (one grouped query)."""
    counted = {
        row["township_code"]: row
        for row in Board.objects.filter(township_code__startswith=county_code()[:6])
        .values("township_code")
        .annotate(n=Count("pk"), late=Count("pk", filter=~Q(late_sections="")))
        .order_by()
    }
    return [
        TownshipSummary(
            t.code,
            t.name,
            int(counted.get(t.code, {}).get("n", len(t.villages))),
            int(counted.get(t.code, {}).get("late", 0)),
        )
        for t in townships()
    ]


# --- A township: the supervision overview --------------------------------------------------------


@dataclass(frozen=True)
class VillageRow:
    code: str
    name: str
    last_published_at: dt.datetime | None
    late: list[str]  # section labels
    late_since: dt.date | None


@dataclass(frozen=True)
class TownshipView:
    code: str
    name: str
    rows: list[VillageRow]

    @property
    def late_count(self) -> int:
        return sum(1 for r in self.rows if r.late)


def township_view(code: str) -> TownshipView | None:
    """Every village of the township with its last publication and what is late (the clock's
    facts on `Board`); None for anything that is not a township of this installation."""
    if not (code.isascii() and code.isdigit() and len(code) == 12):
        return None
    if not code.startswith(county_code()[:6]):
        return None
    township = next((t for t in townships() if t.code == code), None)
    if township is None:
        return None
    boards = Board.objects.filter(township_code=code).only(
        "village_id", "last_published_at", "late_sections", "late_since"
    )
    by_code = {b.village_id: b for b in boards}
    rows = []
    for v in township.villages:
        board = by_code.get(v.code)
        rows.append(
            VillageRow(
                code=v.code,
                name=v.name,
                last_published_at=board.last_published_at if board else None,
                late=section_labels(board.late_sections) if board else [],
                late_since=board.late_since if board else None,
            )
        )
    return TownshipView(code=township.code, name=township.name, rows=rows)


# --- A village's board -------------------------------------------------------------------------


@dataclass
class ItemEntry:
    """An item as a board lists it."""

    id: int
    section: str
    title: str
    period: str
    published_at: dt.datetime
    display_from: dt.date | None
    display_until: dt.date | None
    version: int
    correction_note: str
    corrects_id: int | None  # this item corrects that one (更正)
    corrected_by_id: int | None = None  # a newer published version (已更正)
    corrected_at: dt.datetime | None = None


@dataclass
class SectionItems:
    code: str
    label: str
    items: list[ItemEntry] = field(default_factory=list)


@dataclass(frozen=True)
class WallPhoto:
    id: int
    url: str
    uploaded_at: dt.datetime


@dataclass
class BoardView:
    code: str
    name: str
    township_code: str
    township: str
    last_published_at: dt.datetime | None
    late: list[str]
    late_since: dt.date | None
    sections: list[SectionItems]
    year: int | None  # None: the last twelve months
    years: list[int]  # older years that can be opened
    truncated: bool
    wall: WallPhoto | None

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sections)


def _board(village_code: str) -> Board | None:
    if not (village_code.isascii() and village_code.isdigit() and len(village_code) == 12):
        return None
    if not village_code.startswith(county_code()[:6]):
        return None
    return (
        Board.objects.select_related("village", "village__parent")
        .filter(pk=village_code, village__level=Division.Level.VILLAGE)
        .first()
    )


def _entry(item: Item) -> ItemEntry:
    assert item.published_at is not None
    return ItemEntry(
        id=item.pk,
        section=item.section,
        title=mask_pii(item.title),
        period=period_label(item.period_kind, item.period_start),
        published_at=item.published_at,
        display_from=item.display_from,
        display_until=item.display_until,
        version=item.version,
        correction_note=mask_pii(item.correction_note),
        corrects_id=item.supersedes_id,
    )


def _mark_corrections(entries: list[ItemEntry]) -> None:
    """Which of `entries` a published newer version corrects (one query)."""
    if not entries:
        return
    newer = Item.objects.filter(
        supersedes_id__in=[e.id for e in entries], status=ItemStatus.PUBLISHED
    ).values_list("supersedes_id", "id", "published_at")
    by_old = {old: (new, at) for old, new, at in newer}
    for e in entries:
        if e.id in by_old:
            e.corrected_by_id, e.corrected_at = by_old[e.id]


def _wall(board: Board) -> WallPhoto | None:
    photo = (
        ItemFile.objects.filter(board=board, kind=ItemFile.Kind.WALL, item__isnull=True)
        .order_by("-uploaded_at")
        .only("id", "uploaded_at")
        .first()
    )
    return WallPhoto(photo.pk, file_url(photo.pk), photo.uploaded_at) if photo else None


def board_view(village_code: str, *, year: int | None = None) -> BoardView | None:
    """A village's board: its published items newest first, by section — the last twelve
    months, or the items published in `year`. None for an unknown village."""
    board = _board(village_code)
    if board is None:
        return None
    published = Item.objects.filter(board=board, status=ItemStatus.PUBLISHED)
    now = timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    if year is None:
        shown = published.filter(published_at__gte=since)
    else:
        tz = timezone.get_current_timezone()
        shown = published.filter(
            published_at__gte=dt.datetime(year, 1, 1, tzinfo=tz),
            published_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=tz),
        )
    rows = list(shown.defer("body").order_by("-published_at", "-pk")[: BOARD_LIMIT + 1])
    truncated = len(rows) > BOARD_LIMIT
    entries = [_entry(i) for i in rows[:BOARD_LIMIT]]
    _mark_corrections(entries)
    sections = [SectionItems(str(s.value), str(s.label)) for s in SECTION_ORDER]
    by_code = {s.code: s for s in sections}
    for e in entries:
        by_code.get(e.section, by_code[Section.OTHER]).items.append(e)
    # The years that hold older items ("最近 12 个月" + older by year): from the earliest
    # publication, one probe of the index's other end.
    first = published.order_by("published_at").values_list("published_at", flat=True).first()
    years: list[int] = []
    if first is not None and (year is not None or first < since):
        top = timezone.localtime(now if year is not None else since).year
        years = list(range(top, timezone.localtime(first).year - 1, -1))
    village = board.village
    township = village.parent
    return BoardView(
        code=board.pk,
        name=village_name(village.name),
        township_code=township.code if township else "",
        township=township.name if township else "",
        last_published_at=board.last_published_at,
        late=section_labels(board.late_sections),
        late_since=board.late_since,
        sections=sections,
        year=year,
        years=years,
        truncated=truncated,
        wall=_wall(board),
    )


# --- One item ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineEntry:
    date: dt.date
    direction: str
    direction_label: str
    summary: str
    amount: Decimal
    voucher: str
    handler: str


@dataclass(frozen=True)
class StatementView:
    opening: Decimal
    closing: Decimal
    income: Decimal
    expense: Decimal
    lines: list[LineEntry]

    @property
    def balances(self) -> bool:
        return self.opening + self.income - self.expense == self.closing


@dataclass(frozen=True)
class FileEntry:
    id: int
    kind: str
    name: str
    url: str
    is_photo: bool


@dataclass(frozen=True)
class QuestionEntry:
    number: str
    kind: str
    asked_at: dt.datetime
    text: str  # masked; "" when the text is held back (sensitive words)
    answer: str | None  # masked
    answered_at: dt.datetime | None
    reply_due: dt.datetime | None
    closed: bool


@dataclass
class ItemView:
    board: BoardView
    entry: ItemEntry
    body: str
    statement: StatementView | None
    files: list[FileEntry]
    questions: list[QuestionEntry]
    corrects_published_at: dt.datetime | None


QUESTION_HEADER = "【村务公开{kind}】"


def question_text(ticket: Ticket) -> str:
    """The villager's own words of a question's ticket: its description after the header line
    that names the village and the item (villages.services.questions writes both)."""
    text = ticket.description
    if text.startswith("【村务公开"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    return text.strip()


def _question(q: Question) -> QuestionEntry:
    ticket = q.ticket
    answered = bool(ticket.reply_text) and ticket.replied_at is not None
    return QuestionEntry(
        number=ticket.number,
        kind=q.get_kind_display(),
        asked_at=q.asked_at,
        text=public_text(question_text(ticket), ticket),
        answer=public_text(ticket.reply_text, ticket) if answered else None,
        answered_at=ticket.replied_at if answered else None,
        reply_due=ticket.reply_due,
        closed=ticket.status in (Status.CLOSED, Status.MERGED, Status.TRANSFERRED),
    )


def questions_of(item: Item) -> list[QuestionEntry]:
    rows = (
        Question.objects.filter(item=item)
        .select_related("ticket")
        .only(
            "kind",
            "asked_at",
            "item_id",
            "ticket__number",
            "ticket__description",
            "ticket__reply_text",
            "ticket__replied_at",
            "ticket__reply_due",
            "ticket__status",
            "ticket__citizen_name",
        )
        .order_by("asked_at", "pk")[:QUESTIONS_SHOWN]
    )
    return [_question(q) for q in rows]


def _statement(item: Item) -> StatementView | None:
    statement = FinanceStatement.objects.filter(item=item).first()
    if statement is None:
        return None
    labels = dict(FinanceLine.Direction.choices)
    lines = [
        LineEntry(
            date=line.date,
            direction=line.direction,
            direction_label=str(labels.get(line.direction, line.direction)),
            summary=mask_pii(line.summary),
            amount=line.amount,
            voucher=mask_pii(line.voucher),
            handler=mask_pii(line.handler),
        )
        for line in statement.lines.order_by("position")
    ]
    income = sum(
        (x.amount for x in lines if x.direction == FinanceLine.Direction.INCOME), Decimal(0)
    )
    expense = sum(
        (x.amount for x in lines if x.direction == FinanceLine.Direction.EXPENSE), Decimal(0)
    )
    return StatementView(
        opening=statement.opening_balance,
        closing=statement.closing_balance,
        income=income,
        expense=expense,
        lines=lines,
    )


def published_item(village_code: str, item_id: int) -> Item | None:
    """A published item of this village's board (what questions may be asked about)."""
    return (
        Item.objects.filter(pk=item_id, board_id=village_code, status=ItemStatus.PUBLISHED).first()
        if village_code.isascii() and village_code.isdigit()
        else None
    )


def item_view(village_code: str, item_id: int) -> ItemView | None:
    """A published item with its statement, files and questions; None unless published on
    this village's board."""
    board = board_view_header(village_code)
    if board is None:
        return None
    item = published_item(village_code, item_id)
    if item is None:
        return None
    entry = _entry(item)
    _mark_corrections([entry])
    corrects_at = None
    if item.supersedes_id is not None:
        corrects_at = (
            Item.objects.filter(pk=item.supersedes_id, status=ItemStatus.PUBLISHED)
            .values_list("published_at", flat=True)
            .first()
        )
    files = [
        FileEntry(
            id=f.pk,
            kind=f.kind,
            name=f.get_kind_display(),
            url=file_url(f.pk),
            is_photo=f.kind == ItemFile.Kind.PHOTO,
        )
        for f in ItemFile.objects.filter(item=item).order_by("uploaded_at", "pk").only("id", "kind")
    ]
    return ItemView(
        board=board,
        entry=entry,
        body=mask_pii(item.body),
        statement=_statement(item),
        files=files,
        questions=questions_of(item),
        corrects_published_at=corrects_at,
    )


def board_view_header(village_code: str) -> BoardView | None:
    """The board's heading facts without its items (the item and poster pages)."""
    board = _board(village_code)
    if board is None:
        return None
    village = board.village
    township = village.parent
    return BoardView(
        code=board.pk,
        name=village_name(village.name),
        township_code=township.code if township else "",
        township=township.name if township else "",
        last_published_at=board.last_published_at,
        late=section_labels(board.late_sections),
        late_since=board.late_since,
        sections=[],
        year=None,
        years=[],
        truncated=False,
        wall=_wall(board),
    )


def late_text(late: list[str], since: dt.date | None) -> str:
    """ "逾期：村务公开、财务公开 自 2026-10-16" or "按时"."""
    if not late:
        return _("按时")
    if since is None:
        return _("逾期：%(s)s") % {"s": "、".join(late)}
    return _("逾期：%(s)s 自 %(d)s") % {"s": "、".join(late), "d": since.isoformat()}
