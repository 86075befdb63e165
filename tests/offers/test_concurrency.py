"""Limits hold under real concurrent transactions (PostgreSQL only).

Worker threads each hold their own database connection and start together at a barrier;
attempts are spread over them. The server allows 100 connections shared with other test
runs, so the attempts (200, 100, 20) run on up to THREADS connections at once.
"""

from __future__ import annotations

import os
import queue
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from offers.customers import customer_key
from offers.models import CustomerOfferUsage, OfferUsage, Redemption
from offers.services.ledger import OfferUnavailable, redeem
from offers.services.quoting import quote_with_offers
from tests.offers.conftest import SUNDAY_10

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = int(os.environ.get("OFFERS_CONCURRENCY_THREADS", "40"))
SARAH = customer_key(phone="+91-9876543210")


def run_together(attempts, work, threads: int = THREADS) -> list[object]:
    """Run work(attempt) for every attempt on `threads` threads started at once; return
    each attempt's result or the exception it raised."""
    tasks: queue.Queue = queue.Queue()
    for attempt in attempts:
        tasks.put(attempt)
    results: list[object] = []
    lock = threading.Lock()
    size = min(threads, len(attempts))
    barrier = threading.Barrier(size)

    def worker():
        try:
            barrier.wait()
            while True:
                try:
                    attempt = tasks.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = work(attempt)
                except Exception as exc:  # collected, asserted on below
                    outcome = exc
                with lock:
                    results.append(outcome)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(size)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in pool), "a worker hung"
    return results


def reasons(results) -> Counter:
    return Counter(
        r.reason.value if isinstance(r, OfferUnavailable) else type(r).__name__ for r in results
    )


def anonymous_quote(deg):
    return quote_with_offers(deg.charger, SUNDAY_10, amount=Decimal("100"))


def test_200_redemptions_against_50_uses(deg):
    deg.weekend.max_uses = 50
    deg.weekend.save()
    oq = anonymous_quote(deg)
    results = run_together(range(200), lambda i: redeem(f"order-{i}", oq))
    assert reasons(results) == Counter({"OfferQuote": 50, "limit_reached": 150})
    assert OfferUsage.objects.get(offer=deg.weekend).uses == 50
    assert OfferUsage.objects.get(offer=deg.weekend).budget_spent == Decimal("1125.00")
    assert Redemption.objects.filter(kind="redeemed").count() == 50
    assert Redemption.objects.values("order_ref").distinct().count() == 50


def test_20_redemptions_by_one_customer_limited_to_1(deg):
    deg.weekend.max_uses_per_customer = 1
    deg.weekend.save()
    oq = quote_with_offers(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=SARAH)
    results = run_together(range(20), lambda i: redeem(f"order-{i}", oq))
    assert reasons(results) == Counter({"OfferQuote": 1, "customer_limit_reached": 19})
    assert CustomerOfferUsage.objects.get(offer=deg.weekend, customer_key=SARAH).uses == 1
    assert OfferUsage.objects.get(offer=deg.weekend).uses == 1
    assert Redemption.objects.filter(kind="redeemed", customer_key=SARAH).count() == 1


@pytest.mark.parametrize(
    ("policy", "given", "spent"),
    [
        # 1000 / 22.50: 44 full discounts (990.00), then the last 10.00 cut, then none
        ("cut", Counter({"OfferQuote": 45, "budget_exhausted": 55}), Decimal("1000.00")),
        ("refuse", Counter({"OfferQuote": 44, "budget_exhausted": 56}), Decimal("990.00")),
    ],
)
def test_budget_is_never_exceeded(deg, policy, given, spent):
    deg.weekend.budget, deg.weekend.budget_policy = Decimal("1000"), policy
    deg.weekend.save()
    oq = anonymous_quote(deg)
    results = run_together(range(100), lambda i: redeem(f"order-{i}", oq))
    assert reasons(results) == given
    usage = OfferUsage.objects.get(offer=deg.weekend)
    assert usage.budget_spent == spent and usage.uses == given["OfferQuote"]
    ledger = [r.discount for r in Redemption.objects.filter(kind="redeemed")]
    assert sum(ledger) == spent
    given_amounts = sorted(r.discount for r in results if not isinstance(r, Exception))
    assert given_amounts == sorted(ledger)
    if policy == "cut":
        assert Counter(ledger) == Counter({Decimal("22.50"): 44, Decimal("10.00"): 1})


def test_same_order_redeemed_concurrently_is_recorded_once(deg):
    deg.weekend.max_uses = 100
    deg.weekend.save()
    oq = anonymous_quote(deg)
    results = run_together(range(10), lambda i: redeem("order-same", oq))
    assert reasons(results) == Counter({"OfferQuote": 10})
    assert {r.discount for r in results} == {Decimal("22.50")}
    assert Redemption.objects.filter(order_ref="order-same").count() == 1
    assert OfferUsage.objects.get(offer=deg.weekend).uses == 1
