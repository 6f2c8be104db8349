"""Import China's statistical division codes (统计用区划代码) from CSV files into `Division`.

The files are those of the `china-division` package (see ../shared/data/README.md), one per
level, each with a header naming its columns:

    provinces.csv  code,name
    cities.csv     code,name,provinceCode
    areas.csv      code,name,cityCode,provinceCode
    streets.csv    code,name,areaCode,provinceCode,cityCode
    villages.csv   code,name,streetCode,provinceCode,cityCode,areaCode   (often .csv.gz)

A file's level comes from its header, so a renamed file still imports; a file that carries one
of the five names above must also have that level's header, which catches mix-ups.

Guarantees:

* All or nothing: the whole import runs in one transaction and every row is checked before the
  transaction can commit; a bad row raises `DivisionImportError` naming file, line and problem,
  and the database is left exactly as it was.
* Idempotent: rows are compared with the database and only real differences are written, so a
  second run reports 0 created and 0 updated. Divisions missing from the files are never
  deleted: tickets and units refer to them.
* Parents exist: each row's parent (derived from its code's prefix and checked against the
  file's parent columns) must be in the files or already in the database.

One oddity of the real data is handled on purpose: a few rows merely repeat their parent at the
next level down, with the same 12-digit code (东莞市, 中山市 and 儋州市 are listed again as their
own county, 金门县 again as its own township and village). Such a row would collide with its
parent's primary key, so it is skipped and counted in `ImportResult.skipped`; rows below it
(东莞's towns) hang directly from the parent, which is how those cities are governed.

On PostgreSQL with psycopg 3 rows are streamed with COPY into a temporary table and merged with
one `INSERT … ON CONFLICT DO UPDATE … WHERE changed`; elsewhere (SQLite) the rows are compared
in Python with the existing ones and only the differences are written, in batches.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Q

from minsheng.org.models import LEVEL_DIGITS, Division, normalize_division_code
from minsheng.org.signals import divisions_imported

LEVELS: tuple[int, ...] = tuple(sorted(LEVEL_DIGITS))
# The file names of the `china-division` package, by level.
FILE_STEMS: dict[int, str] = {1: "provinces", 2: "cities", 3: "areas", 4: "streets", 5: "villages"}
# Header columns that hold an ancestor's code, and that ancestor's level.
PARENT_COLUMNS: dict[str, int] = {"provinceCode": 1, "cityCode": 2, "areaCode": 3, "streetCode": 4}
LEVEL_NAMES: dict[int, str] = {1: "province", 2: "city", 3: "county", 4: "township", 5: "village"}
NAME_MAX_LENGTH: int = Division._meta.get_field("name").max_length or 100
GZIP_MAGIC = b"\x1f\x8b"

# (12-digit code, name, level, 12-digit parent code or None): one division as written.
Row = tuple[str, str, int, str | None]
# Division's columns in the order of `Row`.
_COLUMNS = ("code", "name", "level", "parent_id")
# PostgreSQL's temporary table for COPY.
_STAGING_TABLE = "minsheng_division_import"


class DivisionImportError(ValueError):
    """A file, row or argument that cannot be imported; nothing has been written."""

    def __init__(self, problem: str, *, path: Path | None = None, line: int | None = None):
        self.problem = problem
        self.path = path
        self.line = line
        where = str(path) if path is not None else ""
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {problem}" if where else problem)


@dataclass(frozen=True)
class LevelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    # Rows that only repeated their parent's code (东莞市 as its own county); see module doc.
    skipped: int = 0
    by_level: Mapping[int, LevelCounts] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return self.created + self.updated


@dataclass(frozen=True)
class _Source:
    path: Path
    level: int


@dataclass(frozen=True)
class _Scope:
    """The subtree of --within: `prefix` is the division's significant digits ('410927102')."""

    prefix: str

    def contains(self, code: str) -> bool:
        # Descendants (and the division itself) start with the prefix; ancestors are prefixes of it.
        return code.startswith(self.prefix) or self.prefix.startswith(code)

    @property
    def code(self) -> str:
        return self.prefix.ljust(12, "0")

    def ancestor_codes(self) -> list[str]:
        return [
            self.prefix[:d].ljust(12, "0") for d in LEVEL_DIGITS.values() if d < len(self.prefix)
        ]


class _RowProblem(Exception):
    """Raised by row checks; the reader adds the file and line number."""


def import_divisions(
    paths: Sequence[Path | str], *, within: str | None = None, batch_size: int = 5000
) -> ImportResult:
    """Import division CSV files (directories holding them, or single files; plain or gzip).

    `within` (a 2/4/6/9/12-digit code) restricts writing to that division, its descendants and
    its ancestors found in the files; every row of the files is still checked. Raises
    DivisionImportError, leaving the database untouched, on any bad file, row or argument.
    """
    if batch_size < 1:
        raise DivisionImportError(f"batch_size must be positive, not {batch_size}")
    scope = _parse_scope(within) if within is not None else None
    sources = _resolve_sources([Path(p) for p in paths])
    with transaction.atomic():
        reader = _Reader(db_parents=_existing_parent_codes(), scope=scope)
        rows = reader.rows(sources)
        if _can_copy():
            created, updated = _write_with_copy(rows)
        else:
            created, updated = _write_in_batches(rows, _existing_rows(scope), batch_size)
        if scope is not None and scope.code not in reader.seen and not _exists(scope.code):
            raise DivisionImportError(
                f"--within {within}: no such division in the files or in the database"
            )
        divisions_imported.send(sender=Division, prefix=scope.prefix if scope is not None else "")
    return _result(reader.totals, created, updated, reader.skipped)


# --- arguments and files -----------------------------------------------------------------------


def _parse_scope(within: str) -> _Scope:
    try:
        code = normalize_division_code(within)
    except ValueError:
        raise DivisionImportError(
            f"--within {within!r} is not a division code (2, 4, 6, 9 or 12 digits)"
        ) from None
    # A 12-digit '410927000000' means the county 410927: keep the shortest level-length prefix
    # after which only zeros follow.
    digits = min(d for d in LEVEL_DIGITS.values() if not code[d:].strip("0"))
    return _Scope(prefix=code[:digits])


def _resolve_sources(paths: Sequence[Path]) -> list[_Source]:
    if not paths:
        raise DivisionImportError("no division files given")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(_files_in_directory(path))
        elif path.is_file():
            files.append(path)
        else:
            raise DivisionImportError(f"{path}: no such file or directory")
    sources = [_Source(path, _level_of(path)) for path in files]
    # Parents before children: a row's parent is then already known when the row is checked,
    # and is written no later than the row itself. sorted() keeps the given order within a level.
    return sorted(sources, key=lambda source: source.level)


def _files_in_directory(directory: Path) -> list[Path]:
    found: list[Path] = []
    for stem in FILE_STEMS.values():
        candidates = [
            p for p in (directory / f"{stem}.csv", directory / f"{stem}.csv.gz") if p.is_file()
        ]
        if len(candidates) > 1:
            raise DivisionImportError(f"{directory}: both {stem}.csv and {stem}.csv.gz; keep one")
        found.extend(candidates)
    if not found:
        names = ", ".join(f"{stem}.csv[.gz]" for stem in FILE_STEMS.values())
        raise DivisionImportError(f"{directory}: holds none of {names}")
    return found


def _open_text(path: Path) -> IO[str]:
    """A text stream over a plain or gzip file (told apart by content, not by name)."""
    with path.open("rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
    # utf-8-sig drops the byte-order mark spreadsheet programs put in front of CSV exports.
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _level_of(path: Path) -> int:
    try:
        with _open_text(path) as stream:
            header = next(csv.reader(stream), [])
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise DivisionImportError(f"cannot read the file: {exc}", path=path) from None
    level = _level_of_header(header)
    if level is None:
        expected = "; ".join(",".join(_header_of(level)) for level in LEVELS)
        raise DivisionImportError(
            f"header {','.join(header)!r} is not a division header (expected one of: {expected})",
            path=path,
            line=1,
        )
    stem = path.name.removesuffix(".gz").removesuffix(".csv")
    named_level = next((lvl for lvl, name in FILE_STEMS.items() if name == stem), None)
    if named_level is not None and named_level != level:
        raise DivisionImportError(
            f"the file is named {stem} but its header is that of {FILE_STEMS[level]}",
            path=path,
            line=1,
        )
    return level


def _header_of(level: int) -> list[str]:
    parents = [name for name, lvl in PARENT_COLUMNS.items() if lvl < level]
    return ["code", "name", *parents]


def _level_of_header(header: Sequence[str]) -> int | None:
    columns = [column.strip() for column in header]
    if len(set(columns)) != len(columns) or not {"code", "name"} <= set(columns):
        return None
    parents = set(columns) - {"code", "name"}
    level = len(parents) + 1
    # Column order is free, but a level-L file must name exactly the ancestors above L.
    return level if level in LEVEL_DIGITS and parents == set(_header_of(level)[2:]) else None


# --- reading and checking rows -----------------------------------------------------------------


class _Reader:
    """Streams checked rows out of the files and remembers what it has seen.

    Every row of every file is checked, also outside --within, so that a file is accepted or
    rejected as a whole whatever subtree is being written.
    """

    def __init__(self, *, db_parents: set[str], scope: _Scope | None) -> None:
        self.db_parents = db_parents
        self.scope = scope
        # Every 12-digit code of the files, to catch duplicates and to know parents: for the
        # whole country ~665,000 short strings, about 90 MB, which is acceptable.
        self.seen: set[str] = set()
        self.totals: Counter[int] = Counter()
        self.skipped = 0

    def rows(self, sources: Iterable[_Source]) -> Iterator[Row]:
        for source in sources:
            yield from self._rows_of(source)

    def _rows_of(self, source: _Source) -> Iterator[Row]:
        level = source.level
        try:
            with _open_text(source.path) as stream:
                reader = csv.reader(stream)
                header = [column.strip() for column in next(reader)]
                checker = _RowChecker(header, level)
                for fields in reader:
                    if not fields:  # a blank line, typically at the end of a hand-edited file
                        continue
                    try:
                        row = self._check(checker, fields, level)
                    except _RowProblem as problem:
                        raise DivisionImportError(
                            str(problem), path=source.path, line=reader.line_num
                        ) from None
                    if row is not None:
                        yield row
        except (OSError, UnicodeDecodeError, EOFError, csv.Error) as exc:
            raise DivisionImportError(f"cannot read the file: {exc}", path=source.path) from None

    def _check(self, checker: _RowChecker, fields: list[str], level: int) -> Row | None:
        code, name = checker.check(fields)
        code12 = code.ljust(12, "0")
        parent12 = code[: LEVEL_DIGITS[level - 1]].ljust(12, "0") if level > 1 else None
        if parent12 is not None and parent12 not in self.seen and parent12 not in self.db_parents:
            raise _RowProblem(
                f"the parent {code[: LEVEL_DIGITS[level - 1]]} of {code} is neither in the files "
                "nor in the database"
            )
        in_scope = self.scope is None or self.scope.contains(code)
        if code12 == parent12:
            # The row repeats its parent (东莞市 listed as a county): fold it into the parent.
            self.skipped += int(in_scope)
            return None
        if code12 in self.seen:
            raise _RowProblem(f"duplicate code {code}")
        self.seen.add(code12)
        if not in_scope:
            return None
        self.totals[level] += 1
        return code12, name, level, parent12


class _RowChecker:
    """Checks the rows of one file against that file's header."""

    def __init__(self, header: list[str], level: int) -> None:
        self.header = header
        self.level = level
        self.width = len(header)
        self.digits = LEVEL_DIGITS[level]
        self.code_index = header.index("code")
        self.name_index = header.index("name")
        # (column index, column name, digits of that ancestor's code)
        self.parent_columns = [
            (header.index(name), name, LEVEL_DIGITS[lvl])
            for name, lvl in PARENT_COLUMNS.items()
            if lvl < level
        ]

    def check(self, fields: list[str]) -> tuple[str, str]:
        """Return the row's (code, name) or raise _RowProblem."""
        if len(fields) != self.width:
            raise _RowProblem(
                f"expected {self.width} columns ({','.join(self.header)}), found {len(fields)}"
            )
        code = fields[self.code_index].strip()
        if len(code) != self.digits or not (code.isdigit() and code.isascii()):
            raise _RowProblem(
                f"code {code!r} is not a {self.digits}-digit {LEVEL_NAMES[self.level]} code"
            )
        name = fields[self.name_index].strip()
        if not name:
            raise _RowProblem(f"code {code} has an empty name")
        if len(name) > NAME_MAX_LENGTH:
            raise _RowProblem(f"code {code}: name longer than {NAME_MAX_LENGTH} characters")
        for index, column, digits in self.parent_columns:
            value = fields[index].strip()
            if value != code[:digits]:
                raise _RowProblem(
                    f"{column} {value!r} does not match code {code} (expected {code[:digits]})"
                )
        return code, name


# --- the database ------------------------------------------------------------------------------


def _existing_parent_codes() -> set[str]:
    """Codes already in the database that can be a parent (villages never are): ~45,000."""
    return set(
        Division.objects.filter(level__lt=max(LEVELS)).order_by().values_list("code", flat=True)
    )


def _existing_rows(scope: _Scope | None) -> dict[str, tuple[str, str | None, int]]:
    """code → (name, parent, level) of the divisions the import may touch.

    For the whole country this is ~665,000 entries, about 210 MB (a re-import peaks at ~360 MB
    of memory in all), which is acceptable for an occasional administrative command and saves
    a query per row. The PostgreSQL path compares in the server and does not need it.
    """
    queryset = Division.objects.order_by()
    if scope is not None:
        queryset = queryset.filter(
            Q(code__startswith=scope.prefix) | Q(code__in=scope.ancestor_codes())
        )
    rows = queryset.values_list("code", "name", "parent_id", "level").iterator(chunk_size=10_000)
    return {code: (name, parent, level) for code, name, parent, level in rows}


def _exists(code: str) -> bool:
    return Division.objects.filter(code=code).exists()


def _can_copy() -> bool:
    """PostgreSQL through psycopg 3, whose cursors have copy()."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return hasattr(cursor.cursor, "copy")


def _write_in_batches(
    rows: Iterable[Row], existing: Mapping[str, tuple[str, str | None, int]], batch_size: int
) -> tuple[Counter[int], Counter[int]]:
    """Compare with the existing rows in Python; write only the differences, in batches.

    Rows go through the DB-API's executemany() rather than bulk_create()/bulk_update(): for
    the whole country on SQLite, bulk_create spent ~85% of its 16 s building model instances
    and SQL, while executemany runs one prepared statement per batch and needs ~4 s. The SQL
    is plain INSERT/UPDATE, so this path works on any backend.
    """
    quote = connection.ops.quote_name
    table = quote(Division._meta.db_table)
    columns = ", ".join(quote(c) for c in _COLUMNS)
    assignments = ", ".join(f"{quote(c)} = %s" for c in _COLUMNS[1:])
    # Only quoted model metadata is interpolated; the data travels as parameters.
    insert = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)"  # noqa: S608
    update = f"UPDATE {table} SET {assignments} WHERE {quote('code')} = %s"  # noqa: S608
    created: Counter[int] = Counter()
    updated: Counter[int] = Counter()
    to_create: list[tuple[str, str, int, str | None]] = []
    to_update: list[tuple[str, int, str | None, str]] = []
    with connection.cursor() as cursor:
        for code, name, level, parent in rows:
            old = existing.get(code)
            if old is None:
                created[level] += 1
                to_create.append((code, name, level, parent))
                if len(to_create) >= batch_size:
                    cursor.executemany(insert, to_create)
                    to_create.clear()
            elif old != (name, parent, level):
                updated[level] += 1
                to_update.append((name, level, parent, code))
                if len(to_update) >= batch_size:
                    cursor.executemany(update, to_update)
                    to_update.clear()
        if to_create:
            cursor.executemany(insert, to_create)
        if to_update:
            cursor.executemany(update, to_update)
    return created, updated


def _write_with_copy(rows: Iterable[Row]) -> tuple[Counter[int], Counter[int]]:
    """COPY the rows into a temporary table, then merge it in one statement.

    COPY streams the rows without building SQL, and the merge compares old and new in the
    server, so no existing row crosses the wire. The WHERE on DO UPDATE leaves unchanged rows
    alone, so they are neither rewritten nor returned; `xmax = 0` is PostgreSQL's well-known
    marker of a row version this statement inserted rather than updated.
    """
    quote = connection.ops.quote_name
    table = quote(Division._meta.db_table)
    column_list = ", ".join(quote(c) for c in _COLUMNS)
    staging = quote(_STAGING_TABLE)
    changed = " OR ".join(
        f"{table}.{quote(c)} IS DISTINCT FROM EXCLUDED.{quote(c)}" for c in _COLUMNS[1:]
    )
    updates = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in _COLUMNS[1:])
    with connection.cursor() as cursor:
        # Dropped explicitly at the end (not ON COMMIT DROP) because the import may run inside a
        # caller's transaction, e.g. seed_demo's, and be called twice in it.
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{staging}")
        # Plain types: lengths were checked in Python and the target table enforces them.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} "
            "(code text NOT NULL, name text NOT NULL, level smallint NOT NULL, parent_id text)"
        )
        raw: Any = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY {staging} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # Only quoted model metadata is interpolated; the data travels through COPY.
        cursor.execute(
            f"WITH merged AS ("  # noqa: S608
            f" INSERT INTO {table} ({column_list})"
            f" SELECT {column_list} FROM {staging}"
            f" ON CONFLICT ({quote('code')}) DO UPDATE SET {updates} WHERE {changed}"
            f" RETURNING {table}.{quote('level')}, (xmax = 0) AS inserted"
            f") SELECT level, inserted, count(*) FROM merged GROUP BY level, inserted"
        )
        created: Counter[int] = Counter()
        updated: Counter[int] = Counter()
        for level, inserted, count in cursor.fetchall():
            (created if inserted else updated)[level] += count
        cursor.execute(f"DROP TABLE {staging}")
    return created, updated


def _result(
    totals: Mapping[int, int], created: Mapping[int, int], updated: Mapping[int, int], skipped: int
) -> ImportResult:
    by_level = {
        level: LevelCounts(
            created=created.get(level, 0),
            updated=updated.get(level, 0),
            unchanged=totals[level] - created.get(level, 0) - updated.get(level, 0),
        )
        for level in LEVELS
        if totals.get(level)
    }
    return ImportResult(
        created=sum(c.created for c in by_level.values()),
        updated=sum(c.updated for c in by_level.values()),
        unchanged=sum(c.unchanged for c in by_level.values()),
        skipped=skipped,
        by_level=by_level,
    )
