"""The township's governance: the weekly 民生议事会, 专项行动 campaigns, 民生实事 commitments and
包村 / 走访. Work that units must do is tickets through minsheng.tickets.actions. See
docs/governance.md."""
