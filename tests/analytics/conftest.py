"""Ledger rows written by hand, so every rollup figure can be checked against arithmetic
done in the test itself."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from analytics.models import NoOfferSession
from analytics.services.rollup import run_incremental
from offers.models import Offer, Redemption
from tests.pricing.factories import TariffFactory

IST = ZoneInfo("Asia/Kolkata")
D = Decimal
DAY = dt.date(2025, 3, 3)  # a Monday
_orders = itertools.count(1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=IST)


def key(name: str) -> str:
    """A 64-hex customer key, as offers.customer_keys makes them."""
    return (name.encode().hex() * 64)[:64]


def make_offer(operator, code: str, holdout: str | None = None, **fields) -> Offer:
    return Offer.objects.create(
        operator=operator,
        code=code,
        title=code.replace("-", " ").title(),
        type_label=fields.pop("type_label", "HAPPY_HOUR"),
        status="active",
        benefit_kind="percent",
        percent=D("10"),
        base="energy",
        holdout_percent=D(holdout) if holdout else None,
        **fields,
    )


class Ledger:
    """Writes ledger rows (offers.Redemption) and sessions without offers."""

    def __init__(self, station):
        self.station = station
        self.charger = station.chargers.first()

    def _order(self, customer: str, start: dt.datetime, order_ref: str | None, **money):
        """Order-level figures; net payable defaults to gross - discount + tax."""
        energy = D(money.get("energy", "10"))
        gross = D(money.get("gross", "200"))
        surge = D(money.get("surge", "0"))
        tax = D(money.get("tax", "0"))
        finder_fee, buffer = D(money.get("finder_fee", "0")), D(money.get("buffer", "0"))
        net = D(money.get("net", gross - D(money.get("discount", "0")) + tax + finder_fee + buffer))
        return {
            "operator_id": self.station.operator_id,
            "order_ref": order_ref or f"order-{next(_orders)}",
            "station_id": self.station.pk,
            "charger_id": self.charger.pk if self.charger else None,
            "station_code": self.station.code,
            "charger_code": self.charger.code if self.charger else "",
            "region_code": self.station.region_code,
            "customer_key": key(customer) if customer else "",
            "energy_kwh": energy,
            "gross_amount": gross,
            "surge_amount": surge,
            "tax_amount": tax,
            "net_amount": net,
            "finder_fee_amount": finder_fee,
            "buffer_amount": buffer,
            "session_start": start,
            "session_start_hour": start.astimezone(IST).hour,
        }

    def row(
        self,
        kind: str,
        offer: Offer,
        *,
        start: dt.datetime,
        occurred: dt.datetime | None = None,
        customer: str = "c1",
        order_ref: str | None = None,
        discount: str = "0",
        seq: int = 0,
        held_out: bool = False,
        pk: int | None = None,
        **money,
    ) -> Redemption:
        return Redemption.objects.create(
            **({"id": pk} if pk else {}),
            **self._order(customer, start, order_ref, discount=discount, **money),
            kind=kind,
            seq=seq,
            offer=offer,
            offer_code=offer.code,
            offer_title=offer.title,
            offer_type=offer.type_label,
            benefit_kind=offer.benefit_kind,
            discount=D(discount),
            held_out=held_out or kind == "held_out",
            occurred_at=occurred or start,
        )

    def plain(
        self,
        *,
        start: dt.datetime,
        occurred: dt.datetime | None = None,
        customer: str = "c1",
        order_ref: str | None = None,
        channel: str = "beckn",
        currency: str = "INR",
        **money,
    ) -> NoOfferSession:
        return NoOfferSession.objects.create(
            **self._order(customer, start, order_ref, **money),
            occurred_at=occurred or start,
            channel=channel,
            currency=currency,
        )


@pytest.fixture
def ledger_a(network):
    return Ledger(network.station_a)


@pytest.fixture
def ledger_b(network):
    return Ledger(network.station_b)


MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def month_of_sessions(network) -> tuple[int, Decimal]:
    """A month of taxed sessions, one started in February and settled in March, two
    started in March and settled in April (the dashboards count them by settlement):
    (sessions, net revenue) of March."""
    TariffFactory(operator=network.op_a)
    ledger = Ledger(network.station_a)
    given = make_offer(network.op_a, "march-deal")
    for day in range(1, 31, 3):
        start = at(dt.date(2025, 3, day), 10)
        ledger.plain(start=start, gross="200", tax="36", customer=f"c{day}")
    ledger.row("redeemed", given, start=at(dt.date(2025, 3, 5), 18), discount="20", tax="32.40")
    ledger.row("settled", given, start=at(dt.date(2025, 3, 5), 18), discount="20", tax="32.40")
    ledger.plain(
        start=at(dt.date(2025, 2, 28), 23, 50), occurred=at(dt.date(2025, 3, 1), 0, 40),
        gross="100", tax="18",
    )  # fmt: skip
    for minute in (30, 50):  # two started on 31 March, settled on 1 April
        ledger.plain(
            start=at(dt.date(2025, 3, 31), 23, minute), occurred=at(dt.date(2025, 4, 1), 0, 40),
            gross="300", tax="54",
        )  # fmt: skip
    run_incremental()
    # 10 plain + 1 with the offer + the one settled on 1 March; not the one of 1 April
    expected_sessions = 12
    expected_net = 10 * D("200") + D("180") + D("100")
    return expected_sessions, expected_net
