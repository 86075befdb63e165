"""What a customer reads about a surge, written from the rule itself.

One function, `surge_text`, turns an engine `SurgeRule` into the sentence every surface
shows: the admin preview, the week view, surge notices, Beckn's `surge-notice` "Know more"
and the quote's notices. It follows the DEG examples' wording ("Congestion Fee: ₹1/kWh
between 6 PM - 9 PM") and the product's number formats (cpo_portal.formatting), a 12-hour
clock; the amount is written as the quote line's title writes it, with every decimal the
engine applies (pricing.engine.text.surge_amount). Staff's optional note follows the
derived text; it may hold no figures, so nothing a customer reads can disagree with the
price. Pure: no queries, only the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

from cpo_portal import formatting
from cpo_portal.models.network import ChargingSpeed, SiteKind
from pricing.engine.schedule import clock, days_text
from pricing.engine.text import surge_amount
from pricing.engine.types import ALL_DAYS, ChargeForm, SurgeRule, TimeWindow

NOTE_DIGITS_ERROR = (
    "Leave figures out of the note: the amount, times and thresholds are written from "
    "the rule itself, so the note can never disagree with them."
)


def note_has_no_figures(note: str) -> bool:
    return not any(ch.isdigit() for ch in note)


def joined(items: Sequence[str], word: str = "and") -> str:
    """["a"] -> "a", ["a", "b"] -> "a and b", ["a", "b", "c"] -> "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _labels(codes: Iterable[str], choices: type[SiteKind] | type[ChargingSpeed]) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(code, code)).lower() for code in sorted(codes)]


def charge_text(rule: SurgeRule) -> str:
    """ "₹1/kWh", "25% on energy", "₹25 per session" (with a cap when there is one); the
    amount as the quote line's title writes it (pricing.engine.text.surge_amount)."""
    text = surge_amount(rule.form, rule.amount, rule.currency)
    if rule.form is ChargeForm.PERCENT:
        text += " on energy"
    elif rule.form is ChargeForm.FLAT:
        text += " per session"
    if rule.cap_per_session is not None and rule.form is not ChargeForm.FLAT:
        cap = formatting.money_in_sentence(rule.cap_per_session, rule.currency)
        text += f", at most {cap} a session"
    return text


def when_text(window: TimeWindow | None, holidays_only: bool = False) -> str:
    """ "between 6 PM - 9 PM", "between 6 PM - 9 PM on weekdays", "on weekends",
    "on public holidays"; empty for all day, every day."""
    days = ALL_DAYS if window is None else window.days
    timed = window is not None and window.start != window.end
    parts = []
    if timed and window is not None:
        parts.append(f"between {clock(window.start)} - {clock(window.end)}")
    if holidays_only:
        on = "on public holidays"
        parts.append(on if days == ALL_DAYS else f"{on} falling on {days_text(days)}")
    elif days != ALL_DAYS:
        parts.append(f"on {days_text(days)}")
    return " ".join(parts)


def where_text(rule: SurgeRule) -> list[str]:
    """Which sites and chargers: "at highway stations", "on fast chargers of 50 kW or
    more". Named stations and regions are left out: the customer is looking at a station,
    and the text is shown only where the rule applies."""
    out = []
    if rule.site_kinds:
        out.append(f"at {joined(_labels(rule.site_kinds, SiteKind))} stations")
    speeds = joined(_labels(rule.charging_speeds, ChargingSpeed), "or")
    if rule.min_power_kw is not None:
        kw = formatting.number(rule.min_power_kw, places_of(rule.min_power_kw))
        out.append(f"on {speeds + ' ' if speeds else ''}chargers of {kw} kW or more")
    elif speeds:
        out.append(f"on {speeds} chargers")
    return out


def trigger_text(rule: SurgeRule) -> list[str]:
    """The demand triggers: "when occupancy is 80% or more", "while the grid is under
    stress"."""
    out = []
    if rule.occupancy_threshold is not None:
        share = formatting.stated_percent_of_ratio(rule.occupancy_threshold)
        out.append(f"when occupancy is {share} or more")
    if rule.on_grid_stress:
        out.append("while the grid is under stress")
    return out


def places_of(value: Decimal) -> int:
    """The decimals a quantity needs: 50.00 -> 0, 7.40 -> 1."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def derived_text(rule: SurgeRule) -> str:
    """The sentence without the note: "<name>: <charge> <when> <where> <triggers>"."""
    parts = [charge_text(rule), when_text(rule.window, rule.holidays_only)]
    parts += where_text(rule) + trigger_text(rule)
    return f"{rule.name}: " + " ".join(p for p in parts if p)


@lru_cache(maxsize=4096)
def surge_text(rule: SurgeRule) -> str:
    """The customer-facing text: the derived sentence, then the staff's note if any."""
    text = derived_text(rule)
    note = rule.note.strip()
    if not note:
        return text
    return f"{text}. {note}"
