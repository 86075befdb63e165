"""Declared qualifiers (offers.rules.qualifiers) on the pure evaluator: stations with more
than N chargers, read from the station's facts."""

from __future__ import annotations

import pytest

from offers.rules.construct import OfferRule, Qualifier
from offers.rules.evaluate import evaluate
from offers.rules.facts import StationFacts
from offers.rules.outcome import Eligible, Reason, Rejected
from offers.rules.qualifiers import BY_KEY, DeclaredError, declared_of

from .helpers import facts, offer, priced_slot


def big_hubs(more_than: int = 4) -> OfferRule:
    return offer("hubs", qualifier=Qualifier(declared=(("more_chargers_than", more_than),)))


def outcome(o: OfferRule, chargers: int | None) -> Eligible | Rejected:
    return evaluate(o, priced_slot(), facts(station=StationFacts(chargers=chargers)))


@pytest.mark.parametrize(("chargers", "applies"), [(5, True), (4, False), (3, False), (0, False)])
def test_it_applies_only_above_the_count(chargers: int, applies: bool) -> None:
    assert isinstance(outcome(big_hubs(), chargers), Eligible) is applies


def test_its_rejection_words_the_condition_and_what_the_station_has() -> None:
    r = outcome(big_hubs(), 3)
    assert isinstance(r, Rejected)
    assert (r.reason, r.message) == (
        Reason.NOT_VALID_HERE,
        "Offer hubs is valid only at stations with more than 4 chargers; this station has 3",
    )
    uncounted = outcome(big_hubs(), None)
    assert isinstance(uncounted, Rejected)
    assert uncounted.message.endswith("; this station's chargers were not counted")
    assert BY_KEY["more_chargers_than"].words(4) == "at stations with more than 4 chargers"


def test_stored_conditions_are_read_or_refused_by_name() -> None:
    assert declared_of({"more_chargers_than": 4}) == (("more_chargers_than", 4),)
    assert declared_of({"more_chargers_than": None}) == ()
    assert declared_of({}) == declared_of(None) == ()
    for bad, field in [
        ([4], "conditions"),
        ({"nope": 1}, "conditions"),
        ({"more_chargers_than": True}, "more_chargers_than"),
        ({"more_chargers_than": -1}, "more_chargers_than"),
    ]:
        with pytest.raises(DeclaredError) as refused:
            declared_of(bad)
        assert refused.value.field == field
