from analytics.models.distinct_customers import (
    CellCustomer,
    CustomerKey,
    CustomerSet,
    CustomerSetMonth,
    DailyCustomer,
)

from .cursor import RollupCursor
from .derived import ChannelDaily, OfferDaily, OfferScope, OfferScopeDaily, StationDaily
from .periods import HourlyPeriod
from .rollups import DailyRollup, HourlyRollup
from .sessions import NoOfferSession
from .whatif import WhatIfRun

__all__ = [
    "CellCustomer",
    "ChannelDaily",
    "CustomerKey",
    "CustomerSet",
    "CustomerSetMonth",
    "DailyCustomer",
    "DailyRollup",
    "HourlyPeriod",
    "HourlyRollup",
    "NoOfferSession",
    "OfferDaily",
    "OfferScope",
    "OfferScopeDaily",
    "RollupCursor",
    "StationDaily",
    "WhatIfRun",
]
