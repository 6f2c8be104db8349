"""Bench: 智能派单's routing of county calls — the unit first suggested, and the top three.

Usage (from the repository root, on a database with the demo county: `make run` once, or
`manage.py migrate && manage.py seed_demo`):

    .venv/bin/python bench/bench_routing.py [--calls CSV] [--runs 5] [--show-misses]

    --calls CSV     calls to route: columns text, division (12-digit code, may be empty),
                    units (the acceptable unit codes, "|"-separated); default
                    tests/insight/data/county_calls.csv
    --runs N        timing rounds over all calls (default 5); the median per call is reported
    --show-misses   print each call whose first unit is not acceptable, with the suggestions

Each call goes through `minsheng.insight.triage.suggest` — the code path of the operator's desk
and of `manage.py triage suggest`. Printed: calls, top-1 and top-3 acceptable shares, how many
would be pre-selected and how many of those were right, and latency p50/p95 (milliseconds).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")

import django  # noqa: E402

django.setup()

from minsheng.insight import triage  # noqa: E402
from minsheng.org.models import Division  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", default=str(ROOT / "tests/insight/data/county_calls.csv"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    with open(args.calls, encoding="utf-8-sig", newline="") as handle:
        calls = list(csv.DictReader(handle))
    divisions = {
        d.code: d for d in Division.objects.filter(code__in={c["division"] for c in calls})
    }
    top1 = top3 = preselected = preselected_right = 0
    for call in calls:
        accepted = set(call["units"].split("|"))
        result = triage.suggest(call["text"], "", divisions.get(call["division"]))
        codes = [u.unit.code for u in result.units]
        first_ok = bool(codes) and codes[0] in accepted
        top1 += first_ok
        top3 += any(c in accepted for c in codes[:3])
        if result.confident:
            preselected += 1
            preselected_right += first_ok
        if args.show_misses and not first_ok:
            shown = [f"{u.unit.code}:{u.score:.2f}" for u in result.units]
            cats = [f"{c.label}:{c.score:.2f}{list(c.terms)}" for c in result.categories]
            print(f"MISS {call['text'][:40]} want={call['units']} got={shown} {cats}")
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(args.runs):
        for i, call in enumerate(calls):
            started = time.perf_counter()
            triage.suggest(call["text"], "", divisions.get(call["division"]))
            times[i].append((time.perf_counter() - started) * 1000)
    per_call = sorted(statistics.median(t) for t in times)
    n = len(calls)
    print(f"calls {n}")
    print(f"top-1 acceptable {top1}/{n} = {top1 / n:.1%}")
    print(f"top-3 acceptable {top3}/{n} = {top3 / n:.1%}")
    print(
        f"pre-selected {preselected}/{n} = {preselected / n:.1%}, "
        f"of which right {preselected_right}/{max(preselected, 1)} "
        f"= {preselected_right / max(preselected, 1):.1%}"
    )
    p95 = per_call[min(n - 1, int(n * 0.95))]
    print(
        f"latency ms p50 {statistics.median(per_call):.1f} p95 {p95:.1f} (median of {args.runs} runs)"
    )


if __name__ == "__main__":
    main()
