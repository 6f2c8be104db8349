"""Bench: the weight of the citizens' pages (群众端) as a phone downloads them — HTML plus the
CSS and scripts each page links, gzip-compressed (as the server's reverse proxy sends them),
photos and map tiles excluded. Target: the first page under 150 KB compressed.

Usage (from the repository root, on a database with the demo county: `make run` once, or
`manage.py migrate && manage.py seed_demo`):

    .venv/bin/python bench/bench_portal_weight.py

Prints, per page, the bytes of the HTML and of each linked asset, raw and gzip -6, and the
total. Sizes do not depend on the machine, so one run is the figure.
"""

from __future__ import annotations

import gzip
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PAGES = ["/", "/h5/track/", "/h5/verify/report/", "/h5/report/", "/h5/figures/"]


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def main() -> None:
    setup_test_environment()
    client = Client()
    # The report form needs a proven phone: prove one the way the page keeps it (no SMS).
    session = client.session
    session["portal_phone"] = {"phone": "13900000000", "until": time.time() + 600}
    session.save()
    for url in PAGES:
        html = client.get(url).content
        rows = [(url, len(html), gz(html))]
        for asset in re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
            path = finders.find(asset.decode())
            data = Path(path).read_bytes() if path else b""
            rows.append((f"  /static/{asset.decode()}", len(data), gz(data)))
        total_raw = sum(r[1] for r in rows)
        total_gz = sum(r[2] for r in rows)
        for name, raw, packed in rows:
            print(f"{name:45} {raw:8,} B  gzip {packed:7,} B")
        print(f"{'  total':45} {total_raw:8,} B  gzip {total_gz:7,} B  (target < 150 KB)")


if __name__ == "__main__":
    main()
