"""包村 and 走访 on the councils' small 孙口镇 (tests/governance/council_helpers.py): a county
leader and a station's cadre assigned to 孙口村 and 孙码头村 by the township's secretary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minsheng.governance.models import VillageAssignment
from minsheng.governance.services.visits import assignment_add
from minsheng.org.models import Division, Role, User
from tests.conftest import People, make_user
from tests.governance.council_helpers import VILLAGE, WHARF, Town, make_town

D = dt.date
START = D(2026, 1, 1)


@dataclass
class Field:
    town: Town
    village: Division  # 孙口村
    wharf: Division  # 孙码头村
    cadre: User  # 孙口镇农业服务站's handler: 孙口村 and 孙码头村 (包村干部)
    county: User  # the county's leader (hotline): 孙口村 (包村领导)
    a_village: VillageAssignment
    a_wharf: VillageAssignment
    a_county: VillageAssignment


def make_field(people: People) -> Field:
    town = make_town(people)
    village = Division.objects.get(code=VILLAGE)
    wharf = Division.objects.get(code=WHARF)
    cadre = make_user("cadre-wang", town.nyfw, Role.HANDLER)
    cadre.display_name = "王干部"
    cadre.save(update_fields=["display_name"])
    county = people.org.leader
    sec = town.secretary
    cadre_duty = VillageAssignment.Duty.CADRE
    return Field(
        town=town,
        village=village,
        wharf=wharf,
        cadre=cadre,
        county=county,
        a_village=assignment_add(
            actor=sec, person=cadre, village=village, duty=cadre_duty, starts_on=START
        ),
        a_wharf=assignment_add(
            actor=sec, person=cadre, village=wharf, duty=cadre_duty, starts_on=START
        ),
        a_county=assignment_add(
            actor=town.admin,
            person=county,
            village=village,
            duty=VillageAssignment.Duty.LEADER,
            starts_on=START,
        ),
    )
