from .calendar import Holiday
from .network import Charger, Connector, Station
from .operators import Operator, Role, StaffMembership

__all__ = ["Charger", "Connector", "Holiday", "Operator", "Role", "StaffMembership", "Station"]
