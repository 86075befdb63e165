"""When a session may be booked to start: from BECKN_BOOKING_GRACE_MINUTES before now
(clocks differ, and "now" reaches us a moment late) to BECKN_BOOKING_HORIZON_DAYS ahead.

A session's settlement and its cancellation price from the start it was booked for, so a
session booked in the past or years ahead could be confirmed and started, and then never
settled nor cancelled. select, init and confirm (1.1 and 2.0) refuse such a start.
"""

from __future__ import annotations

import datetime as dt

from beckn import conf
from beckn.messages import Failure
from beckn.protocol import errors
from beckn.protocol.timefmt import format_timestamp

START_PATH = "$.message.order.fulfillments[0].stops"


def check(start: dt.datetime, now: dt.datetime) -> None:
    """Refuse a booked start outside the window, naming the window."""
    earliest = now - dt.timedelta(minutes=conf.get("BECKN_BOOKING_GRACE_MINUTES"))
    latest = now + dt.timedelta(days=conf.get("BECKN_BOOKING_HORIZON_DAYS"))
    if earliest <= start <= latest:
        return
    raise Failure(
        errors.INVALID_REQUEST,
        f"the session starts at {format_timestamp(start)}: a session is booked to start "
        f"from {format_timestamp(earliest)} to {format_timestamp(latest)}",
        START_PATH,
    )
