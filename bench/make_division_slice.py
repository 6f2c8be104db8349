"""Cut one county out of the national division files, in the same CSV layout.

Usage:

    .venv/bin/python bench/make_division_slice.py COUNTY OUTDIR [--source DIR]

    COUNTY  the county's 6-digit code, e.g. 410927 (台前县)
    OUTDIR  where to write provinces.csv, cities.csv, areas.csv, streets.csv and villages.csv
            (plain CSV, created if missing, existing files overwritten)
    DIR     the national files (default: ../shared/data/divisions next to the repository)

The slice holds the county's province, city and the county itself, its townships and their
villages. Lines are copied verbatim (same header, same quoting), so the slice is a true subset
of the source. The demo data in minsheng/org/data/divisions-410927 was made with:

    .venv/bin/python bench/make_division_slice.py 410927 minsheng/org/data/divisions-410927
"""

from __future__ import annotations

import argparse
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "divisions"
STEMS = ("provinces", "cities", "areas", "streets", "villages")


def open_source(directory: Path, stem: str) -> IO[str]:
    plain = directory / f"{stem}.csv"
    if plain.exists():
        return plain.open(encoding="utf-8", newline="")
    return gzip.open(directory / f"{stem}.csv.gz", "rt", encoding="utf-8", newline="")


def keep_rule(county: str, stem: str) -> Callable[[str], bool]:
    """Which codes of a file belong in the slice of `county`."""
    ancestors = {"provinces": county[:2], "cities": county[:4], "areas": county}
    if stem in ancestors:
        return lambda code: code == ancestors[stem]
    return lambda code: code.startswith(county)


def make_slice(county: str, source: Path, out: Path) -> dict[str, int]:
    """Write the slice; return the number of data rows per file."""
    if len(county) != 6 or not county.isdigit():
        raise SystemExit(f"not a 6-digit county code: {county!r}")
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for stem in STEMS:
        keep = keep_rule(county, stem)
        with (
            open_source(source, stem) as src,
            (out / f"{stem}.csv").open("w", encoding="utf-8", newline="") as dst,
        ):
            dst.write(src.readline())  # the header
            counts[stem] = 0
            for line in src:
                # Codes are unquoted digits in the first column, so no CSV parsing is needed.
                if keep(line.split(",", 1)[0].strip('"')):
                    dst.write(line)
                    counts[stem] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("county")
    parser.add_argument("out", type=Path)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    counts = make_slice(args.county, args.source, args.out)
    print(", ".join(f"{stem}.csv {n}" for stem, n in counts.items()))


if __name__ == "__main__":
    main()
