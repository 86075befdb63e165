"""Demo add-ons and combo offers (after offers.demo): valet charging, a reserved bay,
parking and a cafe voucher at every cpo1.com station, and two ONDC combos:

- valet-combo-10: 10% off the session and the valet / reserved bay (cap ₹100), exclusive;
- cafe-combo-30: ₹30 off a session with a cafe voucher, additive.

Idempotent: add-ons are keyed by their id, availability by (add-on, station), and the
stock of an existing row is never reset (it moves with real bookings).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from cpo_portal.models import Operator, Station
from offers.demo import upsert_offer
from offers.models import AddOn, AddOnAvailability

D = Decimal
ADD_ONS = [
    # code, name, description, price, GST rate, stock per station (None: unlimited)
    ("valet-charging", "Valet charging", "We park, plug in and bring your car back",
     D("149"), D("0.18"), 5),
    ("reserved-bay", "Reserved bay / priority access", "Your bay held for 15 minutes",
     D("49"), D("0.18"), None),
    ("parking", "Parking while charging", "Flat parking charge for the session",
     D("30"), D("0.18"), None),
    ("cafe-voucher", "Cafe voucher", "Coffee and a sandwich at the station cafe",
     D("120"), D("0.05"), 40),
]  # fmt: skip
COMBOS: list[tuple[str, dict[str, Any]]] = [
    ("valet-combo-10", {
        "title": "Valet combo - 10% off (up to ₹100)",
        "short_desc": "Charge with valet charging or a reserved bay: 10% off the lot",
        "ondc_type": "combo", "benefit_kind": "percent", "percent": D("10"), "base": "",
        "max_discount": D("100"), "secondary_ids": ["valet-charging", "reserved-bay"],
        "min_session_value": None, "type_label": "OTHER",
    }),
    ("cafe-combo-30", {
        "title": "Charge & cafe - ₹30 off", "short_desc": "Add a cafe voucher, save ₹30",
        "ondc_type": "combo", "benefit_kind": "fixed", "amount": D("30"), "base": "",
        "max_discount": D("30"), "secondary_ids": ["cafe-voucher"], "additive": True,
        "min_session_value": None, "type_label": "OTHER", "percent": None,
    }),
]  # fmt: skip


def add_arguments(parser) -> None:
    """No options of its own."""


def upsert_add_on(operator: Operator, code: str, **fields) -> AddOn:
    add_on = AddOn.objects.filter(operator=operator, code=code).first()
    if add_on is None:
        add_on = AddOn(operator=operator, code=code)
    elif all(getattr(add_on, k) == v for k, v in fields.items()):
        return add_on
    for name, value in fields.items():
        setattr(add_on, name, value)
    add_on.full_clean()
    add_on.save()
    return add_on


@transaction.atomic
def seed(options: dict, out) -> None:
    operator = Operator.objects.filter(code="cpo1.com").first()
    if operator is None:
        return
    stations = list(Station.objects.filter(operator=operator))
    for code, name, description, price, rate, stock in ADD_ONS:
        add_on = upsert_add_on(
            operator, code, name=name, description=description, price=price, tax_rate=rate
        )
        for station in stations:
            AddOnAvailability.objects.get_or_create(
                add_on=add_on, station=station, defaults={"stock": stock}
            )
    for code, fields in COMBOS:
        upsert_offer(operator, code, **fields)
    out.write(
        f"Add-ons: {len(ADD_ONS)} at {len(stations)} cpo1.com stations, "
        f"{len(COMBOS)} combo offers (valet-combo-10, cafe-combo-30).\n"
    )
