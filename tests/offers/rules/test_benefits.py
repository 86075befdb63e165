"""Every benefit kind on its own, with exact figures (via evaluate)."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

import pytest

from offers.rules.benefits import free_kwh_in
from offers.rules.construct import (
    Base,
    Benefit,
    BuyXGetY,
    CreditDrawdown,
    FixedOff,
    FreeKwh,
    PercentOff,
    RateOverride,
    ServiceFeeWaiver,
    Slab,
    SlabMode,
    Slabs,
)
from offers.rules.evaluate import evaluate
from offers.rules.facts import CreditBalance, CustomerFacts
from offers.rules.outcome import Eligible, Reason, Rejected
from pricing.engine.types import PricedSession

from .helpers import SUNDAY_10, facts, offer, priced_segments, priced_slot

TEN_KWH = priced_slot(kwh="10", rate="18", fee="10")  # energy 180, gross 190


def discount(benefit: Benefit, session: PricedSession = TEN_KWH, **fact_changes: object) -> D:
    outcome = evaluate(offer("b", benefit), session, facts(**fact_changes))
    assert isinstance(outcome, Eligible), outcome
    return outcome.discount


def no_benefit(benefit: Benefit, session: PricedSession = TEN_KWH, **fact_changes: object) -> None:
    outcome = evaluate(offer("b", benefit), session, facts(**fact_changes))
    assert isinstance(outcome, Rejected)
    assert outcome.reason is Reason.NO_BENEFIT
    assert outcome.message == "Offer b saves nothing here"


def test_percent_of_energy() -> None:
    assert discount(PercentOff(D("25"))) == D("45.00")


def test_percent_of_gross_includes_surges_and_fees() -> None:
    session = priced_slot(kwh="5", rate="18", fee="10", surges=[("SURGE-20", "18")])
    assert session.gross == D("118.00")
    assert discount(PercentOff(D("10"), Base.GROSS), session) == D("11.80")


def test_percent_rounds_half_up_to_the_paisa() -> None:
    session = priced_slot(kwh="1.234", rate="18")  # energy 22.212 -> 22.21
    assert session.energy_cost == D("22.21")
    assert discount(PercentOff(D("12.5")), session) == D("2.78")  # 2.77625


def test_fixed_amount_is_never_more_than_its_base() -> None:
    assert discount(FixedOff(D("30"))) == D("30.00")
    assert discount(FixedOff(D("500"))) == D("190.00")
    assert discount(FixedOff(D("500"), Base.ENERGY)) == D("180.00")
    assert discount(FixedOff(D("500"), Base.SERVICE_FEE)) == D("10.00")


def test_rate_override_replaces_the_energy_rate() -> None:
    assert discount(RateOverride(D("12"))) == D("60.00")
    assert discount(RateOverride(D("0"))) == D("180.00")
    no_benefit(RateOverride(D("20")))  # dearer than the tariff: never a surcharge


def test_free_kwh_at_the_average_energy_rate() -> None:
    assert discount(FreeKwh(D("2"))) == D("36.00")
    assert discount(FreeKwh(D("20"))) == D("180.00")
    start = SUNDAY_10
    mid, end = start + dt.timedelta(minutes=30), start + dt.timedelta(minutes=60)
    two_rates = priced_segments([(start, mid, "5", "20"), (mid, end, "5", "10")])
    assert two_rates.energy_cost == D("150.00")  # average 15
    assert discount(FreeKwh(D("2")), two_rates) == D("30.00")


@pytest.mark.parametrize(
    ("kwh", "free"),
    [("10", "0"), ("11", "1"), ("12", "2"), ("12.5", "2"), ("25", "4"), ("23", "3")],
)
def test_buy_10_get_2_counts_free_kwh(kwh: str, free: str) -> None:
    assert free_kwh_in(D(kwh), D("10"), D("2")) == D(free)


def test_buy_x_get_y_values_free_kwh() -> None:
    assert discount(BuyXGetY(D("10"), D("2")), priced_slot(kwh="12")) == D("36.00")
    assert discount(BuyXGetY(D("10"), D("2")), priced_slot(kwh="25")) == D("72.00")
    no_benefit(BuyXGetY(D("10"), D("2")), priced_slot(kwh="10"))


SLABS = (
    Slab(D("0"), D("10"), percent=D("5")),
    Slab(D("10"), D("20"), percent=D("10")),
    Slab(D("20"), None, rate_per_kwh=D("12")),
)


def test_whole_slab_prices_the_whole_session() -> None:
    whole = Slabs(SLABS)
    assert discount(whole, priced_slot(kwh="5")) == D("4.50")  # 5 % of 90
    assert discount(whole, priced_slot(kwh="15")) == D("27.00")  # 10 % of 270
    assert discount(whole, priced_slot(kwh="25")) == D("150.00")  # 450 - 25 x 12


def test_marginal_slabs_price_each_kwh_by_its_slab() -> None:
    marginal = Slabs(SLABS, SlabMode.MARGINAL)
    # 10 kWh at 5 % of 180, 10 kWh at 10 % of 180, 5 kWh down to 12: 90 - 60
    assert discount(marginal, priced_slot(kwh="25")) == D("57.00")


def test_session_below_the_first_slab_gets_nothing() -> None:
    no_benefit(Slabs((Slab(D("10"), None, percent=D("10")),)), priced_slot(kwh="5"))


def test_service_fee_waiver() -> None:
    assert discount(ServiceFeeWaiver()) == D("10.00")
    assert discount(ServiceFeeWaiver(D("50"))) == D("5.00")
    no_benefit(ServiceFeeWaiver(), priced_slot(fee="0"))


def credit(account: str = "family-42", **balance: D) -> CustomerFacts:
    return CustomerFacts(key="cust-1", credits=(CreditBalance(account, **balance),))


def test_rupee_credit_draws_min_of_balance_and_cost() -> None:
    plan = CreditDrawdown("family-42")
    assert discount(plan, customer=credit(amount=D("40"))) == D("40.00")
    assert discount(plan, customer=credit(amount=D("500"))) == D("190.00")


def test_kwh_package_draws_kwh_at_the_average_rate() -> None:
    outcome = evaluate(
        offer("pkg", CreditDrawdown("monthly")),
        TEN_KWH,
        facts(customer=credit("monthly", kwh=D("3"))),
    )
    assert isinstance(outcome, Eligible)
    assert (outcome.discount, outcome.base, outcome.kwh_drawn) == (D("54.00"), Base.ENERGY, D("3"))
    big = facts(customer=credit("monthly", kwh=D("25")))
    outcome = evaluate(offer("pkg", CreditDrawdown("monthly")), TEN_KWH, big)
    assert isinstance(outcome, Eligible)
    assert (outcome.discount, outcome.kwh_drawn) == (D("180.00"), D("10"))


def test_no_balance_means_no_benefit() -> None:
    no_benefit(CreditDrawdown("family-42"))
    no_benefit(CreditDrawdown("family-42"), customer=credit("other", amount=D("50")))
    no_benefit(CreditDrawdown("family-42"), customer=credit(amount=D("0")))


def test_cap_applies_to_every_kind() -> None:
    capped = replace(offer("b", FreeKwh(D("5"))), max_discount=D("25"))
    outcome = evaluate(capped, TEN_KWH, facts())
    assert isinstance(outcome, Eligible)
    assert outcome.discount == D("25.00")
