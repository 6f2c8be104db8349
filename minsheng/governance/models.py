"""The township's governance tables. Each part appends its own block below, headed by its name:
民生议事会 (councils), 专项行动 (campaigns), 民生实事 (commitments), 包村 / 走访 (assignments)."""

from __future__ import annotations
