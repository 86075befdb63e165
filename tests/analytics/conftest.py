"""Ledger rows written by hand, so every rollup figure can be checked against arithmetic
done in the test itself."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from analytics.models import NoOfferSession
from offers.models import Offer, Redemption

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
        **money,
    ) -> NoOfferSession:
        return NoOfferSession.objects.create(
            **self._order(customer, start, order_ref, **money),
            occurred_at=occurred or start,
            channel=channel,
        )


@pytest.fixture
def ledger_a(network):
    return Ledger(network.station_a)


@pytest.fixture
def ledger_b(network):
    return Ledger(network.station_b)
