"""What a qualifier declares about itself, in one place (the registry is this package).

A declared qualifier is one whole-number setting of an offer, kept under its `key` in the
offer's `conditions` (a JSON object: a new qualifier needs no migration), written under
that key in the pricing document, shown as one form row, tested on the quote's
QuoteContext (pure: whatever it reads of the station or the customer reaches it through
the facts) and worded for drivers and BAPs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from offers.rules.outcome import Reason
from offers.rules.session_view import QuoteContext


class DeclaredError(ValueError):
    """A stored or imported value the qualifier refuses; `field` is where to say so."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Declared:
    key: str  # its key in Offer.conditions and the pricing document, and its form row
    label: str  # the form row's label
    help_text: str  # the form row's help
    tag: str  # its code in the catalog's DEG offer-details tags (its value: the number)
    holds: Callable[[int, QuoteContext], bool]  # the session qualifies, for this value
    words: Callable[[int], str]  # the condition for drivers and BAPs: "at stations with..."
    found: Callable[[QuoteContext], str]  # what the session has instead: "this one has 3"
    reason: Reason = Reason.NOT_VALID_HERE  # the rejection's code
    minimum: int = 0  # the least value accepted

    def read(self, value: object) -> int:
        """The stored value, checked (DeclaredError naming this row when it is not one)."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise DeclaredError(self.key, f"{self.label}: a whole number, not {value!r}.")
        if value < self.minimum:
            raise DeclaredError(self.key, f"{self.label}: at least {self.minimum}.")
        return value
