from .cdrs import DIFFERENCE, AuditCause, CdrImport, CdrImportStatus, CdrSource, ReceivedCdr
from .deliveries import FINAL_PUSH_STATES, Module, Push, PushAttempt, PushState
from .locations import LocationStamp
from .partners import Partner, PartnerRole, PartnerState

__all__ = [
    "DIFFERENCE",
    "FINAL_PUSH_STATES",
    "AuditCause",
    "CdrImport",
    "CdrImportStatus",
    "CdrSource",
    "LocationStamp",
    "Module",
    "Partner",
    "PartnerRole",
    "PartnerState",
    "Push",
    "PushAttempt",
    "PushState",
    "ReceivedCdr",
]
