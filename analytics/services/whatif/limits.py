"""Offer limits kept in memory while a replay walks the sessions in order: uses, budget
spent and each customer's uses, from zero at the window's start (as if every limited
offer had started with it). The rules read them as facts (offers.services.facts.limits_from,
the same conversion the quote path uses); a redemption moves them as ledger.redeem moves
the counters. The first session an offer is refused for a limit is its exhaustion date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from offers.rules import Applied, Limits
from offers.services import OfferInfo, limits_from

ZERO = Decimal("0")


class LimitState:
    def __init__(self, offers: Sequence[OfferInfo]) -> None:
        self.infos = {i.code: i for i in offers if i.limited}
        self.per_customer = [i for i in self.infos.values() if i.max_uses_per_customer]
        self.uses: dict[str, int] = defaultdict(int)
        self.spent: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.customer_uses: dict[tuple[str, str], int] = defaultdict(int)
        self._shared = {code: self._limits(info, "") for code, info in self.infos.items()}

    def _limits(self, info: OfferInfo, key: str) -> Limits:
        mine = self.customer_uses.get((info.code, key), 0) if key else None
        return limits_from(info, self.uses.get(info.code, 0), self.spent.get(info.code, ZERO), mine)

    def facts(self, key: str) -> dict[str, Limits]:
        """What is left of every limited offer for this customer (anonymous: no
        per-customer count, as load_limits)."""
        if not key or not self.per_customer:
            return self._shared
        out = dict(self._shared)
        for info in self.per_customer:
            out[info.code] = self._limits(info, key)
        return out

    def consume(self, applied: Iterable[Applied], key: str) -> None:
        for a in applied:
            info = self.infos.get(a.offer_id)
            if info is None:
                continue
            self.uses[a.offer_id] += 1
            self.spent[a.offer_id] += a.discount
            if key:
                self.customer_uses[(a.offer_id, key)] += 1
            self._shared[a.offer_id] = self._limits(info, "")
