"""The price tool's side-by-side table has a row per tax line: an add-on taxed at its own
rate (the cafe voucher's 5 % GST) beside the session's 18 % is a second GST row, and each
column of the table adds up to the total beneath it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from offers.models import AddOn, AddOnAvailability
from tests.support.admin import admin_urls

pytestmark = pytest.mark.django_db
url = admin_urls("offers")
D = Decimal


def _money(cell: str) -> Decimal:
    return D(cell.replace("\u2212", "-").replace("₹", "").replace(",", ""))


def _table(page: str) -> dict[str, tuple[str, str]]:
    """Line title -> (without offers, with offers), as the page shows them."""
    body = page.split('<table class="quote-compare">', 1)[1].split("<tfoot>", 1)[0]
    rows = re.findall(
        r'<td data-label="Line">([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>',
        body,
    )
    return {title: (without, with_) for title, without, with_ in rows}


def _total(page: str, element_id: str) -> Decimal:
    match = re.search(rf'id="{element_id}"><strong>([^<]*)<', page)
    assert match, element_id
    return _money(match.group(1))


def test_two_gst_rates_are_two_rows_and_each_column_adds_up(as_pricing_a, deg):
    cafe = AddOn.objects.create(
        operator=deg.op_a, code="cafe-voucher", name="Cafe voucher", price=D("120"),
        tax_rate=D("0.05"),
    )  # fmt: skip
    AddOnAvailability.objects.create(add_on=cafe, station=deg.station_a, stock=5)
    params = {"charger": deg.charger.pk, "start": "2025-09-21T10:00", "kwh": "10",
              "add_ons": [cafe.pk]}  # fmt: skip
    page = as_pricing_a.get(url("offer", "simulate"), params).content.decode()
    table = _table(page)
    # 10 kWh at ₹18 and the ₹10 fee: ₹190 at 18 % (₹34.20), the weekend's 25 % off the
    # energy (₹45) leaves ₹145 (₹26.10); the ₹120 voucher at 5 % (₹6.00) either way
    assert table["GST (18%)"] == ("₹34.20", "₹26.10")
    assert table["GST (5%)"] == ("₹6.00", "₹6.00")
    for column, total in ((0, "total-without"), (1, "total-with")):
        cells = [cells[column] for cells in table.values() if cells[column] != "—"]
        assert sum(map(_money, cells)) == _total(page, total)
