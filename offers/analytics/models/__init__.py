from .cursor import RollupCursor
from .customers import CellCustomer, CustomerKey, DailyCustomer
from .derived import OfferDaily, OfferScope, OfferScopeDaily, StationDaily
from .rollups import DailyRollup, HourlyRollup
from .sessions import NoOfferSession

__all__ = [
    "CellCustomer",
    "CustomerKey",
    "DailyCustomer",
    "DailyRollup",
    "HourlyRollup",
    "NoOfferSession",
    "OfferDaily",
    "OfferScope",
    "OfferScopeDaily",
    "RollupCursor",
    "StationDaily",
]
