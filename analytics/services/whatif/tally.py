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

from analytics.services.whatif.past_sessions import PastSession

from .pricer import SessionCharge

ZERO = Decimal("0")
# 2: net revenue before tax and sessions by settlement date, as the dashboards (results
# without it counted net revenue with tax, and sessions by their start)
FIGURES_VERSION = 2
LIMIT_REASONS = {"limit_reached": "uses", "budget_exhausted": "budget"}


@dataclass
class Sums:
    """Money is net revenue (before tax) throughout, as on the dashboards
    (analytics.calc.figures.NET_REVENUE)."""

    sessions: int = 0  # sessions of the window, as the dashboards count them
    replayed: int = 0  # of which priced again (the others: charger or tariff gone)
    touched: int = 0
    redemptions: int = 0
    discount: Decimal = ZERO  # the subject's own discount (offers)
    surge_change: Decimal = ZERO
    net_change: Decimal = ZERO  # candidate - baseline (mechanical)
    recorded: Decimal = ZERO  # net revenue recorded, every session of the window
    actual: Decimal = ZERO  # net revenue recorded, the replayed sessions
    baseline: Decimal = ZERO
    candidate: Decimal = ZERO

    def row(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "replayed": self.replayed,
            "touched": self.touched,
            "redemptions": self.redemptions,
            "discount_cost": str(self.discount),
            "surge_change": str(self.surge_change),
            "net_change": str(self.net_change),
            "actual_net": str(self.recorded),
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
    presented: int = 0  # sessions chosen to present the subject's code
    displaced: Counter = field(default_factory=Counter)
    displaced_amount: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    stacked: Counter = field(default_factory=Counter)
    exhausted: dict[str, dict[str, Any]] = field(default_factory=dict)
    # when each displaced or stacked offer was first seen (session start, order ref): the
    # order of the result's ties, which a replay in parts (parallel.py) rebuilds from it
    first_seen: dict[tuple[str, str], tuple[dt.datetime, str]] = field(default_factory=dict)

    def record(self, s: PastSession, day: dt.date, station: str) -> None:
        """Every session of the window, replayed or not: the recorded figures."""
        for sums in (self.total, self.days[day], self.stations[station]):
            sums.sessions += 1
            sums.recorded += s.net_revenue

    def add(
        self, s: PastSession, day: dt.date, station: str, base: SessionCharge, cand: SessionCharge
    ) -> None:
        """A replayed session (recorded first)."""
        ids = {a.offer_id: a.discount for a in cand.applied}
        mine = ids.get(self.subject) if self.kind == "offer" else None
        touched = cand.total != base.total or mine is not None
        surge = cand.surge - base.surge
        for sums in (self.total, self.days[day], self.stations[station]):
            sums.replayed += 1
            sums.actual += s.net_revenue
            sums.baseline += base.net
            sums.candidate += cand.net
            sums.net_change += cand.net - base.net
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
                    self.first_seen.setdefault(("displaced", offer), (s.start, s.order_ref))
                    self.displaced[offer] += 1
                    self.displaced_amount[offer] += amount
        if mine is not None:
            for o in ids:
                if o != self.subject:
                    self.first_seen.setdefault(("stacked", o), (s.start, s.order_ref))
                    self.stacked[o] += 1
        if cand.refused in LIMIT_REASONS:  # the first refusal for a limit: exhausted then
            self.exhaust(LIMIT_REASONS[cand.refused], day)

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
            presented=self.presented,
        )
        return {
            "figures_version": FIGURES_VERSION,
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
