"""Adding up a replay: per session the recorded amounts, the baseline's and the
candidate's prices; per day and per station; who was affected; what was displaced.

Money stays Decimal; `result()` writes it as strings for the run's JSON.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .history import PastSession
from .pricer import Priced

ZERO = Decimal("0")
LIMIT_REASONS = {"limit_reached": "uses", "budget_exhausted": "budget"}


@dataclass
class Sums:
    sessions: int = 0
    touched: int = 0
    redemptions: int = 0
    discount: Decimal = ZERO  # the subject's own discount (offers)
    surge_change: Decimal = ZERO
    net_change: Decimal = ZERO  # candidate - baseline (mechanical)
    actual: Decimal = ZERO  # recorded net payable
    baseline: Decimal = ZERO
    candidate: Decimal = ZERO

    def row(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "touched": self.touched,
            "redemptions": self.redemptions,
            "discount_cost": str(self.discount),
            "surge_change": str(self.surge_change),
            "net_change": str(self.net_change),
            "actual_net": str(self.actual),
            "baseline_net": str(self.baseline),
            "candidate_net": str(self.candidate),
            "net_change_vs_actual": str(self.candidate - self.actual),
        }


@dataclass
class Tally:
    subject: str  # the offer id or surge rule code
    kind: str  # "offer" or "surge"
    date_from: dt.date
    total: Sums = field(default_factory=Sums)
    days: dict[dt.date, Sums] = field(default_factory=lambda: defaultdict(Sums))
    stations: dict[str, Sums] = field(default_factory=lambda: defaultdict(Sums))
    customers: set[str] = field(default_factory=set)
    anonymous: int = 0
    held_out: int = 0
    skipped: int = 0
    displaced: Counter = field(default_factory=Counter)
    displaced_amount: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    stacked: Counter = field(default_factory=Counter)
    exhausted: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, s: PastSession, day: dt.date, station: str, base: Priced, cand: Priced) -> None:
        ids = {a.offer_id: a.discount for a in cand.applied}
        mine = ids.get(self.subject) if self.kind == "offer" else None
        touched = cand.total != base.total or mine is not None
        surge = cand.surge - base.surge
        for sums in (self.total, self.days[day], self.stations[station]):
            sums.sessions += 1
            sums.actual += s.net
            sums.baseline += base.total
            sums.candidate += cand.total
            sums.net_change += cand.total - base.total
            sums.surge_change += surge
            if touched:
                sums.touched += 1
            if mine is not None:
                sums.redemptions += 1
                sums.discount += mine
        if self.subject in cand.held_out:
            self.held_out += 1
        if touched:
            if s.customer_key:
                self.customers.add(s.customer_key)
            else:
                self.anonymous += 1
            before = {a.offer_id: a.discount for a in base.applied}
            for offer, amount in before.items():
                if offer not in ids and offer != self.subject:
                    self.displaced[offer] += 1
                    self.displaced_amount[offer] += amount
        if mine is not None:
            self.stacked.update(o for o in ids if o != self.subject)
        reason = cand.refused
        if reason in LIMIT_REASONS and LIMIT_REASONS[reason] not in self.exhausted:
            self.exhaust(LIMIT_REASONS[reason], day)

    def exhaust(self, limit: str, day: dt.date) -> None:
        if limit not in self.exhausted:
            self.exhausted[limit] = {
                "limit": limit,
                "date": day.isoformat(),
                "day": (day - self.date_from).days + 1,
            }

    def result(self, new_customers: int) -> dict[str, Any]:
        summary = self.total.row()
        summary.update(
            customers=len(self.customers),
            new_customers=new_customers,
            returning_customers=len(self.customers) - new_customers,
            anonymous_sessions=self.anonymous,
            held_out=self.held_out,
            skipped=self.skipped,
        )
        return {
            "summary": summary,
            "days": [{"date": d.isoformat(), **v.row()} for d, v in sorted(self.days.items())],
            "stations": [{"station": k, **v.row()} for k, v in sorted(self.stations.items())],
            "displaced": [
                {"offer": o, "sessions": n, "discount": str(self.displaced_amount[o])}
                for o, n in self.displaced.most_common()
            ],
            "stacked_with": [{"offer": o, "sessions": n} for o, n in self.stacked.most_common()],
            "exhausted": sorted(self.exhausted.values(), key=lambda x: x["day"]),
        }
