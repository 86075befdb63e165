"""The commerce service: one call per step, a constant number of queries per quote, the
same quote whether or not every offer is explained, and a session without offers
announced for analytics by a signal (never by the protocol layer)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from offers.customer_keys import customer_key
from offers.events import session_settled
from offers.models import Redemption, RedemptionKind
from offers.services import SessionAsk, order_steps, settle
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
SARAH = customer_key(phone="+91-9876543210")


def bulk_offers(operator, count: int) -> None:
    for n in range(count):
        OfferFactory(
            operator=operator, code=f"bulk-{n}", title=f"Bulk {n}", additive=True,
            percent=Decimal("1"), max_uses=100 if n % 2 == 0 else None,
            window_start=dt.time(n % 24), window_end=dt.time((n + 2) % 24),
        )  # fmt: skip


@pytest.mark.parametrize("offers", [1, 40])
def test_a_quote_costs_four_queries_whatever_the_number_of_offers(
    deg, django_assert_num_queries, offers
):
    bulk_offers(deg.op_a, offers)
    deg.weekend.max_uses = 1000  # a limited candidate: its remaining uses are read
    deg.weekend.save()
    ask = SessionAsk(
        deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=SARAH, explain=False
    )
    order_steps.quote_session_with_offers(ask)  # builds the catalog and the price book
    # the stamps (network, pricing, catalog: one statement), the conditions (holidays,
    # charger statuses and grid signals in one statement; a session of 2025 is not from
    # the memo of live quotes), the customer, the remaining uses of the limited candidates
    with django_assert_num_queries(4):
        oq = order_steps.quote_session_with_offers(ask)
    assert "weekend-discount-25" in {a.offer_id for a in oq.applied}


def test_the_quote_is_the_same_with_or_without_every_offer_explained(deg):
    bulk_offers(deg.op_a, 40)
    for hour in (1, 9, 14, 19):
        ask = SessionAsk(
            deg.charger, SUNDAY_10.replace(hour=hour), kwh=Decimal("12"), explain=False,
            offer_ids=("bulk-3", "no-such-offer"),
        )  # fmt: skip
        fast = order_steps.quote_session_with_offers(ask)
        explained = order_steps.quote_session_with_offers(dataclasses.replace(ask, explain=True))
        assert (fast.quote, fast.applied) == (explained.quote, explained.applied)
        named = {r.offer_id: r.message for r in explained.rejected if r.offer_id in ask.offer_ids}
        assert {r.offer_id: r.message for r in fast.rejected if r.offer_id in named} == named
        assert len(explained.rejected) >= len(fast.rejected)


def test_a_quote_for_an_order_records_the_funnel_in_the_same_call(deg):
    ask = SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"))
    order_steps.quote_session_with_offers(ask, order_ref="order-1")
    order_steps.quote_session_with_offers(ask, order_ref="order-1", stage=RedemptionKind.VALIDATED)
    kinds = Redemption.objects.filter(order_ref="order-1").values_list("kind", flat=True)
    assert sorted(kinds) == ["quoted", "validated"]


def test_a_session_without_offers_is_settled_and_announced_once(deg):
    heard = []

    def listen(sender, **kwargs):
        heard.append(kwargs)

    session_settled.connect(listen)
    try:
        end = SUNDAY_10 + dt.timedelta(hours=1)
        ask = SessionAsk(deg.charger_b, SUNDAY_10, kwh=Decimal("5"), end=end)
        oq = settle("order-2", ask.kwh, end=ask.end, session=ask)
    finally:
        session_settled.disconnect(listen)
    assert oq.applied == () and oq.quote.total == Decimal("118.00")
    assert [h["order_ref"] for h in heard] == ["order-2"]
    from analytics.models import NoOfferSession

    assert NoOfferSession.objects.get(order_ref="order-2").order_ref == "order-2"
