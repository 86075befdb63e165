"""redeem / settle / reverse through the ORM: limits consumed once, reasons named, DEG's
settlement, reversal never beyond what was given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from offers.customer_keys import customer_key
from offers.models import Customer, CustomerOfferUsage, OfferUsage, Redemption
from offers.rules.outcome import Reason
from offers.services.codes import generate_batch
from offers.services.ledger import (
    OfferUnavailable,
    UnknownOrder,
    record_quote,
    redeem,
    reverse,
    settle,
)
from offers.services.quoting import SessionAsk, quote_with_offers
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
SARAH = customer_key(phone="+91-9876543210")


def usage(offer) -> tuple[int, Decimal]:
    row = OfferUsage.objects.get(offer=offer)
    return row.uses, row.budget_spent


def quote(deg, **kwargs):
    kwargs.setdefault("amount", Decimal("100"))
    kwargs.setdefault("customer_key", SARAH)
    return quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, **kwargs))


def test_deg_end_to_end_quote_redeem_settle(deg):
    oq = quote(deg, codes=["WEEKEND25"])
    assert record_quote("order-001", oq) == 1
    assert record_quote("order-001", oq, "validated") == 1
    done = redeem("order-001", oq)
    assert done.discount == Decimal("22.50") and done.quote.total == Decimal("91.45")
    assert usage(deg.weekend) == (1, Decimal("22.50"))
    settled = settle("order-001", Decimal("5.2"))
    assert [(ln.title, str(ln.amount)) for ln in settled.quote.lines] == [
        ("Charging session cost (5.2 kWh @ ₹18.00/kWh)", "93.60"),
        ("Service fee", "10.00"),
        ("Weekend Special - 25% Off", "-23.40"),
        ("GST (18%)", "14.44"),  # 18 % of 80.20
    ]
    assert settled.quote.total == Decimal("94.64")
    assert settled.offers["weekend-discount-25"].rule.type_label == "WEEKEND_SPECIAL"
    assert usage(deg.weekend) == (1, Decimal("23.40"))
    rows = {r.kind: r for r in Redemption.objects.all()}
    assert set(rows) == {"quoted", "validated", "redeemed", "settled"}
    r, s = rows["redeemed"], rows["settled"]
    assert (r.discount, r.energy_kwh, r.gross_amount, r.net_amount, r.tax_amount) == (
        Decimal("22.50"),
        Decimal("5.000"),
        Decimal("100.00"),
        Decimal("91.45"),
        Decimal("13.95"),
    )
    assert (s.discount, s.energy_kwh, s.gross_amount, s.net_amount, s.tax_amount) == (
        Decimal("23.40"),
        Decimal("5.200"),
        Decimal("103.60"),
        Decimal("94.64"),
        Decimal("14.44"),
    )
    assert (r.offer_code, r.offer_type, r.ondc_type, r.code_used) == (
        "weekend-discount-25",
        "WEEKEND_SPECIAL",
        "discount",
        "WEEKEND25",
    )
    assert (r.customer_key, r.station_code, r.charger_code, r.region_code) == (
        SARAH,
        "a-station",
        "a-charger-01",
        "DL",
    )
    assert (r.session_start_hour, r.held_out, r.station_id) == (10, False, deg.station_a.pk)
    assert Customer.objects.get(key=SARAH).first_session_done


def test_ledger_survives_offer_edits(deg):
    redeem("o-1", quote(deg))
    deg.weekend.title, deg.weekend.percent, deg.weekend.type_label = "Renamed", 5, "OTHER"
    deg.weekend.save()
    row = Redemption.objects.get(kind="redeemed")
    assert (row.offer_title, row.offer_type, row.discount) == (
        "Weekend Special - 25% Off",
        "WEEKEND_SPECIAL",
        Decimal("22.50"),
    )
    assert settle("o-1", Decimal("5.2")).discount == Decimal("23.40")  # redeemed terms


def test_redeem_twice_consumes_once(deg):
    oq = quote(deg)
    first, again = redeem("o-1", oq), redeem("o-1", oq)
    assert first.quote == again.quote and again.discount == Decimal("22.50")
    assert usage(deg.weekend) == (1, Decimal("22.50"))
    assert Redemption.objects.filter(kind="redeemed").count() == 1
    assert settle("o-1", Decimal("5.2")).quote == settle("o-1", Decimal("9")).quote
    assert Redemption.objects.filter(kind="settled").count() == 1


def test_total_uses_limit(deg):
    deg.weekend.max_uses = 1
    deg.weekend.save()
    first, second = quote(deg), quote(deg, customer_key="")
    redeem("o-1", first)
    with pytest.raises(OfferUnavailable) as caught:
        redeem("o-2", second)
    assert caught.value.reason is Reason.LIMIT_REACHED
    assert caught.value.message == "Offer weekend-discount-25 has been fully redeemed"
    assert usage(deg.weekend) == (1, Decimal("22.50"))
    assert not Redemption.objects.filter(order_ref="o-2").exists()


def test_per_customer_limit(deg):
    deg.weekend.max_uses_per_customer = 1
    deg.weekend.save()
    first, second = quote(deg), quote(deg)
    redeem("o-1", first)
    with pytest.raises(OfferUnavailable) as caught:
        redeem("o-2", second)
    assert caught.value.reason is Reason.CUSTOMER_LIMIT_REACHED
    assert CustomerOfferUsage.objects.get(customer_key=SARAH).uses == 1
    redeem("o-3", quote(deg, customer_key=customer_key(email="raj@example.com")))
    assert usage(deg.weekend)[0] == 2


def test_budget_cut_gives_what_remains(deg):
    deg.weekend.budget = Decimal("30")
    deg.weekend.save()
    redeem("o-1", quote(deg))
    late = quote(deg)  # quoted 22.50 while 7.50 remained
    assert late.discount == Decimal("7.50")
    redeem("o-x", quote(deg, customer_key=""))  # someone else takes the last 7.50 first
    with pytest.raises(OfferUnavailable) as caught:
        redeem("o-2", late)
    assert caught.value.reason is Reason.BUDGET_EXHAUSTED
    assert usage(deg.weekend) == (2, Decimal("30.00"))


def test_budget_cut_at_redeem_time(deg):
    deg.weekend.budget = Decimal("30")
    deg.weekend.save()
    a, b = quote(deg), quote(deg, customer_key="")  # both quoted 22.50
    redeem("o-1", a)
    done = redeem("o-2", b)
    assert done.discount == Decimal("7.50")
    assert done.quote.total == Decimal("109.15")  # 92.50 + 16.65 GST
    assert usage(deg.weekend) == (2, Decimal("30.00"))


def test_budget_refuse_policy(deg):
    deg.weekend.budget, deg.weekend.budget_policy = Decimal("30"), "refuse"
    deg.weekend.save()
    a, b = quote(deg), quote(deg, customer_key="")
    redeem("o-1", a)
    with pytest.raises(OfferUnavailable) as caught:
        redeem("o-2", b)
    assert caught.value.reason is Reason.BUDGET_EXHAUSTED
    assert caught.value.message == (
        "Offer weekend-discount-25 has ₹7.50 of budget left; this discount needs ₹22.50"
    )


def test_offer_paused_or_expired_after_the_quote(deg):
    oq = quote(deg)
    deg.weekend.status = "paused"
    deg.weekend.save()
    with pytest.raises(OfferUnavailable) as caught:
        redeem("o-1", oq)
    assert (caught.value.reason, caught.value.offer_id) == (
        Reason.NOT_VALID_NOW,
        "weekend-discount-25",
    )
    deg.weekend.status = "active"
    deg.weekend.valid_until = dt.datetime(2025, 9, 22, tzinfo=dt.UTC)
    deg.weekend.save()
    with pytest.raises(OfferUnavailable) as caught:
        redeem("o-1", oq, now=dt.datetime(2025, 9, 23, tzinfo=dt.UTC))
    assert caught.value.reason is Reason.EXPIRED
    assert usage(deg.weekend) == (0, Decimal("0.00"))


def test_single_use_code_is_consumed_once(deg):
    offer = OfferFactory(
        operator=deg.op_a,
        code="diwali",
        title="Diwali",
        auto=False,
        percent=Decimal("50"),
        min_session_value=None,
        max_discount=None,
    )
    code = generate_batch(offer, 1).codes.get()
    first, second = quote(deg, codes=[code.code]), quote(deg, codes=[code.code], customer_key="")
    assert first.applied_ids() == second.applied_ids() == ("diwali",)
    redeem("o-1", first)
    code.refresh_from_db()
    assert (code.used_by, code.used_order) == (SARAH, "o-1") and code.used_at is not None
    with pytest.raises(OfferUnavailable) as caught:
        redeem("o-2", second)
    assert caught.value.message == f"Code {code.code} has already been used"
    reverse("o-1", reason="cancelled")
    code.refresh_from_db()
    assert code.used_at is None  # a cancellation frees the code again


def test_settlement_below_the_minimum_gives_the_use_back(deg):
    deg.weekend.max_uses_per_customer = 1
    deg.weekend.save()
    redeem("o-1", quote(deg))
    settled = settle("o-1", Decimal("2"))  # 36 + 10 = 46 < 50
    assert settled.discount == 0
    assert settled.rejected[0].reason is Reason.BELOW_MIN_VALUE
    assert settled.quote.total == Decimal("54.28")
    assert usage(deg.weekend) == (0, Decimal("0.00"))
    assert CustomerOfferUsage.objects.get(customer_key=SARAH).uses == 0
    row = Redemption.objects.get(kind="settled")
    assert (row.discount, row.use_returned) == (Decimal("0.00"), True)
    assert row.reason.startswith("Offer weekend-discount-25 needs a session value")


def test_partial_reversals_never_exceed_the_discount(deg):
    redeem("o-1", quote(deg))
    settle("o-1", Decimal("5.2"))  # 23.40 given
    first = reverse("o-1", amount=Decimal("10"), reason="kWh disputed")
    assert first.recovered == (("weekend-discount-25", Decimal("10.00")),)
    assert first.remaining == (("weekend-discount-25", Decimal("13.40")),)
    assert first.currency == "INR"  # (the quote_trail's: beckn.wire.quote_json)
    second = reverse("o-1", amount=Decimal("50"), reason="more")
    assert second.total == Decimal("13.40")
    assert reverse("o-1", amount=Decimal("1"), reason="again").total == 0
    assert usage(deg.weekend) == (1, Decimal("0.00"))  # budget back, the use stays
    full = reverse("o-1", reason="cancelled")
    assert full.total == 0 and usage(deg.weekend) == (0, Decimal("0.00"))
    assert reverse("o-1", reason="cancelled again").recovered == ()
    reversed_rows = Redemption.objects.filter(kind="reversed").order_by("seq")
    assert [(r.seq, r.discount, r.use_returned) for r in reversed_rows] == [
        (1, Decimal("10.00"), False),
        (2, Decimal("13.40"), False),
        (3, Decimal("0.00"), True),
    ]


def test_cancellation_gives_use_and_budget_back(deg):
    deg.weekend.max_uses, deg.weekend.budget = 1, Decimal("25")
    deg.weekend.save()
    waiting = quote(deg, customer_key="")
    redeem("o-1", quote(deg))
    assert quote(deg).rejection("weekend-discount-25").reason is Reason.LIMIT_REACHED
    with pytest.raises(OfferUnavailable):
        redeem("o-2", waiting)
    result = reverse("o-1", reason="customer cancelled")
    assert result.full and result.total == Decimal("22.50")
    assert usage(deg.weekend) == (0, Decimal("0.00"))
    assert redeem("o-2", waiting).discount == Decimal("22.50")


def test_unknown_orders(deg):
    with pytest.raises(UnknownOrder):
        settle("nope", Decimal("1"))
    with pytest.raises(UnknownOrder):
        reverse("nope", reason="x")
    with pytest.raises(ValueError, match="above zero"):
        reverse("nope", amount=Decimal("0"), reason="x")


def test_holdout_is_recorded_for_uplift(deg):
    deg.weekend.holdout_percent = Decimal("100")
    deg.weekend.save()
    oq = quote(deg)
    done = redeem("o-1", oq)
    assert done.applied == () and done.quote.total == Decimal("118.00")
    row = Redemption.objects.get()
    assert (row.kind, row.held_out, row.discount, row.customer_key) == (
        "held_out",
        True,
        Decimal("22.50"),
        SARAH,
    )
    assert usage(deg.weekend) == (0, Decimal("0.00"))
    assert redeem("o-1", oq).quote == done.quote  # idempotent as well
    assert Redemption.objects.count() == 1


def test_quote_rows_are_numbered(deg):
    oq = quote(deg)
    record_quote("o-1", oq)
    record_quote("o-1", oq)
    assert list(Redemption.objects.order_by("seq").values_list("kind", "seq")) == [
        ("quoted", 0),
        ("quoted", 1),
    ]
    with pytest.raises(ValueError):
        record_quote("o-1", oq, "redeemed")
