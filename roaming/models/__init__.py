from .cdrs import DIFFERENCE, AuditCause, CdrImport, CdrImportStatus, CdrSource, ReceivedCdr
from .deliveries import Module, Push, PushAttempt, PushState
from .locations import LocationStamp
from .partners import Partner, PartnerRole, PartnerState

__all__ = [
    "DIFFERENCE",
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
