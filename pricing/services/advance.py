"""Advance notice: surge changes that can raise a price take effect only after the
operator's notice period (DEG: "advance notice of surge charge changes").

The one rule, which the admin form, the pricing import and the docs follow: notice is
for a change that can make a customer pay more than the rule as it stands would charge
them. A new rule needs notice, and so does a change of anything that can make a rule
charge more or apply more often (NOTICE_FIELDS), unless it can only lower the price:
pausing, ending sooner, a lower amount in the same form, a lower cap per session or a
first cap. Wording (name, note) is not a price at all. Customers are told of rises in
advance; a reduction is never a surprise they need time for.
"""

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


# The values `needs_notice` compares, before and after, to tell a reduction from a rise.
COMPARED = ("paused", "valid_until", "form", "amount", "cap_per_session")


def needs_notice(
    changed: Iterable[str], *, new: bool, old_values: dict, new_values: dict
) -> list[str]:
    """The changed fields that need notice (module doc): ["new rule"] for a new rule,
    else the price fields among `changed` less those that can only lower the price.
    `old_values` / `new_values` hold COMPARED's values before and after."""
    if new:
        return ["new rule"]
    fields = [f for f in changed if f in PRICE_FIELDS]
    return [f for f in fields if not _only_lowers(f, fields, old_values, new_values)]


def _only_lowers(field: str, fields: list[str], old: dict, new: dict) -> bool:
    before, after = old.get(field), new.get(field)
    if field == "paused":
        return bool(after)
    if field == "valid_until":
        return after is not None and (before is None or after < before) and after > timezone.now()
    if field == "amount":  # in the same form only: 5 % and ₹5/kWh are not comparable
        if "form" in fields or before is None or after is None:
            return False
        return after < before
    if field == "cap_per_session":
        return after is not None and (before is None or after < before)
    return False


def old_values(rule) -> dict:
    """COMPARED's values of a saved surge rule, as stored (the admin form and the import
    read them before the change is applied)."""
    row = type(rule)._default_manager.filter(pk=rule.pk).values(*COMPARED).first()
    return row or {}


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
