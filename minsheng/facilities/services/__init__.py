"""The only writers of facilities: one function per change, each writing its audit `Event`."""

from minsheng.facilities.services.registry import (
    FacilityInput,
    facility_add_photo,
    facility_create,
    facility_update,
    township_of,
)
from minsheng.facilities.services.upkeep import (
    ScheduleInput,
    round_log,
    schedule_save,
    schedule_set_active,
)

__all__ = [
    "FacilityInput",
    "ScheduleInput",
    "facility_add_photo",
    "facility_create",
    "facility_update",
    "round_log",
    "schedule_save",
    "schedule_set_active",
    "township_of",
]
