"""The additive counts every figure is built from (docs/metrics.md has the definitions).

Each measure is one integer column of the rollup tables. A rate is a ratio of two measures, so
the figures of any period are sums of days, and of any scope sums of units: nothing in the
rollups is a ratio or an average.

Attribution (which unit a count belongs to):
- every measure but `part` belongs to one unit, the *attributed* unit (the lead unit, or for a
  return the unit that returned); counts without a unit (direct answers, undispatched tickets)
  belong to unit 0;
- `part` (participation in a resolved ticket) belongs to every unit that took part and to each
  of their ancestors, once per ticket, so that a team and its brigade both count a ticket the
  brigade decomposed to the team, and the brigade counts it once.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

# (column, Chinese label, the date the count is dated by)
MEASURES: tuple[tuple[str, StrOrPromise, StrOrPromise], ...] = (
    ("received", _("受理量"), _("受理日期")),
    ("merged", _("并单"), _("受理日期")),
    ("transferred", _("转警情"), _("受理日期")),
    ("consult", _("咨询量"), _("受理日期")),
    ("direct", _("直接答复"), _("受理日期")),
    ("resp_due", _("应响应"), _("联系时限")),
    ("resp_ok", _("按时响应"), _("联系时限")),
    ("reply_due", _("应答复"), _("答复时限")),
    ("reply_ok", _("按时答复"), _("答复时限")),
    ("cb_reached", _("回访成功"), _("回访日期")),
    ("cb_resolved", _("回访已解决"), _("回访日期")),
    ("cb_satisfied", _("满意"), _("回访日期")),
    ("cb_basic", _("基本满意"), _("回访日期")),
    ("closed", _("办结量"), _("办结日期")),
    ("resolved", _("解决量"), _("办结日期")),
    ("handle_n", _("计时工单"), _("办结日期")),
    ("handle_secs", _("办理用时（秒）"), _("办结日期")),
    ("returns", _("退单次数"), _("退单日期")),
    ("reopens", _("重办次数"), _("重办日期")),
    ("part", _("参与解决"), _("办结日期")),
)

NAMES: tuple[str, ...] = tuple(m[0] for m in MEASURES)
LABELS: dict[str, StrOrPromise] = {m[0]: m[1] for m in MEASURES}
DATED_BY: dict[str, StrOrPromise] = {m[0]: m[2] for m in MEASURES}
# Measures attributed to one unit (summed over a subtree); `part` is stored per unit already
# expanded to ancestors (read for one unit, never summed over a subtree).
LEAD_MEASURES: tuple[str, ...] = tuple(n for n in NAMES if n != "part")
# Derived counts a page may drill into (the tickets behind "not on time", "unsatisfied", …).
DERIVED: dict[str, tuple[str, str]] = {
    "resp_late": ("resp_due", "resp_ok"),
    "reply_late": ("reply_due", "reply_ok"),
    "cb_unresolved": ("cb_reached", "cb_resolved"),
}
DERIVED_LABELS: dict[str, StrOrPromise] = {
    "resp_late": _("未按时响应"),
    "reply_late": _("未按时答复"),
    "cb_unresolved": _("回访未解决"),
    "cb_unsatisfied": _("不满意"),
}
DRILLABLE: frozenset[str] = frozenset(
    [n for n in NAMES if n not in ("handle_secs",)] + [*DERIVED, "cb_unsatisfied"]
)


def label(measure: str) -> str:
    return str(LABELS.get(measure) or DERIVED_LABELS.get(measure, measure))


def zero() -> dict[str, int]:
    return dict.fromkeys(NAMES, 0)
