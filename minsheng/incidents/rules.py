"""Who may do what with an incident (the one rulebook of this app).

Raising is the hotline's front line (话务员, 派单员); commanding an incident — mobilising,
logging, broadcasting, closing — is the dispatchers' (派单员) and the administrators'. The
commanders are also the only ones who see the registered phones unmasked. Leaders and
supervisors read. A team's leader acknowledges their own team's assignment in-app.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from minsheng.incidents.errors import InvalidTransition, NotAllowed
from minsheng.incidents.models import Incident, IncidentStatus
from minsheng.org.models import Role, User

RAISE_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR)
COMMAND_ROLES = (Role.DISPATCHER, Role.ADMINISTRATOR)
READ_ROLES = (*RAISE_ROLES, Role.SUPERVISOR, Role.LEADER)


def can_read(user: User) -> bool:
    return user.is_active and user.has_role(*READ_ROLES)


def can_raise(user: User) -> bool:
    return user.is_active and user.has_role(*RAISE_ROLES)


def is_commander(user: User) -> bool:
    return user.is_active and user.has_role(*COMMAND_ROLES)


def check_raise(user: User) -> None:
    if not can_raise(user):
        raise NotAllowed(_("只有话务员或派单员可以启动重大突发事件。"))


def check_command(user: User, incident: Incident | None = None, *, what: str = "") -> None:
    """Mobilise, log, broadcast, close: a commander, on an open incident."""
    if not is_commander(user):
        raise NotAllowed(_("只有派单员可以%(what)s。") % {"what": what or _("指挥处置")})
    if incident is not None and incident.status != IncidentStatus.OPEN:
        raise InvalidTransition(_("事件已结束，不能再%(what)s。") % {"what": what or _("操作")})


def check_roster(user: User) -> None:
    """The roster of resources is kept by the commanders."""
    if not is_commander(user):
        raise NotAllowed(_("只有派单员可以维护应急资源。"))
