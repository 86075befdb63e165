from .calendar import Holiday
from .chunked_jobs import ChunkedJob, JobChunk
from .network import Charger, Connector, Station
from .operators import Operator, Role, StaffMembership
from .versions import Checked, GlobalStamp, NetworkVersion, OperatorStamp

__all__ = [
    "Charger",
    "Checked",
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
]
