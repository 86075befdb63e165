"""The declared qualifiers: each one module, declaring its stored value, form row, import
form, test and wording (declared.py); adding one is a new module and a line below.

`declared_of` reads an offer's `conditions` object into the rules' Qualifier.declared
(sorted (key, value) pairs); conditions.py turns each into a Condition.
"""

from __future__ import annotations

from collections.abc import Mapping

from offers.rules.qualifiers import more_chargers
from offers.rules.qualifiers.declared import Declared, DeclaredError

DECLARED: tuple[Declared, ...] = (more_chargers.QUALIFIER,)
BY_KEY: Mapping[str, Declared] = {d.key: d for d in DECLARED}
CONDITIONS = "conditions"  # the offer's field (and document key) that holds them


def declared_of(raw: object) -> tuple[tuple[str, int], ...]:
    """An offer's `conditions` object as sorted (key, value) pairs, None values left out.
    Raises DeclaredError for anything else."""
    if raw is None or raw == "":
        return ()
    if not isinstance(raw, dict):
        raise DeclaredError(CONDITIONS, "Conditions: a JSON object of condition names and values.")
    out = []
    for key, value in raw.items():
        found = BY_KEY.get(key)
        if found is None:
            known = ", ".join(sorted(BY_KEY))
            raise DeclaredError(CONDITIONS, f"Unknown condition {key!r} (known: {known}).")
        if value is not None:
            out.append((key, found.read(value)))
    return tuple(sorted(out))


def declared_tags(declared: tuple[tuple[str, int], ...]) -> dict[str, str]:
    """The catalog's DEG offer-details tags of the declared qualifiers."""
    return {BY_KEY[key].tag: str(value) for key, value in declared}


__all__ = [
    "BY_KEY",
    "DECLARED",
    "Declared",
    "DeclaredError",
    "declared_of",
    "declared_tags",
]
