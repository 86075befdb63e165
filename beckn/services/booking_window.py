"""When a session may be booked to start, and the start it is settled from.

A session is booked to start from BECKN_BOOKING_GRACE_MINUTES before now (clocks differ,
and "now" reaches us a moment late) to BECKN_BOOKING_HORIZON_DAYS ahead. Its cancellation
prices from the start it was booked for, so a session booked in the past or years ahead
could be confirmed and started, and then never settled nor cancelled. select, init and
confirm (1.1 and 2.0) refuse such a start.

Its settlement prices from the booked start too, unless charging started before it
(`settled_from`): the same allowance then says how early a start is taken, and the
energy reported whether an earlier one was. The end of charging a BAP reports is when
charging ended: one ahead of now by more than the clock difference a message's timestamp
is allowed (BECKN_CONTEXT_MAX_SKEW) is refused (`check_ended`), before anything is
settled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from beckn import conf
from beckn.messages import Failure
from beckn.models import Order
from beckn.protocol import errors
from beckn.protocol.timefmt import format_timestamp

START_PATH = "$.message.order.fulfillments[0].stops"


def _grace() -> dt.timedelta:
    return dt.timedelta(minutes=conf.get("BECKN_BOOKING_GRACE_MINUTES"))


def check(start: dt.datetime, now: dt.datetime) -> None:
    """Refuse a booked start outside the window, naming the window."""
    earliest = now - _grace()
    latest = now + dt.timedelta(days=conf.get("BECKN_BOOKING_HORIZON_DAYS"))
    if earliest <= start <= latest:
        return
    raise Failure(
        errors.INVALID_REQUEST,
        f"the session starts at {format_timestamp(start)}: a session is booked to start "
        f"from {format_timestamp(earliest)} to {format_timestamp(latest)}",
        START_PATH,
    )


def settled_from(
    booked: dt.datetime,
    started: dt.datetime | None,
    end: dt.datetime,
    deliverable: Callable[[dt.datetime], bool],
) -> dt.datetime:
    """The start a session booked for `booked` is priced from once charging ended at `end`,
    charging having started at `started` (None: no start was reported); `deliverable`
    says whether the energy reported could have been delivered from a start to `end`.

    The booked start, unless charging started before it: then when charging started, if
    that was at most the grace before the booked start (a driver who plugs in a little
    early pays for the minutes charged, at their prices), or if charging also ended by the
    booked start (a session that never reached its booking has no other time to price it
    at). A start reported earlier than the grace, of a session that went on past its
    booked start, is taken as reported ahead of time (the session is priced as booked)
    only when the energy could have been delivered from the booked start: when it could
    not, but could from when charging started, charging did start then.
    """
    if started is None or started >= booked:
        return booked
    if started >= booked - _grace() or end <= booked:
        return started
    if not deliverable(booked) and deliverable(started):
        return started
    return booked


def check_ended(end: dt.datetime, now: dt.datetime, path: str, *, order: Order) -> None:
    """Refuse an end of charging of `order` reported ahead of `now` beyond the clocks'
    allowance, naming the latest end taken now and where the message gives the end
    (`path`)."""
    latest = now + conf.seconds("BECKN_CONTEXT_MAX_SKEW")
    if end <= latest:
        return
    raise Failure(
        errors.INVALID_REQUEST,
        f"charging ended at {format_timestamp(end)}, which is still to come: the end is "
        f"sent once charging ended (now, at most {format_timestamp(latest)}: clocks differ)",
        path,
        order=order,
    )
