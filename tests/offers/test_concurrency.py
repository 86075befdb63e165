"""Limits hold under real concurrent transactions (PostgreSQL only).

Every test races 200 attempts at once: 200 threads, each with its own connection, released
together at a barrier (tests/races.py; it fails on CI and skips elsewhere, with the numbers,
when the server cannot hold 200 more connections). Outcomes are exact, and the counters in
the database always equal the ledger.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from offers.customer_keys import customer_key
from offers.models import CustomerOfferUsage, OfferUsage, Redemption
from offers.services.ledger import OfferUnavailable, redeem
from offers.services.quoting import SessionAsk, quote_with_offers
from tests.offers.conftest import SUNDAY_10
from tests.races import race_n

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WAY = 200
DISCOUNT = Decimal("22.50")  # 25 % of the DEG session's ₹90 energy


def reasons(results) -> Counter:
    return Counter(
        r.reason.value if isinstance(r, OfferUnavailable) else type(r).__name__ for r in results
    )


def anonymous_quote(deg):
    return quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))


def assert_counters_match_ledger(offer):
    """uses == redeemed rows, budget_spent == their discounts, per offer and per customer."""
    usage = OfferUsage.objects.get(offer=offer)
    redeemed = Redemption.objects.filter(offer=offer, kind="redeemed")
    assert usage.uses == redeemed.count()
    assert usage.budget_spent == (redeemed.aggregate(s=Sum("discount"))["s"] or 0)
    for row in CustomerOfferUsage.objects.filter(offer=offer):
        assert row.uses == redeemed.filter(customer_key=row.customer_key).count()
    return usage


def test_200_redemptions_against_50_uses(deg):
    deg.weekend.max_uses = 50
    deg.weekend.save()
    oq = anonymous_quote(deg)
    results = race_n(WAY, lambda i: redeem(f"order-{i}", oq))
    assert reasons(results) == Counter({"OfferQuote": 50, "limit_reached": 150})
    usage = assert_counters_match_ledger(deg.weekend)
    assert usage.uses == 50 and usage.budget_spent == 50 * DISCOUNT
    assert Redemption.objects.values("order_ref").distinct().count() == 50
    won = {f"order-{i}" for i, r in enumerate(results) if not isinstance(r, Exception)}
    assert set(Redemption.objects.values_list("order_ref", flat=True)) == won


def test_200_redemptions_by_10_customers_limited_to_2_each(deg):
    deg.weekend.max_uses_per_customer = 2
    deg.weekend.save()
    phones = [f"+91-98765432{n:02d}" for n in range(10)]
    quotes = [
        quote_with_offers(
            SessionAsk(
                deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=customer_key(phone=p)
            )
        )
        for p in phones
    ]
    results = race_n(WAY, lambda i: redeem(f"order-{i}", quotes[i % 10]))
    assert reasons(results) == Counter({"OfferQuote": 20, "customer_limit_reached": 180})
    usage = assert_counters_match_ledger(deg.weekend)
    assert usage.uses == 20
    per_customer = dict(
        CustomerOfferUsage.objects.filter(offer=deg.weekend).values_list("customer_key", "uses")
    )
    assert per_customer == {customer_key(phone=p): 2 for p in phones}
    won = Counter(i % 10 for i, r in enumerate(results) if not isinstance(r, Exception))
    assert won == {n: 2 for n in range(10)}


@pytest.mark.parametrize(
    ("policy", "given", "spent"),
    [
        # 1000 / 22.50: 44 full discounts (990.00), then the last 10.00 cut, then none
        ("cut", Counter({"OfferQuote": 45, "budget_exhausted": 155}), Decimal("1000.00")),
        ("refuse", Counter({"OfferQuote": 44, "budget_exhausted": 156}), Decimal("990.00")),
    ],
)
def test_200_redemptions_never_exceed_the_budget(deg, policy, given, spent):
    deg.weekend.budget, deg.weekend.budget_policy = Decimal("1000"), policy
    deg.weekend.save()
    oq = anonymous_quote(deg)
    results = race_n(WAY, lambda i: redeem(f"order-{i}", oq))
    assert reasons(results) == given
    usage = assert_counters_match_ledger(deg.weekend)
    assert usage.budget_spent == spent <= deg.weekend.budget
    assert usage.uses == given["OfferQuote"]
    ledger = [r.discount for r in Redemption.objects.filter(kind="redeemed")]
    given_amounts = sorted(r.applied[0].discount for r in results if not isinstance(r, Exception))
    assert given_amounts == sorted(ledger)
    if policy == "cut":
        assert Counter(ledger) == Counter({DISCOUNT: 44, Decimal("10.00"): 1})
    else:
        assert Counter(ledger) == Counter({DISCOUNT: 44})


def test_same_order_redeemed_200_times_at_once_is_recorded_once(deg):
    deg.weekend.max_uses = 100
    deg.weekend.save()
    oq = anonymous_quote(deg)
    results = race_n(WAY, lambda i: redeem("order-same", oq))
    assert reasons(results) == Counter({"OfferQuote": WAY})
    assert {r.applied[0].discount for r in results} == {DISCOUNT}
    assert {r.quote.total for r in results} == {results[0].quote.total}
    assert Redemption.objects.filter(order_ref="order-same").count() == 1
    usage = assert_counters_match_ledger(deg.weekend)
    assert usage.uses == 1 and usage.budget_spent == DISCOUNT
