"""Bench: the handler's phone pages (issue 23) — their weight as a phone downloads them (HTML
plus the CSS and scripts each page links, gzip -6, photos excluded; target < 100 KB) and their
server time (p50/p95 through Django's test Client, logged in with force_login).

Usage (from the repository root, on a database with the demo county: `make run` once, or
`manage.py migrate && manage.py seed_demo`; DATABASE_URL as for the server):

    .venv/bin/python bench/bench_handler_phone.py [--requests N]

Pages, as the handler `h-sunkou-zfdd-nc1` (孙口镇执法大队农村一中队, the demo's ticket waiting to
be signed) and `h-tq-zls` (台前县自来水公司, the demo's ticket in progress): the inbox and each
one's ticket page. The demo is small (ten tickets): the times say what the page itself costs,
not how it scales; the inbox at a million tickets is bench/bench_pages.py's.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.test import Client  # noqa: E402

from minsheng.org.models import User  # noqa: E402
from minsheng.tickets.models import Assignment  # noqa: E402


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def weight(client: Client, url: str) -> None:
    html = client.get(url).content
    rows = [(url, len(html), gz(html))]
    for asset in re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        path = finders.find(asset.decode())
        data = Path(str(path)).read_bytes() if path else b""
        rows.append((f"  /static/{asset.decode()}", len(data), gz(data)))
    for name, raw, packed in rows:
        print(f"{name:45} {raw:8,} B  gzip {packed:7,} B")
    total_raw, total_gz = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'  total':45} {total_raw:8,} B  gzip {total_gz:7,} B  (target < 100 KB)")


def timing(client: Client, url: str, n: int) -> None:
    for _ in range(3):
        client.get(url)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"{url:45} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  (n={n})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--users",
        default="h-sunkou-zfdd-nc1,h-tq-zls",
        help="handlers to time, comma-separated (on a bench_gen database: h-sunkou,h-tq-zls)",
    )
    args = parser.parse_args()
    # The test client without `setup_test_environment()`: that instruments every template render
    # (a signal per template, for tests' `response.context`), which a server does not pay.
    settings.ALLOWED_HOSTS = ["*"]
    for username in args.users.split(","):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        live = Assignment.objects.filter(unit=user.unit).exclude(state="cancelled")
        found = live.select_related("ticket").order_by("-pk").first()
        if found is None:
            print(f"# {username}: no ticket assigned to the unit, skipped")
            continue
        number = found.ticket.number
        print(f"# {username}")
        for url in ("/inbox/", f"/tickets/{number}/"):
            weight(client, url)
        for url in ("/inbox/", f"/tickets/{number}/"):
            timing(client, url, args.requests)


if __name__ == "__main__":
    main()
