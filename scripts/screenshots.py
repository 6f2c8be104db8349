"""Regenerate the phone screenshots of docs/screenshots/ (README, "The handler's phone").

    .venv/bin/python scripts/screenshots.py

Runs the handler's browser test (tests/browser/test_handler_phone.py: headless Chromium at
375×812, a test database, a live server, the real services) with PHONE_SCREENSHOTS pointing at
docs/screenshots/, so the pictures show exactly what the test checks: the inbox's cards, the
ticket page, the progress form with two photos, the thumbnails and the viewer. Needs
/usr/bin/chromium and a CJK font for legible pictures (Debian: `apt-get install -y chromium
fonts-wqy-microhei`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["PHONE_SCREENSHOTS"] = str(OUT)
    os.chdir(ROOT)
    test = "tests/browser/test_handler_phone.py::test_the_handler_does_the_whole_part_from_a_phone"
    code = int(pytest.main(["-p", "no:cacheprovider", "-q", test]))
    if code == 0:
        for path in sorted(OUT.glob("*.png")):
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
