from .calendar import Holiday
from .chunked_jobs import ChunkedJob, JobChunk
from .network import Charger, Connector, Station
from .operators import Operator, Role, StaffMembership
from .versions import Checked, Stamp, StationStamp

__all__ = [
    "Charger",
    "Checked",
    "ChunkedJob",
    "Connector",
    "Holiday",
    "JobChunk",
    "Operator",
    "Role",
    "StaffMembership",
    "Stamp",
    "Station",
    "StationStamp",
]
