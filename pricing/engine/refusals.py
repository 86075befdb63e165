"""The two ways pricing can refuse: a bad request, or a bad tariff / surge rule set."""

from __future__ import annotations


class QuoteInputError(ValueError):
    """The session request cannot be priced as given (the caller should answer 4xx)."""


class PricingSetupError(ValueError):
    """A tariff or surge rule is malformed: an operator configuration bug, not a customer's."""
