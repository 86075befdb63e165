from .calendar import Holiday
from .chunked_jobs import ChunkedJob, JobChunk
from .network import Charger, Connector, Station
from .operators import Operator, Role, StaffMembership
from .versions import GlobalStamp, NetworkVersion, OperatorStamp, renewals_here

__all__ = [
    "Charger",
    "ChunkedJob",
    "Connector",
    "GlobalStamp",
    "Holiday",
    "JobChunk",
    "NetworkVersion",
    "Operator",
    "OperatorStamp",
    "Role",
    "StaffMembership",
    "Station",
    "renewals_here",
]
