"""One count of uses (offers.services.uses): for the same offer and period, the offer list,
the budget bar, the staff home, the ROI dashboard (and its CSV) and the ledger's "uses"
filter show the same figure. Quotes, confirmations, a cancelled order and an open one are
steps of orders, not uses."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from analytics.services.rollup import run_incremental
from cpo_portal import formatting
from offers.models import OfferUsage
from offers.services.ledger import record_quote, redeem, settle
from offers.services.ledger import reverse as cancel
from offers.services.quoting import SessionAsk, quote_with_offers
from offers.services.standing import offers_today
from offers.services.uses import settled_uses
from tests.offers.conftest import SUNDAY_10, _fresh_catalog, deg  # noqa: F401 (fixtures)
from tests.support.pages import figure

pytestmark = pytest.mark.django_db
D = Decimal
DAY = SUNDAY_10.date()


def _cell(html: str, field: str) -> str:
    match = re.search(rf'<td class="field-{field}">(.*?)</td>', html, re.S)
    assert match, field
    return match.group(1)


@pytest.fixture
def week(deg):  # noqa: F811 (the fixture imported above)
    """Two settled sessions with the weekend offer; a cancelled order, an open (confirmed,
    not settled) one and a quote that went no further: none of them is a use."""
    offer = deg.weekend
    offer.budget = D("1000")
    offer.save()
    orders = {}
    for n in range(5):
        ask = SessionAsk(
            deg.charger, SUNDAY_10, amount=D("100"), codes=["WEEKEND25"], customer_key=f"c{n}"
        )
        oq = quote_with_offers(ask)
        record_quote(f"o{n}", oq)
        orders[n] = oq
    for n in range(4):
        redeem(f"o{n}", orders[n], now=SUNDAY_10)
    after = SUNDAY_10 + dt.timedelta(hours=1)
    settle("o0", D("5.2"), end=after, now=after)
    settle("o1", D("4.0"), end=after, now=after)
    cancel("o2", reason="Cancelled by the customer", now=after)
    run_incremental()
    return deg


def test_every_surface_shows_the_same_uses_for_the_same_offer_and_period(week):
    offer = week.weekend
    settled = settled_uses().filter(offer=offer)
    uses, given = settled.count(), sum(r.discount for r in settled)
    assert uses == 2 and given > 0
    client = Client()
    client.force_login(week.analyst_a)

    roi = client.get(
        reverse("analytics:roi"),
        {"operator": week.op_a.pk, "date_from": DAY, "date_to": DAY},
    ).content.decode()
    assert figure(roi, "fig-redemptions") == "2"
    assert figure(roi, "fig-discount") == formatting.figure(given, "money")
    assert "Uses (settled)" in roi

    listing = client.get(reverse("admin:offers_offer_changelist")).content.decode()
    assert "Uses (settled, all time)" in listing
    assert _cell(listing, "uses").strip() == "2"
    bar = _cell(listing, "budget_used")
    # the budget counter also holds the open order's discount; the settled part is the
    # dashboard's discount cost
    assert f"{formatting.money_text(given)} on settled uses" in bar
    held = OfferUsage.objects.get(offer=offer).budget_spent - given
    assert held > 0 and f"{formatting.money_text(held)} held by open orders" in bar

    today = offers_today(week.op_a, now=SUNDAY_10 + dt.timedelta(hours=3))
    assert (today.uses_today, today.discount_today) == (2, given)

    ledger = client.get(
        reverse("admin:offers_redemption_changelist"), {"use": "yes", "offer_code": offer.code}
    )
    assert ledger.context_data["cl"].result_count == 2
    assert "offer ledger rows" in ledger.content.decode().lower()

    csv = client.get(
        reverse("analytics:roi"),
        {"operator": week.op_a.pk, "date_from": DAY, "date_to": DAY, "export": "offers"},
    )
    lines = b"".join(csv.streaming_content if csv.streaming else [csv.content]).decode()
    header, *rows = lines.strip().splitlines()
    at = header.split(",").index("Uses (settled)")
    assert [r.split(",")[at] for r in rows if offer.code in r] == ["2"]


def test_a_re_sent_settlement_counts_once_and_a_settlement_to_nothing_not_at_all(week):
    from offers.models import Redemption

    row = Redemption.objects.get(order_ref="o0", kind="settled")
    twice = Redemption.objects.filter(pk=row.pk).values()[0]
    twice.update(id=None, seq=1, discount=D("0"))
    Redemption.objects.create(**twice)
    assert settled_uses().filter(offer=week.weekend).count() == 1
