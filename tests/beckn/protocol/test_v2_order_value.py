"""The 2.0 order value: components that add up to the value exactly, each true to its
label (a percentage in a description is that percentage of the base it names)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from beckn.protocol.tags import tag_group
from beckn.wire.v2.order_value import order_value

CENT = Decimal("0.01")


def line(kind: str, title: str, amount: Decimal) -> dict:
    return {
        "title": title,
        "item": {"tags": [tag_group("quote-line", [("type", kind)])]},
        "price": {"value": f"{amount:.2f}", "currency": "INR"},
    }


def quote(lines: list[dict]) -> dict:
    total = sum((Decimal(ln["price"]["value"]) for ln in lines), Decimal("0"))
    return {"price": {"value": f"{total:.2f}", "currency": "INR"}, "breakup": lines}


def pct(base: Decimal, percent: Decimal) -> Decimal:
    return (base * percent / 100).quantize(CENT, ROUND_HALF_UP)


def test_the_deg_guide_case_as_ours_says_it():
    energy = Decimal("112.50")
    lines = [
        line("energy", "Charging session cost (2.5 kWh @ ₹45.00/kWh)", energy),
        line("surge", "Peak surge (20%)", pct(energy, Decimal(20))),
        line("service_fee", "Service fee", Decimal("10.00")),
        line("discount", "Offer discount (15% off)", -pct(energy, Decimal(15))),
        line("surge", "Capped surge (50%)", Decimal("5.00")),  # not 50% of any base
    ]
    value = order_value(quote(lines))
    kinds = [(c["type"], c["description"], c["value"]) for c in value["components"]]
    assert kinds == [
        ("UNIT", "Charging session cost (2.5 kWh @ ₹45.00/kWh)", 112.5),
        ("SURCHARGE", "Peak surge (20%): 20% of energy ₹112.50", 22.5),
        ("FEE", "Service fee", 10.0),
        ("DISCOUNT", "Offer discount (15% off): 15% of energy ₹112.50", -16.88),
        ("SURCHARGE", "Capped surge", 5.0),
    ]
    assert value["value"] == 133.12


_SAYS = re.compile(r"\((\d+(?:\.\d+)?)\s*%[^)]*\): \S+% of .* ₹([\d,]+\.\d\d)$")

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
percent = st.integers(min_value=1, max_value=60).map(Decimal)


@given(energy=money, fee=money, surge=percent, off=percent, tax=st.sampled_from([5, 12, 18]))
def test_components_add_up_and_say_true_percentages(energy, fee, surge, off, tax):
    surged = pct(energy, surge)
    discount = -pct(energy, off)
    before_tax = energy + surged + fee + discount
    gst = pct(before_tax, Decimal(tax))
    lines = [
        line("energy", "Energy", energy),
        line("surge", f"Surge ({surge}%)", surged),
        line("service_fee", "Service fee", fee),
        line("discount", f"Offer ({off}% off)", discount),
        line("tax", f"GST ({tax}%)", gst),
    ]
    value = order_value(quote(lines))
    total = sum((Decimal(str(c["value"])) for c in value["components"]), Decimal("0"))
    assert total == Decimal(str(value["value"])) == before_tax + gst
    for component in value["components"]:
        said = _SAYS.search(component["description"])
        if said:  # a stated percentage holds for the base it names
            share, base = Decimal(said.group(1)), Decimal(said.group(2).replace(",", ""))
            assert pct(base, share) == abs(Decimal(str(component["value"])))
        else:
            assert "%" not in component["description"]
