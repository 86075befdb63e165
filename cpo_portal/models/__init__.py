from .calendar import Holiday
from .network import Charger, Connector, Station
from .operators import Operator, Role, StaffMembership
from .versions import NetworkVersion

__all__ = [
    "Charger",
    "Connector",
    "Holiday",
    "NetworkVersion",
    "Operator",
    "Role",
    "StaffMembership",
    "Station",
]
