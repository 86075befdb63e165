"""The conditions of live quotes (holidays, occupancy, grid stress), memoised per process.

A live quote (a Beckn select, the admin's price tool) is for a session starting about
now. Instead of reading its station's holidays, chargers and grid signals on every
quote, each process keeps, per operator, one sites.ConditionsDuring read over every
station of the operator from a day before the read to HORIZON after it, and answers from
it with the same rules as sites.conditions_for.

It is trusted while the operator's two stamps it was read under are current: its pricing
stamp (renewed in the writer's transaction by every save or delete of a holiday or grid
signal) and its network stamp (every save or delete of a station or charger, statuses
included). The quote reads both before anything they guard
(one statement, offers' stamps_for), so a change is seen by every process from its
commit. A session starting outside the span read is answered by conditions_for, as is
any session when the stamps are not given.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass

from django.utils import timezone

from cpo_portal.models import Station
from pricing.engine.types import Conditions

from .sites import ConditionsDuring, conditions_for

HORIZON = dt.timedelta(days=14)
BEFORE = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Entry:
    stamps: tuple[uuid.UUID, uuid.UUID]  # (network, pricing)
    read: ConditionsDuring


_MEMO: dict[int, _Entry] = {}
_LOCK = threading.Lock()


def conditions_now(
    station: Station, at: dt.datetime, network: uuid.UUID, pricing: uuid.UUID
) -> Conditions:
    """conditions_for(station, at), from this process's memo when the stamps (`network`,
    `pricing`: just read, before this call) are those it was read under."""
    stamps = (network, pricing)
    entry = _MEMO.get(station.operator_id)
    if entry is None or entry.stamps != stamps or not entry.read.first <= at <= entry.read.last:
        now = timezone.now()
        if not now - BEFORE <= at <= now + HORIZON:
            return conditions_for(station, at)
        stations = Station.objects.filter(operator_id=station.operator_id)
        entry = _Entry(stamps, ConditionsDuring(stations, now - BEFORE, now + HORIZON))
        with _LOCK:
            _MEMO[station.operator_id] = entry
    return entry.read.at(station, at)


def forget() -> None:
    """Empty this process's memo (tests)."""
    with _LOCK:
        _MEMO.clear()
