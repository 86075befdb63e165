"""At stations with more than N chargers: for the operator's large hubs."""

from __future__ import annotations

from offers.rules.qualifiers.declared import Declared
from offers.rules.session_view import QuoteContext


def _holds(least: int, c: QuoteContext) -> bool:
    chargers = c.facts.station.chargers
    return chargers is not None and chargers > least


def _found(c: QuoteContext) -> str:
    chargers = c.facts.station.chargers
    if chargers is None:
        return "this station's chargers were not counted"
    return f"this station has {chargers}"


QUALIFIER = Declared(
    key="more_chargers_than",
    label="stations with more than N chargers",
    help_text="Valid only at stations with more than this many chargers.",
    tag="min-station-chargers",
    holds=_holds,
    words=lambda n: f"at stations with more than {n} chargers",
    found=_found,
)
