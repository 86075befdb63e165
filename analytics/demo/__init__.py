"""Demo analytics: months of charging sessions through the real pricing and offer services,
then the rollup, so that a fresh `make run` shows the dashboards something to look at.

Every session is quoted by offers.services.quoting (the operator's real tariffs, surge
rules and offers), and offer sessions go through the ledger's own record_quote, redeem,
settle and reverse; sessions without offers through services.sessions.record_session. So
the rows are what production writes. The only thing simulated is the clock: the ledger
stamps settle and reverse rows with "now", which here is the session's simulated time.

Behaviour built in, for the dashboards to find: weekday and weekend hourly demand shapes,
some drivers moving out of surge windows to nearby hours, and customers who got an offer
coming back more often (held-out customers do not), so offers have a measurable uplift.
Idempotent: once demo sessions exist it only rolls up.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from tqdm import tqdm

from analytics.demo.bulk import BulkLedger
from analytics.demo.trial_offers import ensure_customers, ensure_offers
from analytics.models import NoOfferSession
from analytics.services.rollup import run_incremental
from analytics.services.sessions import record_session
from cpo_portal.formatting.number_inputs import whole_number_option
from cpo_portal.models import Charger, Operator
from offers.models import Redemption
from offers.services import (
    OfferUnavailable,
    SessionAsk,
    quote_with_offers,
    record_quote,
    redeem,
    reverse,
    settle,
)
from pricing.engine import kwh_floor

PREFIX = "demo-"
MAX_SESSIONS = 1_000_000  # a demo's history, not a load test
MAX_SESSION_DAYS = 3650  # ten years back stays within the product's dates (from 2000)
WEEKDAY = [1, .6, .4, .3, .3, .6, 1.5, 3, 4.5, 4, 3, 2.8, 3, 3, 2.8, 3, 3.5, 4.5, 5.5, 5.5, 5, 3.5, 2.5, 1.6]  # fmt: skip  # noqa: E501
WEEKEND = [1, .7, .5, .4, .4, .5, .8, 1.3, 2, 3, 3.8, 4.2, 4.3, 4.2, 4.1, 4, 4, 4, 4, 3.6, 3, 2.4, 1.9, 1.4]  # fmt: skip  # noqa: E501
AVOID_SURGE = 0.4  # drivers who move a surged session to a nearby hour
RETURN_AFTER_OFFER = 0.35  # customers who come back within days after getting an offer
CANCEL = 0.03
SERVICE_EVERY = 10  # one session in ten goes through the full services, the rest in bulk
ANONYMOUS = 0.12


# Read before any seeder runs: 0 days left nothing to draw from, and a number past the
# calendar overflowed, each with a traceback after the network was seeded; a number of
# sessions past the cap ran for days.
_sessions = whole_number_option(0, MAX_SESSIONS, "sessions")
_session_days = whole_number_option(1, MAX_SESSION_DAYS, "days")


def add_arguments(parser) -> None:
    parser.add_argument(
        "--sessions",
        type=_sessions,
        default=3000,
        help="Charging sessions to simulate for the analytics demo (default 3000; 0: none; "
        f"at most {MAX_SESSIONS}).",
    )
    parser.add_argument(
        "--session-days",
        type=_session_days,
        default=120,
        help="Days of history the simulated sessions cover, ending yesterday (default 120; "
        f"1 to {MAX_SESSION_DAYS}).",
    )


@dataclass(order=True)
class Visit:
    start: dt.datetime
    n: int
    charger: Charger = field(compare=False)
    customer: str = field(compare=False)
    kwh: Decimal = field(compare=False)
    induced: bool = field(compare=False, default=False)


class Simulation:
    def __init__(self, operators: list[Operator], first: dt.date, days: int, rng: random.Random):
        self.rng = rng
        self.first, self.days = first, days
        self.zone = ZoneInfo(operators[0].time_zone)
        self.chargers: dict[int, list[Charger]] = {}
        self.weights: dict[int, list[float]] = {}
        self.customers: dict[int, list[str]] = {}
        self.loyalty: dict[int, list[float]] = {}
        for operator in operators:
            chargers = list(
                Charger.objects.filter(operator=operator, station__status="active")
                .select_related("station", "operator")
                .order_by("station__code", "code")
            )
            stations = sorted({c.station_id for c in chargers})
            busy = set(stations[: max(len(stations) // 3, 1)])
            self.chargers[operator.pk] = chargers
            self.weights[operator.pk] = [3.0 if c.station_id in busy else 1.0 for c in chargers]
            count = 600 if operator.code == "cpo1.com" else 150
            self.customers[operator.pk] = ensure_customers(operator, count, first)
            # A few regulars charge often, most people now and then.
            self.loyalty[operator.pk] = list(
                itertools.accumulate(1 / (i + 8) ** 0.9 for i in range(count))
            )
        self.operators = operators
        self.counter = 0
        self.bulk = BulkLedger(operators)

    def visit(self) -> Visit:
        rng = self.rng
        operator = self.operators[0] if rng.random() < 0.85 else self.operators[-1]
        day = self.first + dt.timedelta(days=rng.randrange(self.days))
        weekend = day.weekday() >= 5
        hour = rng.choices(range(24), WEEKEND if weekend else WEEKDAY)[0]
        start = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=self.zone)
        charger = rng.choices(self.chargers[operator.pk], self.weights[operator.pk])[0]
        people = self.customers[operator.pk]
        loyalty = self.loyalty[operator.pk]
        customer = "" if rng.random() < ANONYMOUS else rng.choices(people, cum_weights=loyalty)[0]
        top = min(Decimal(45), charger.power_kw * Decimal("1.2"))
        kwh = Decimal(str(round(rng.uniform(4, float(max(top, Decimal(8)))), 1)))
        self.counter += 1
        return Visit(start, self.counter, charger, customer, kwh)

    def avoid_surge(self, v: Visit) -> Visit:
        """Some drivers facing a surge charge come two to three hours earlier or later."""
        surge = self.bulk.surge(v.charger, v.start, v.kwh, v.customer)
        if surge <= 0 or self.rng.random() >= AVOID_SURGE:
            return v
        moved = v.start + dt.timedelta(hours=self.rng.choice([-3, -2, 2, 3]))
        if self.bulk.surge(v.charger, moved, v.kwh, v.customer) < surge:
            return Visit(moved, v.n, v.charger, v.customer, v.kwh, v.induced)
        return v

    def run(self, v: Visit) -> Visit | None:
        """One session, end to end. Returns a return visit the offer brought, if any."""
        if not v.induced:
            v = self.avoid_surge(v)
        order = f"{PREFIX}{v.charger.operator.code.split('.')[0]}-{v.n:07d}"
        delivered = kwh_floor(v.kwh * Decimal(str(self.rng.uniform(0.88, 1.0))))
        cancel = self.rng.random() < CANCEL
        if v.n % SERVICE_EVERY == 0:
            given = self.through_services(order, v, delivered, cancel)
        else:
            given = self.bulk.session(
                order, v.charger, v.start, v.customer, v.kwh, delivered, cancel
            )
        return self.comeback(v) if given else None

    def through_services(self, order: str, v: Visit, delivered: Decimal, cancel: bool) -> bool:
        """The production path: quote_with_offers, record_quote, redeem, settle / reverse,
        record_session. Returns whether an offer was given and kept."""
        oq = quote_with_offers(
            SessionAsk(v.charger, v.start, kwh=v.kwh, customer_key=v.customer, now=v.start)
        )
        if oq.applied or oq.held_out:
            record_quote(order, oq, now=v.start - dt.timedelta(minutes=5))
            try:
                oq = redeem(order, oq, now=v.start - dt.timedelta(minutes=2))
            except OfferUnavailable:
                return False  # the driver went elsewhere
            if oq.applied and cancel:
                reverse(
                    order, reason="Cancelled by the customer", now=v.start - dt.timedelta(minutes=1)
                )
                return False
            if oq.applied:
                settled = settle(order, delivered, now=oq.priced.end)
                return bool(settled.applied)
        # no offer, or held out of every offer: the session goes on without one
        final = quote_with_offers(
            SessionAsk(v.charger, v.start, kwh=delivered, customer_key="", now=v.start)
        )
        record_session(
            order, final.priced, final.quote, v.charger, oq.facts.customer,
            occurred_at=final.priced.end,
        )  # fmt: skip
        return False

    def comeback(self, v: Visit) -> Visit | None:
        if not v.customer or self.rng.random() >= RETURN_AFTER_OFFER:
            return None
        later = v.start + dt.timedelta(days=self.rng.randint(2, 9), hours=self.rng.randint(-1, 1))
        if later.date() >= self.first + dt.timedelta(days=self.days):
            return None
        self.counter += 1
        return Visit(later, self.counter, v.charger, v.customer, v.kwh, induced=True)


def simulate(sim: Simulation, total: int, progress: bool) -> tuple[int, int]:
    """`total` sessions spread over the period, plus the return visits offers bring (at
    most a quarter more), in time order. Returns (sessions, return visits)."""
    queue = [sim.visit() for _ in range(total)]
    heapq.heapify(queue)
    done = returns = 0
    with tqdm(total=total, desc="sessions", unit="session", disable=not progress) as bar:
        while queue:
            with transaction.atomic():  # a hundred sessions per commit
                for _ in range(min(100, len(queue))):
                    v = heapq.heappop(queue)
                    extra = sim.run(v)
                    if extra is not None and returns < total // 4:
                        heapq.heappush(queue, extra)
                        returns += 1
                    done += 1
                    bar.update(0 if v.induced else 1)
                sim.bulk.flush()
    return done - returns, returns


def seed(options: dict, out) -> None:
    total = options.get("sessions", 3000)
    days = options.get("session_days", 120)
    progress = options.get("progress", True)
    if total <= 0:
        return
    if (
        NoOfferSession.objects.filter(order_ref__startswith=PREFIX).exists()
        or Redemption.objects.filter(order_ref__startswith=PREFIX).exists()
    ):
        result = run_incremental()
        out.write(f"Demo sessions already simulated; rolled up {result.rows} new ledger rows.\n")
        return
    operators = list(Operator.objects.filter(code__in=["cpo1.com", "voltgrid.in"]).order_by("pk"))
    if not operators:
        out.write("No demo operators: run the network seeder first.\n")
        return
    today = dt.datetime.now(ZoneInfo(operators[0].time_zone)).date()
    first = today - dt.timedelta(days=days)
    offers = ensure_offers({o.code: o for o in operators}, first, days)
    sim = Simulation(operators, first, days, random.Random(options.get("seed", 7)))
    done, returns = simulate(sim, total, progress)
    result = run_incremental()
    out.write(
        f"Analytics: {done} sessions and {returns} return visits over {days} days with "
        f"{len(offers)} offers; "
        f"rolled up {result.rows} rows into {result.partitions} partitions "
        f"in {result.seconds:.1f}s.\n"
    )
