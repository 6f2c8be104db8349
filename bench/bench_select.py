"""Bench tool: how long the search form's long <select>s take to render, Django's per-option
templates against `tickets.forms.LongSelect`, in the same run.

Usage (from the repository root, any migrated database with the demo catalogue and units):

    .venv/bin/python bench/bench_select.py --database-url postgres://postgres@127.0.0.1:5432/bench_minsheng [--runs 9]

Prints the median render time of the whole search form with each widget, the option count,
and whether both render the same options (values, labels, the selected one).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

import benchdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    benchdb.setup(args.database_url)

    from django import forms

    from minsheng.tickets.forms import SearchForm
    from minsheng.tickets.models import Category

    leaf = Category.objects.filter(children__isnull=True).order_by("full_name")[5]

    def render(widget: str) -> tuple[float, str]:
        form = SearchForm(data={"category": str(leaf.pk)})
        form.is_valid()
        if widget == "django":
            for name in ("category", "unit"):
                field = form.fields[name]
                field.widget = forms.Select(choices=field.choices)  # type: ignore[attr-defined]
        started = time.perf_counter()
        html = "".join(str(bound) for bound in form)
        return time.perf_counter() - started, html

    times: dict[str, list[float]] = {"django": [], "LongSelect": []}
    for _ in range(args.runs):
        for widget, runs in times.items():
            runs.append(render(widget)[0])
    pattern = re.compile(r"<option[^>]*>[^<]*")
    same = pattern.findall(render("django")[1]) == pattern.findall(render("LongSelect")[1])
    html = render("LongSelect")[1]
    for widget, runs in times.items():
        print(f"{widget:>10}: median {statistics.median(runs) * 1000:.1f} ms over {len(runs)} runs")
    print(f"options: {html.count('<option')}, same options in both: {same}")


if __name__ == "__main__":
    main()
