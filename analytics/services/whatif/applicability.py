"""What a replay cannot do for its subject, said on the form before a run and on the
result after it, and the honest alternative.

A past session presented no code (for this offer: it did not exist), bought no add-on
and had the occupancy nobody kept. So an opt-in offer (one that needs its code) or a combo
applies to no replayed session at all, and an occupancy surge never triggers: a run would
show zeros without saying why. For an offer that needs its code the form offers a
replay *as if N % of the eligible sessions presented it*: which sessions present it is
decided by a hash of the session's order reference and the offer id, so the same run
replays the same sessions every time, and N is shown on the result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from analytics.models.candidates import candidate_offer, candidate_surge
from offers.rules import PresentedCode, is_combo

REPLAYED_CODE = "(replayed)"  # what a session "presents": the code as matched


@dataclass(frozen=True, slots=True)
class Limit:
    key: str  # "code", "addon", "occupancy"
    text: str

    @property
    def code(self) -> bool:
        """The form offers the share of sessions presenting the code for this one."""
        return self.key == "code"


NEEDS_CODE = Limit(
    "code",
    "This offer is opt-in: it applies only when the customer presents its code. Past "
    "sessions presented no code for it, so replayed as they were it applies to no session. "
    "Choose a share of eligible sessions that present the code to see what it would do.",
)
NEEDS_ADDON = Limit(
    "addon",
    "This is a combo offer: it needs an add-on bought with the session. Past add-ons are "
    "not replayed, so it applies to no replayed session.",
)
OCCUPANCY = Limit(
    "occupancy",
    "This surge is raised by occupancy. Past occupancy is not kept, so it never applies to "
    "a replayed session.",
)


def limits_of(operator, kind: str, definition: dict[str, Any]) -> list[Limit]:
    """Why `definition` (an offer's terms or a surge rule's fields) cannot apply, or not
    fully, to replayed sessions (empty: nothing the replay lacks)."""
    out: list[Limit] = []
    try:
        if kind == "offer":
            rule = candidate_offer(operator, definition)
            if not rule.meta.auto:
                out.append(NEEDS_CODE)
            if is_combo(rule):
                out.append(NEEDS_ADDON)
        else:
            surge = candidate_surge(operator, definition)
            if surge.occupancy_threshold is not None:
                out.append(OCCUPANCY)
    except (ValueError, TypeError, KeyError, LookupError):
        return []  # a definition that cannot be read: the run's own checks say so
    return out


def presents(order_ref: str, offer_id: str, share: int | None) -> bool:
    """Whether this session presents the offer's code in a replay where `share` % of the
    eligible sessions do: a hash of the order reference and the offer id, so the same
    sessions present it in every run."""
    if not share:
        return False
    digest = hashlib.sha256(f"{offer_id}\x00{order_ref}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < share


def presented_codes(order_ref: str, offer_id: str, share: int | None) -> dict[str, PresentedCode]:
    """The codes a replayed session presents (OfferFacts.codes): the offer's, or none."""
    if presents(order_ref, offer_id, share):
        return {offer_id: PresentedCode(REPLAYED_CODE, matched=True)}
    return {}
