"""Draw the home-screen icons of the web app manifest (minsheng/office/manifest.py).

    .venv/bin/python scripts/make_icons.py

Writes minsheng/static/icons/icon-{180,192,512}.png and icon-maskable-512.png: the house red
with a white "12345" bar, drawn with Pillow's shapes only (no font needed, so the same on
every machine). The PNGs are committed; run again only to change the design.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "minsheng" / "static" / "icons"
RED = (180, 35, 42)
WHITE = (255, 255, 255)


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    image = Image.new("RGB", (size, size), RED)
    d = ImageDraw.Draw(image)
    # The maskable icon keeps its drawing within the safe circle (80 % of the side).
    pad = size * (0.22 if maskable else 0.14)
    inner = size - 2 * pad
    # A telephone handset's outline as two rounded bars and a bridge: the hotline.
    bar = inner * 0.22
    d.rounded_rectangle((pad, pad, pad + bar, pad + inner), radius=bar / 2, fill=WHITE)
    d.rounded_rectangle(
        (pad + inner - bar, pad, pad + inner, pad + inner), radius=bar / 2, fill=WHITE
    )
    d.rectangle((pad, pad + inner * 0.4, pad + inner, pad + inner * 0.6), fill=WHITE)
    # A check mark in the middle: 接诉即办, answered.
    w = max(2, round(size * 0.05))
    d.line(
        [
            (pad + inner * 0.36, pad + inner * 0.78),
            (pad + inner * 0.47, pad + inner * 0.9),
            (pad + inner * 0.66, pad + inner * 0.7),
        ],
        fill=RED,
        width=w,
    )
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (180, 192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
