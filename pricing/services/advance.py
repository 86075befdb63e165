"""Advance notice: surge changes that can raise a price take effect only after the
operator's notice period (DEG: "advance notice of surge charge changes")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils import timezone

from cpo_portal.models import Operator

# Fields whose change can alter what a customer pays.
PRICE_FIELDS = frozenset(
    {
        "kind", "form", "amount", "window_start", "window_end", "window_days", "valid_from",
        "valid_until", "holidays_only", "stations", "site_kinds", "region_codes",
        "min_power_kw", "charging_speeds", "occupancy_threshold", "on_grid_stress",
        "stackable", "priority", "cap_per_session", "exempt_segments", "exempt_tiers",
        "effective_from", "paused", "operator",
    }
)  # fmt: skip
# A form is filled in over a minute or two: accept an "effective from" a little early.
SLACK = dt.timedelta(minutes=2)


def earliest_allowed(operator: Operator, now: dt.datetime | None = None) -> dt.datetime:
    """The soonest a change may take effect, rounded up to the minute."""
    at = (now or timezone.now()) + dt.timedelta(hours=operator.surge_notice_hours)
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return at


def needs_notice(
    changed: Iterable[str], *, new: bool, old_values: dict, new_values: dict
) -> list[str]:
    """The price-affecting fields among `changed` (everything, for a new rule).

    Changes that can only lower prices need no notice: pausing a rule, and ending it
    sooner (an earlier valid-until that is still in the future).
    """
    if new:
        return ["new rule"]
    fields = [f for f in changed if f in PRICE_FIELDS]
    if "paused" in fields and new_values.get("paused"):
        fields.remove("paused")
    if "valid_until" in fields:
        before, after = old_values.get("valid_until"), new_values.get("valid_until")
        if after is not None and (before is None or after < before) and after > timezone.now():
            fields.remove("valid_until")
    return fields


def notice_error(
    operator: Operator, effective_from: dt.datetime | None, now: dt.datetime | None = None
) -> str | None:
    """A message naming the earliest allowed time, or None when the notice is enough."""
    if not operator.surge_notice_hours:
        return None
    now = now or timezone.now()
    earliest = earliest_allowed(operator, now)
    if effective_from is not None and effective_from >= earliest - SLACK:
        return None
    local = earliest.astimezone(ZoneInfo(operator.time_zone))
    hours = operator.surge_notice_hours
    return (
        f"{operator.name} gives customers {hours} hour{'s' if hours != 1 else ''} notice of "
        f"surge changes: set “effective from” to {local:%Y-%m-%d %H:%M} "
        f"({operator.time_zone}) or later."
    )
