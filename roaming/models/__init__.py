from .deliveries import FINAL_PUSH_STATES, Module, Push, PushAttempt, PushState
from .locations import LocationStamp
from .partners import Partner, PartnerRole, PartnerState

__all__ = [
    "FINAL_PUSH_STATES",
    "LocationStamp",
    "Module",
    "Partner",
    "PartnerRole",
    "PartnerState",
    "Push",
    "PushAttempt",
    "PushState",
]
