"""The back-office navigation: which links each role sees.

One list, filtered by role, so that the header and the role home pages agree. Each app that adds
a screen adds its entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Role, User
from minsheng.tickets.rules import HOTLINE_STAFF_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]  # empty: every signed-in user

    def visible_to(self, user: User) -> bool:
        return not self.roles or user.has_role(*self.roles)


ALL_STAFF: frozenset[str] = frozenset()
# Who works against deadlines (minsheng.deadlines.views.BOARD_ROLES): not the operators.
DEADLINE_BOARD_ROLES: frozenset[str] = frozenset(
    {
        Role.HANDLER,
        Role.UNIT_LEADER,
        Role.DISPATCHER,
        Role.SUPERVISOR,
        Role.LEADER,
        Role.ADMINISTRATOR,
    }
)

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("首页"), "home", ALL_STAFF),
    NavItem(_("话务台"), "tickets:desk_new", frozenset({Role.OPERATOR, Role.ADMINISTRATOR})),
    NavItem(_("派单"), "tickets:dispatch_queue", frozenset({Role.DISPATCHER, Role.ADMINISTRATOR})),
    NavItem(_("本单位工单"), "tickets:inbox", frozenset({Role.HANDLER, Role.UNIT_LEADER})),
    NavItem(
        _("回访"),
        "tickets:callbacks",
        frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ),
    NavItem(_("临期"), "deadlines:due", DEADLINE_BOARD_ROLES),
    NavItem(_("超期"), "deadlines:overdue", DEADLINE_BOARD_ROLES),
    NavItem(_("督办"), "deadlines:supervision", frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})),
    NavItem(
        _("留言审核"),
        "board:queue",
        frozenset(HOTLINE_STAFF_ROLES),  # minsheng/portal/board/moderation.py
    ),
    NavItem(_("工单查询"), "tickets:search", ALL_STAFF),
    NavItem(
        _("热点"),
        "insight:hotspots",
        frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("统计"),
        "stats:overview",
        frozenset(
            {Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.UNIT_LEADER, Role.ADMINISTRATOR}
        ),
    ),
    NavItem(
        _("村务监督"),
        "villages:oversight_index",  # minsheng/villages/views_oversight.py
        frozenset({Role.AFFAIRS_REVIEWER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ),
    NavItem(_("知识库"), "knowledge:list", ALL_STAFF),
    NavItem(_("承办单位"), "org:unit_list", ALL_STAFF),
    NavItem(_("行政区划"), "org:division_detail_root", ALL_STAFF),
    NavItem(_("系统管理"), "admin:index", frozenset({Role.ADMINISTRATOR})),
    NavItem(
        _("村务公开"),
        "villages:home",  # minsheng/villages/views.py: the board's staff side
        frozenset(
            {Role.VILLAGE_CLERK, Role.VILLAGE_MONITOR, Role.AFFAIRS_REVIEWER, Role.ADMINISTRATOR}
        ),
    ),
    NavItem(
        _("四议两公开"),
        "villages:matter_home",  # minsheng/villages/views_decisions.py (leaders: read only)
        frozenset(
            {
                Role.VILLAGE_CLERK,
                Role.VILLAGE_MONITOR,
                Role.AFFAIRS_REVIEWER,
                Role.LEADER,
                Role.SUPERVISOR,
                Role.ADMINISTRATOR,
            }
        ),
    ),
    NavItem(
        _("议事会"),
        "governance:council_list",  # minsheng/governance/views_councils.py: 民生议事会
        frozenset({Role.UNIT_LEADER, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("专项行动"),
        "governance:campaign_list",  # minsheng/governance/views_campaigns.py
        frozenset(
            {Role.HANDLER, Role.UNIT_LEADER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}
        ),
    ),
    NavItem(
        _("民生实事"),
        "governance:commitment_home",  # minsheng/governance/views_commitments.py
        frozenset(
            {Role.UNIT_LEADER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.HANDLER}
        ),
    ),
    NavItem(
        _("包村走访"),
        "governance:visits_home",  # minsheng/governance/views_visits.py
        frozenset(
            {Role.UNIT_LEADER, Role.HANDLER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}
        ),
    ),
    NavItem(
        _("意见建议导入"),
        "governance:intake_home",  # minsheng/governance/views_intake.py: 集中导入
        frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("帮扶台账"),
        "assistance:home",  # minsheng/assistance/views.py (leaders: the figures only)
        frozenset(
            {
                Role.STATION_WORKER,
                Role.ASSIST_OFFICER,
                Role.LEADER,
                Role.SUPERVISOR,
                Role.ADMINISTRATOR,
            }
        ),
    ),
    NavItem(
        _("服务点"),
        "governance:points_home",  # minsheng/governance/views_servicepoints.py: 服务点 / 服务矩阵
        frozenset(
            {Role.UNIT_LEADER, Role.HANDLER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}
        ),
    ),
    NavItem(
        _("突发事件"),
        "incidents:index",  # minsheng/incidents/views.py: 重大突发事件 (leaders: read only)
        frozenset({Role.OPERATOR, Role.DISPATCHER, Role.LEADER, Role.ADMINISTRATOR}),
    ),
    NavItem(
        _("公共设施"),
        "facilities:home",  # minsheng/facilities/views.py
        frozenset(
            {
                Role.HANDLER,
                Role.UNIT_LEADER,
                Role.OPERATOR,
                Role.DISPATCHER,
                Role.SUPERVISOR,
                Role.LEADER,
                Role.ADMINISTRATOR,
            }
        ),
    ),
)


def nav_for(user: User, current_path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in NAV_ITEMS:
        if not item.visible_to(user):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    # Nested sections (/villages/ and /villages/matters/): only the closest one is current.
    current = [i for i in items if i["active"]]
    if len(current) > 1:
        closest = max(current, key=lambda i: len(str(i["url"])))
        for i in current:
            i["active"] = i is closest
    return items
