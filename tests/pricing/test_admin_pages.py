"""The pricing admin pages do what they say: bands inline, price preview, week view."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pricing.models import GridSignal, Tariff
from tests.pricing.admin_posts import band, tariff_post, url
from tests.pricing.factories import SignalFactory, SurgeFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_tariff_with_bands_inline_is_saved(as_pricing_a, priced):
    data = tariff_post(
        priced.op_a,
        code="tod",
        active=None,
        bands=[
            band(0, "off-peak", "22:00", "06:00", "16"),
            band(1, "evening", "18:00", "22:00", "20", days=range(5)),
        ],
    )
    response = as_pricing_a.post(url("tariff", "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    tariff = Tariff.objects.get(code="tod")
    rows = list(tariff.bands.order_by("code").values_list("code", "start", "end", "days"))
    assert rows == [
        ("evening", dt.time(18), dt.time(22), [0, 1, 2, 3, 4]),
        ("off-peak", dt.time(22), dt.time(6), [0, 1, 2, 3, 4, 5, 6]),
    ]


def test_overlapping_bands_are_refused_with_a_clear_message(as_pricing_a, priced):
    data = tariff_post(
        priced.op_a,
        code="tod",
        active=None,
        bands=[
            band(0, "off-peak", "22:00", "06:00", "16"),
            band(1, "early", "05:00", "07:00", "17"),
        ],
    )
    page = as_pricing_a.post(url("tariff", "add"), data).content.decode()
    assert (
        "Bands &#x27;off-peak&#x27; and &#x27;early&#x27; overlap (both apply on Monday "
        "05:00): a time can have only one rate."
    ) in page
    assert not Tariff.objects.filter(code="tod").exists()


def test_second_active_default_tariff_is_refused(as_pricing_a, priced):
    page = as_pricing_a.post(url("tariff", "add"), tariff_post(priced.op_a)).content.decode()
    assert "is already the active tariff for this operator default" in page


def test_tariff_field_errors_show_in_the_form(as_pricing_a, priced):
    data = tariff_post(
        priced.op_a, active=None, min_price="50", max_price="10", energy_rate_per_kwh="-1"
    )
    page = as_pricing_a.post(url("tariff", "add"), data).content.decode()
    assert "Must not be negative." in page
    assert "The maximum session price is below the minimum." in page


def preview(client, **params):
    return client.get(reverse("admin:offers_offer_simulate"), params)


def test_preview_shows_the_quote_lines_and_totals(as_pricing_a, priced):
    response = preview(as_pricing_a, charger=priced.charger_a.pk, start="2025-09-24T18:00", kwh="5")
    page = response.content.decode()
    quote = response.context["quote"]
    assert [(ln["code"], ln["amount"]) for ln in quote["lines"]] == [
        ("base", "90.00"),
        ("service_fee", "10.00"),
        ("a-congestion", "5.00"),
        ("GST", "18.90"),
    ]
    assert quote["total"] == "123.90" and ">₹123.90<" in page
    assert quote["start"] == "2025-09-24T18:00:00+05:30"
    assert "Charging session cost (5 kWh @ ₹18.00/kWh)" in page
    assert "Congestion Fee: ₹1/kWh between 6 PM - 9 PM" in page  # the notice


def test_preview_by_amount_and_segment(as_pricing_a, priced):
    priced.surge_a.exempt_segments = ["fleet"]
    priced.surge_a.save()
    response = preview(
        as_pricing_a,
        charger=priced.charger_a.pk,
        start="2025-09-24T18:00",
        amount="100",
        segment="fleet",
    )
    quote = response.context["quote"]
    assert quote["kwh"] == "5.000"
    assert [ln["amount"] for ln in quote["lines"]] == ["90.00", "10.00", "18.00"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kwh": "5", "amount": "100"}, "Give kWh or an amount, not both."),
        ({}, "Give the kWh to deliver or an amount to spend."),
        ({"kwh": "-1"}, "Ensure this value is greater than or equal to 0.001."),
        ({"kwh": "5", "start": "yesterday"}, "Give a local date and time, like 2025-09-24T18:25."),
        ({"amount": "5"}, "does not exceed the service fee"),
        ({"kwh": "5", "start": "0001-01-01T00:00"}, "Give a date from 2000-01-01 to 2099-12-31."),
        ({"kwh": "5", "start": "9999-12-31T23:59"}, "Give a date from 2000-01-01 to 2099-12-31."),
        ({"kwh": "1e308"}, "1.000E+308 kWh is more than one session delivers"),
    ],
)
def test_preview_errors(as_pricing_a, priced, params, message):
    query = {"charger": priced.charger_a.pk, "start": "2025-09-24T18:00", **params}
    response = preview(as_pricing_a, **query)
    assert message in response.content.decode()
    assert "quote" not in response.context


def test_preview_of_a_charger_without_tariff_says_so(as_pricing_a, priced):
    priced.tariff_a.active = False
    priced.tariff_a.save()
    page = preview(
        as_pricing_a, charger=priced.charger_a.pk, start="2025-09-24T18:00", kwh="5"
    ).content.decode()
    assert "a-charger-01 has no active tariff" in page


def cells(page: str, rule_code: str) -> list[list[str]]:
    """The 7 x 24 classes of one rule's grid in the week view."""
    section = page.split(f"<code>{rule_code}</code>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><th>\w+</th>(.*?)</tr>", section)
    return [re.findall(r'<td class="(\w*)"></td>', row) for row in rows]


def test_week_view_draws_each_rule_hour_by_hour(as_pricing_a, priced):
    SurgeFactory(
        operator=priced.op_a,
        code="night",
        kind="night",
        window_start=dt.time(22, 30),
        window_end=dt.time(5),
        window_days=[6],
    )
    SurgeFactory(
        operator=priced.op_a,
        code="weekend",
        kind="weekend",
        form="percent",
        amount=D("10"),
        window_start=None,
        window_end=None,
        window_days=[5, 6],
    )
    SurgeFactory(operator=priced.op_a, code="paused", paused=True)
    page = as_pricing_a.get(url("surgerule", "week")).content.decode()
    evening = cells(page, "a-congestion")
    assert len(evening) == 7 and all(len(row) == 24 for row in evening)
    assert evening[0][17:22] == ["", "full", "full", "full", ""]
    night = cells(page, "night")
    assert night[6][22:] == ["part", "full"]  # Sunday 22:30 onwards
    assert night[0][:6] == ["full"] * 5 + [""]  # into Monday morning
    assert night[5] == [""] * 24
    weekend = cells(page, "weekend")
    assert weekend[5] == ["full"] * 24 and weekend[4] == [""] * 24
    assert "<code>paused</code>" not in page
    assert "between 6 PM - 9 PM every day; stations a-station" in page
    # the heat map counts rules per hour: Saturday 18:00 has the fee and the weekend rule
    (hover,) = re.findall(r'title="Sat 18:00: ([^"]*)"', page)
    assert len(hover.split(", ")) == 2 and "when conditions hold" not in hover


def test_week_view_marks_scheduled_rules(as_pricing_a, priced):
    from django.utils import timezone

    SurgeFactory(
        operator=priced.op_a, code="later", effective_from=timezone.now() + dt.timedelta(days=3)
    )
    page = as_pricing_a.get(url("surgerule", "week")).content.decode()
    section = page.split("<code>later</code>", 1)[1][:300]
    assert "takes effect" in section


def test_changelist_links_to_week_view_preview_and_import(as_pricing_a, priced):
    assert (
        url("surgerule", "week")
        in as_pricing_a.get(url("surgerule", "changelist")).content.decode()
    )
    page = as_pricing_a.get(url("tariff", "changelist")).content.decode()
    assert reverse("admin:offers_offer_simulate") in page and url("tariff", "ocpi_import") in page


def test_grid_signal_raise_and_clear_in_the_admin(as_pricing_a, priced):
    response = as_pricing_a.post(
        url("gridsignal", "add"),
        {
            "operator": priced.op_a.pk,
            "region_code": "DL",
            "station": "",
            "raised_at_0": "2025-09-24",
            "raised_at_1": "10:00:00",
            "note": "DISCOM alert",
        },
    )
    assert response.status_code == 302
    signal = GridSignal.objects.get(note="DISCOM alert")
    assert signal.raised_by == priced.pricing_a and signal.is_active
    as_pricing_a.post(
        url("gridsignal", "changelist"),
        {"action": "clear_signals", "_selected_action": [signal.pk]},
    )
    signal.refresh_from_db()
    assert signal.cleared_at is not None and not signal.is_active
    as_pricing_a.post(
        url("gridsignal", "changelist"), {"action": "raise_again", "_selected_action": [signal.pk]}
    )
    again = GridSignal.objects.exclude(pk=signal.pk).get()
    assert (again.region_code, again.note, again.is_active) == ("DL", "DISCOM alert", True)


def test_signal_list_shows_active_state(as_pricing_a, priced):
    SignalFactory(operator=priced.op_a, note="live")
    page = as_pricing_a.get(url("gridsignal", "changelist")).content.decode()
    assert "live" in page and "icon-yes" in page


def test_every_pricing_page_renders_for_a_superuser(client, priced):
    from tests.pricing.factories import BandFactory

    BandFactory(tariff=priced.tariff_a)
    signal = SignalFactory(operator=priced.op_a)
    client.force_login(priced.superuser)
    pages = [
        url("tariff", "changelist"), url("tariff", "add"),
        url("tariff", "change", priced.tariff_a.pk), url("tariff", "history", priced.tariff_a.pk),
        reverse("admin:offers_offer_simulate"), url("tariff", "ocpi_import"),
        url("surgerule", "changelist"), url("surgerule", "add"),
        url("surgerule", "change", priced.surge_a.pk), url("surgerule", "week"),
        url("surgerule", "history", priced.surge_a.pk),
        url("gridsignal", "changelist"), url("gridsignal", "add"),
        url("gridsignal", "change", signal.pk),
    ]  # fmt: skip
    for page in pages:
        assert client.get(page).status_code == 200, page
    week = client.get(url("surgerule", "week")).content.decode()
    assert "a-congestion" in week and "b-congestion" in week  # both operators


def test_an_amount_says_what_it_buys_and_what_comes_on_top(as_pricing_a, priced):
    response = preview(
        as_pricing_a, charger=priced.charger_a.pk, start="2025-09-24T18:00", amount="100"
    )
    text = " ".join(response.content.decode().split())
    assert "₹100.00 buys 5 kWh at the tariff's rates" in text
    assert "energy and service fee come to ₹100.00" in text
    assert "surges ₹5.00, tax ₹18.90" in text and "the total is ₹123.90" in text


def test_a_maximum_price_of_zero_is_refused_by_the_form_and_the_import(as_pricing_a, priced):
    """A cap of 0 would make every session free: the tariff's own validation refuses it,
    so the admin's form and the pricing import say the same."""
    said = "A maximum session price of 0 makes every session free: leave it empty for no maximum."
    data = tariff_post(priced.op_a, active=None, code="capped", max_price="0")
    page = as_pricing_a.post(url("tariff", "add"), data)
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["max_price"] == [said]
    assert not Tariff.objects.filter(code="capped").exists()

    from offers.services.config.exporting import export_pricing
    from offers.services.config.importing import import_pricing

    document = export_pricing(priced.op_a)
    row = document["tariffs"][0]
    row["max_price"] = "0"
    plan = import_pricing(priced.op_a, document)
    assert [e for e in plan.errors if said in e], plan.errors
