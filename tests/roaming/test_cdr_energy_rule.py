"""One rule says how much energy a charger delivers in a session: the pricing engine's
(pricing.engine.undeliverable). A CDR is taken in, at every door, exactly when our tariff
prices its session: one just over the charger's rated power times the session's duration
is refused by the push and the file import with the engine's own words, and one at it is
taken and priced."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from cpo_portal.models import Charger
from pricing.engine import QuoteInputError
from pricing.services import SessionToQuote, quote_sessions
from roaming.models import ReceivedCdr
from tests.roaming.cdr_data import START, cdr, dumps
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db
MINUTES = 40  # at 30 kW: 20 kWh at most
WORDS = "20.5 kWh cannot be delivered in that time at 30 kW (at most 20 kWh)"


@pytest.fixture
def operator(ocpi):
    return network(stations=1)


def session(kwh: str) -> dict:
    return cdr(f"E{kwh}", "cpo1-st-000", "cpo1-ch-000", minutes=MINUTES, kwh=kwh)


def engine_says(kwh: str) -> object:
    charger = Charger.objects.get(code="cpo1-ch-000")
    end = START + dt.timedelta(minutes=MINUTES)
    return quote_sessions([SessionToQuote(charger, START, kwh=Decimal(kwh), end=end)])[0]


def test_a_cdr_over_the_engines_bound_is_refused_at_every_door_in_its_words(
    client, operator, tmp_path, capsys
):
    """20.5 kWh in 40 minutes at 30 kW: within the old 5 % and 0.1 kWh, so it was taken, and
    then stored unpriced ("not priceable") because the engine refuses it."""
    refusal = engine_says("20.5")
    assert isinstance(refusal, QuoteInputError) and str(refusal) == WORDS
    _partner, token = registered_partner(operator, party=("IN", "CPO"), role="CPO")
    reply = client.post("/ocpi/2.2.1/cdrs", dumps(session("20.5")),
                        content_type="application/json", headers=auth(token))  # fmt: skip
    assert reply.status_code == 200
    assert reply.json()["status_message"] == f"total_energy of charger cpo1-ch-000: {WORDS}"
    path = tmp_path / "cdrs.jsonl"
    path.write_text(dumps(session("20.5")) + "\n", encoding="utf-8")
    call_command("import_cdrs", str(path), operator="cpo1.example")
    assert (
        capsys.readouterr().err.strip() == f"line 1: total_energy of charger cpo1-ch-000: {WORDS}"
    )
    assert not ReceivedCdr.objects.exists()


def test_a_cdr_at_the_bound_is_taken_and_priced(operator, tmp_path, capsys):
    assert not isinstance(engine_says("20"), Exception)
    path = tmp_path / "cdrs.jsonl"
    path.write_text(dumps(session("20")) + "\n", encoding="utf-8")
    call_command("import_cdrs", str(path), operator="cpo1.example")
    row = ReceivedCdr.objects.get()
    assert row.price_note == "" and row.our_excl_vat is not None
