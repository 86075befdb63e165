"""The price tool judges an offer at the session's start, as a Beckn select for that start
does: an offer valid only next week applies to a session next week, and one that has ended
by a session's start is not applied to it, on both surfaces alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.beckn import bap as msgs
from tests.offers.factories import OfferFactory
from tests.pricing.factories import IST, TariffFactory

pytestmark = pytest.mark.django_db
KWH = Decimal("20")


@pytest.fixture
def world(network):
    TariffFactory(operator=network.op_a, code="t", energy_rate_per_kwh=Decimal("20"),
                  service_fee=Decimal("0"))  # fmt: skip
    return network


def tool(network, start: dt.datetime) -> dict:
    staff = Client()
    staff.force_login(network.pricing_a)
    params = {"charger": network.charger_a.pk, "start": f"{start:%Y-%m-%dT%H:%M}", "kwh": KWH}
    response = staff.get(reverse("admin:offers_offer_simulate"), params)
    assert response.status_code == 200
    return response.context


def select(network, bap, run, start: dt.datetime) -> dict:
    message = msgs.select(network.op_a.code, network.charger_a.code, offers=())
    item = message["order"]["items"][0]
    item["quantity"]["selected"]["measure"] = {"type": "CONSTANT", "value": str(KWH),
                                               "unit": "kWh"}  # fmt: skip
    stops = message["order"]["fulfillments"][0]["stops"]
    stops[0]["time"]["timestamp"] = start.isoformat()
    del stops[1]
    _, body = run(bap, "select", message)
    assert "error" not in body, body["error"]
    return body["message"]["order"]["quote"]


def both(network, bap, run, start: dt.datetime) -> tuple[list[str], str, str]:
    context = tool(network, start)
    quote = select(network, bap, run, start)
    return (
        [title for title, _ in context["applied"]],
        context["quote"]["total"],
        quote["price"]["value"],
    )


def test_an_offer_valid_only_next_week_prices_a_session_next_week(world, bap, run, our_key):
    start = dt.datetime.combine(msgs.MONDAY, dt.time(10), tzinfo=IST)
    OfferFactory(operator=world.op_a, code="next-week", title="Next week only",
                 valid_from=start - dt.timedelta(days=1),
                 valid_until=start + dt.timedelta(days=6))  # fmt: skip
    applied, tool_total, select_total = both(world, bap, run, start)
    assert applied == ["Next week only"]
    assert tool_total == select_total


def test_an_offer_ended_by_the_start_is_not_applied(world, bap, run, our_key):
    start = dt.datetime.combine(msgs.MONDAY, dt.time(10), tzinfo=IST)
    OfferFactory(operator=world.op_a, code="ends", title="Ends before",
                 valid_from=timezone.now() - dt.timedelta(days=1),
                 valid_until=start - dt.timedelta(days=2))  # fmt: skip
    applied, tool_total, select_total = both(world, bap, run, start)
    assert applied == []
    assert tool_total == select_total


def test_days_and_hours_are_the_sessions_not_todays(world, bap, run, our_key):
    """Today is not a Monday morning in general; a Monday-morning offer still prices a
    Monday-morning session, and not a Saturday one."""
    OfferFactory(operator=world.op_a, code="mon", title="Monday mornings", days_of_week=[0],
                 window_start=dt.time(9), window_end=dt.time(12))  # fmt: skip
    monday = dt.datetime.combine(msgs.MONDAY, dt.time(10), tzinfo=IST)
    saturday = dt.datetime.combine(msgs.SATURDAY, dt.time(10), tzinfo=IST)
    applied, tool_total, select_total = both(world, bap, run, monday)
    assert applied == ["Monday mornings"] and tool_total == select_total
    applied, tool_total, select_total = both(world, bap, run, saturday)
    assert applied == [] and tool_total == select_total
