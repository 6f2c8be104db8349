"""Benchmark: the same benches run from two checkouts of the code, alternately, for a ratio.

Usage (from the repository root):

    .venv/bin/python bench/compare_refs.py --before DIR --after DIR [--rounds N]
        [--intake-url URL --intake-url-after URL] [--sweep-url URL --sweep-url-after URL]
        [--only intake,open311,sweep] [--json FILE]

    --before DIR, --after DIR   two checkouts (e.g. `git worktree add --detach ../before REV`),
                                each with its own .venv (`make install`); each bench runs from
                                its own tree with its own interpreter
    --rounds N                  rounds, default 3; a round runs every bench once per tree, the
                                order of the trees alternating from round to round
    --intake-url …              the databases (filled by bench/gen_tickets.py), one per tree:
                                the same data (`CREATE DATABASE x_after TEMPLATE x`) migrated by
                                each tree's own migrations, so each runs on its own schema
    --only LIST                 the benches to run (default all three)

What each round runs, per tree (short settings, as the ratio is what is read):
- intake: `bench_intake.py --seconds 10 --runs 1 --processes 1` → tickets per second;
- Open311: `bench_open311.py --seconds 10 --runs 1 --connections 8` → requests per second;
- sweep: `bench_sweep.py --runs 1 --small-url -` → seconds of one due sweep (lower is better).

Why alternate: the machine is shared and its speed drifts within minutes; running before and
after back to back, in alternating order, exposes both to the same drift, so their ratio means
something even when the absolute figures move. The medians of the rounds and the ratio
after/before are printed, with every run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PG = "postgres://postgres@127.0.0.1:5432/"


def intake(tree: Path, url: str, out: Path) -> list[str]:
    return [
        "bench/bench_intake.py",
        *("--database-url", url, "--seconds", "10", "--runs", "1", "--processes", "1"),
        *("--json", str(out)),
    ]


def open311(tree: Path, url: str, out: Path) -> list[str]:
    return [
        "bench/bench_open311.py",
        *("--database-url", url, "--seconds", "10", "--runs", "1", "--connections", "8"),
        *("--json", str(out)),
    ]


def sweep(tree: Path, url: str, out: Path) -> list[str]:
    return [
        "bench/bench_sweep.py",
        *("--database-url", url, "--runs", "1", "--small-url", "-", "--json", str(out)),
    ]


def per_second(data: dict[str, Any]) -> float:
    [figures] = data["summary"].values()
    return float(figures["median_per_second"])


def sweep_seconds(data: dict[str, Any]) -> float:
    return float(data["big"]["median"])


# name → (command, figure, unit, higher is better)
BENCHES: dict[
    str, tuple[Callable[[Path, str, Path], list[str]], Callable[..., float], str, bool]
] = {
    "intake": (intake, per_second, "tickets/s", True),
    "open311": (open311, per_second, "requests/s", True),
    "sweep": (sweep, sweep_seconds, "s per sweep of the due tickets", False),
}


def run(tree: Path, name: str, url: str) -> float:
    command, figure, _unit, _higher = BENCHES[name]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        argv = [str(tree / ".venv" / "bin" / "python"), *command(tree, url, out)]
        subprocess.run(argv, cwd=tree, check=True, stdout=subprocess.DEVNULL)
        return figure(json.loads(out.read_text()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--intake-url", default=PG + "cmp_intake")
    parser.add_argument("--intake-url-after", default=PG + "cmp_intake_after")
    parser.add_argument("--sweep-url", default=PG + "cmp_sweep")
    parser.add_argument("--sweep-url-after", default=PG + "cmp_sweep_after")
    parser.add_argument("--only", default="intake,open311,sweep")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    urls = {
        ("intake", "before"): args.intake_url,
        ("intake", "after"): args.intake_url_after,
        ("open311", "before"): args.intake_url,
        ("open311", "after"): args.intake_url_after,
        ("sweep", "before"): args.sweep_url,
        ("sweep", "after"): args.sweep_url_after,
    }
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    results: dict[str, dict[str, list[float]]] = {n: {"before": [], "after": []} for n in names}
    for rnd in range(args.rounds):
        order = ("before", "after") if rnd % 2 == 0 else ("after", "before")
        for name in names:
            for side in order:
                value = run(trees[side], name, urls[(name, side)])
                results[name][side].append(value)
                print(f"round {rnd + 1} {name} {side}: {value:.3f}", flush=True)
    print()
    summary = {}
    for name in names:
        _cmd, _fig, unit, higher = BENCHES[name]
        before = statistics.median(results[name]["before"])
        after = statistics.median(results[name]["after"])
        ratio = after / before
        summary[name] = {"before": before, "after": after, "ratio": ratio, "unit": unit}
        verdict = "higher is better" if higher else "lower is better"
        print(
            f"{name:8s} before {before:10.3f}  after {after:10.3f}  after/before {ratio:.3f}  "
            f"({unit}; {verdict})"
        )
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "runs": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
