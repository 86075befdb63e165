"""A session's energy is bounded in the pricing engine, so the admin's price preview,
`manage.py quote` and a Beckn select refuse the same oversized session, each in its way:
a form message, a one-line command error, an on_select error with a BECKN-005 code."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.beckn import bap as msgs
from tests.beckn.deg_pricing import price_as_deg

pytestmark = pytest.mark.django_db
START = f"{msgs.SATURDAY}T10:00:00+05:30"
LIMIT = "at most 1000 kWh"


@pytest.fixture
def big_charger(network):
    """Operator A priced as DEG, its charger a 350 kW one: 5,000 kWh takes 14 h 17 min,
    well inside the 31-day session limit, so only the energy bound refuses it."""
    price_as_deg(network.op_a)
    network.charger_a.power_kw = Decimal("350")
    network.charger_a.save()
    return network


def preview_error(client, network, kwh: str) -> str:
    client.force_login(network.pricing_a)
    params = {"charger": network.charger_a.pk, "start": f"{msgs.SATURDAY}T10:00", "kwh": kwh}
    response = client.get(reverse("admin:offers_offer_simulate"), params)
    assert response.status_code == 200
    return response.content.decode()


def quote_error(network, *args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command(
            "quote", "--charger", network.charger_a.code, "--operator", network.op_a.code,
            "--start", START, *args,
        )  # fmt: skip
    return str(caught.value)


def select_error(run, bap, network, kwh: str) -> dict:
    message = msgs.select(network.op_a.code, network.charger_a.code, offers=())
    message["order"]["items"][0]["quantity"]["selected"]["measure"] = {
        "type": "CONSTANT",
        "value": kwh,
        "unit": "kWh",
    }
    _, body = run(bap, "select", message)
    assert "error" in body, body["message"]["order"].get("quote")
    return body["error"]


def test_every_surface_refuses_a_session_beyond_the_energy_bound(
    client, big_charger, bap, run, our_key
):
    page = preview_error(client, big_charger, "5000")
    assert "5000 kWh is more than one session delivers (at most 1000 kWh)" in page
    message = quote_error(big_charger, "--kwh", "5000")
    assert message == "Cannot quote: 5000 kWh is more than one session delivers (at most 1000 kWh)."
    error = select_error(run, bap, big_charger, "5000")
    assert error["code"] == "30000"
    assert "5000 kWh is more than one session delivers" in error["message"]


def test_the_issues_million_kwh_in_a_one_hour_slot_is_refused(big_charger, bap, run, our_key):
    """The select carries its one-hour slot: the energy is checked against it too."""
    error = select_error(run, bap, big_charger, "1000000")
    assert error["code"] == "30000" and LIMIT in error["message"]
    message = quote_error(big_charger, "--kwh", "500", "--end", f"{msgs.SATURDAY}T10:30:00+05:30")
    assert message == (
        "Cannot quote: 500 kWh cannot be delivered in that time at 350 kW (at most 175 kWh)."
    )


def test_a_session_inside_the_bound_is_still_quoted(client, big_charger):
    page = preview_error(client, big_charger, "60")
    assert "more than one session delivers" not in page and "Total" in page
