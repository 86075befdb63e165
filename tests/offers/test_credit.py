"""Prepaid credit and monthly kWh packages (a family plan shares one): drawn at redeem,
re-drawn at settlement, given back on cancellation; concurrent members never overdraw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from offers.customer_keys import customer_key
from offers.models import CreditAccount, Customer
from offers.services.ledger import redeem, reverse, settle
from offers.services.quoting import SessionAsk, quote_with_offers
from tests.offers.conftest import SUNDAY_10
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
ASHA, RAVI = customer_key(phone="9000000001"), customer_key(phone="9000000002")


def member(operator, key):
    return Customer.objects.create(operator=operator, key=key)


@pytest.fixture
def prepaid(deg):
    deg.weekend.delete()
    OfferFactory(
        operator=deg.op_a,
        code="prepaid",
        title="Prepaid credit",
        benefit_kind="credit_drawdown",
        credit_plan="prepaid",
        base="gross",
        percent=None,
        min_session_value=None,
        max_discount=None,
    )
    account = CreditAccount.objects.create(
        operator=deg.op_a,
        plan="prepaid",
        name="Asha prepaid",
        kind="rupees",
        balance_amount=Decimal("60"),
    )
    account.members.add(member(deg.op_a, ASHA))
    return account


def balance(account) -> Decimal:
    account.refresh_from_db()
    return account.balance_amount if account.kind == "rupees" else account.balance_kwh


def test_prepaid_rupees_drawn_settled_and_given_back(deg, prepaid):
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=ASHA)
    )
    assert oq.applied_ids() == ("prepaid",) and oq.discount == Decimal("60.00")
    redeem("o-1", oq)
    assert balance(prepaid) == Decimal("0.00")
    settled = settle("o-1", Decimal("1.5"))  # 27 + 10 = 37: only 37 of the 60 is needed
    assert settled.discount == Decimal("37.00") and settled.quote.total == Decimal("0.00")
    assert balance(prepaid) == Decimal("23.00")
    reverse("o-1", reason="cancelled")
    assert balance(prepaid) == Decimal("60.00")


def test_someone_without_an_account_gets_nothing(deg, prepaid):
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=RAVI)
    )
    assert oq.applied == ()
    assert oq.rejection("prepaid").message == "Offer prepaid saves nothing here"


def test_family_kwh_package_is_shared_and_refilled_monthly(deg):
    deg.weekend.delete()
    OfferFactory(
        operator=deg.op_a,
        code="family",
        title="Family plan",
        benefit_kind="credit_drawdown",
        credit_plan="family",
        base="",
        percent=None,
        min_session_value=None,
        max_discount=None,
    )
    family = CreditAccount.objects.create(
        operator=deg.op_a,
        plan="family",
        name="Rao family",
        kind="kwh",
        monthly_kwh=Decimal("8"),
        balance_kwh=Decimal("0"),
        period_start=dt.date(2025, 8, 1),
    )
    family.members.add(member(deg.op_a, ASHA), member(deg.op_a, RAVI))
    asha = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, kwh=Decimal("5"), customer_key=ASHA)
    )
    assert asha.applied[0].kwh_drawn == Decimal("5") and asha.discount == Decimal("90.00")
    redeem("o-asha", asha, now=dt.datetime(2025, 9, 21, 5, tzinfo=dt.UTC))
    family.refresh_from_db()
    assert (family.balance_kwh, family.period_start) == (Decimal("3.000"), dt.date(2025, 9, 1))
    ravi = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, kwh=Decimal("5"), customer_key=RAVI)
    )
    assert ravi.applied[0].kwh_drawn == Decimal("3.000") and ravi.discount == Decimal("54.00")
    redeem("o-ravi", ravi, now=dt.datetime(2025, 9, 21, 6, tzinfo=dt.UTC))
    assert balance(family) == Decimal("0.000")
    reverse("o-asha", reason="cancelled", now=dt.datetime(2025, 9, 21, 7, tzinfo=dt.UTC))
    assert balance(family) == Decimal("5.000")
