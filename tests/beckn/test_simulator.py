"""The BAP simulator against a running server: eager Celery here, a real worker below."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings

from beckn.models import Order, OrderState, Outbox, OutboxState
from beckn.protocol.timefmt import format_timestamp
from beckn.services import keys
from beckn.simulator.journey import JourneyFailed, Plan, booked_start
from pricing.models import SurgeRule
from tests.beckn.deg_pricing import price_as_deg
from tests.support.beckn import play

IST = ZoneInfo("Asia/Kolkata")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def priced_network(network):
    price_as_deg(network.op_a)
    SurgeRule.objects.create(
        operator=network.op_a, code="surge20", kind="peak", name="Surge", form="percent",
        amount=Decimal("20"),
        effective_from=dt.datetime(2025, 1, 1, tzinfo=IST),
    )  # fmt: skip
    network.charger_b.delete()  # one provider in the circle: the journey is deterministic
    keys.generate("bpp-key-1")
    return network


@pytest.mark.django_db(transaction=True)
def test_simulator_journey_eager(server, priced_network, eager):
    out = play(server)
    # ₹100 buys 5 kWh at ₹18 after the ₹10 fee; 20% surge; 25% off the energy; 18% GST
    assert "Charging session cost (5 kWh @ ₹18.00/kWh)" in out
    assert "Surge (20%)" in out
    assert "Weekend Special Offer (25% off)" in out
    assert "order ord-" in out and "Journey complete" in out
    assert out.count(f"signed by {server.bpp_id}|bpp-key-1") == 6  # every callback verified
    order = Order.objects.get()
    assert order.state == OrderState.COMPLETED and order.delivered_kwh == Decimal("5.200")
    # settled on 5.2 kWh: 93.60 + 10 + 18.72 surge - 23.40 = 98.92 taxable, GST 17.81
    assert order.quote_total == Decimal("116.73")
    receipt_lines = out.split("Receipt", 1)[1]
    for label, value in [("Original price", "122.32"), ("of which surge", "18.72"),
                         ("Discount", "23.40"), ("Tax", "17.81"), ("Total", "116.73")]:  # fmt: skip
        assert any(label in ln and ln.rstrip().endswith(value) for ln in receipt_lines.splitlines())
    assert set(Outbox.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}


@pytest.mark.django_db(transaction=True)
def test_simulator_journey_in_2_0_costs_what_1_1_costs(server, priced_network, eager):
    out = play(server, "--version", "2.0")
    assert "-> discover ACK" in out and "Journey complete" in out
    assert "SURCHARGE  Surge (20%): 20% of energy ₹90.00" in out
    assert "DISCOUNT   Weekend Special Offer (25% off): 25% of energy ₹90.00" in out
    assert out.count(f"signed by {server.bpp_id}|bpp-key-1") == 6  # every callback verified
    order = Order.objects.get()
    assert order.state == OrderState.COMPLETED and order.delivered_kwh == Decimal("5.200")
    assert order.quote_total == Decimal("116.73")  # the 1.1 journey's, above
    assert set(Outbox.objects.values_list("action", flat=True)) >= {"on_discover", "on_update"}
    assert set(Outbox.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("version", ["1.1", "2.0"])
def test_a_journey_booked_a_day_ahead_stops_at_the_booking(server, priced_network, eager, version):
    """`--start` a day ahead: the session is booked and confirmed, and the journey says in
    one line that charging is not simulated before it starts (an end of charging still to
    come is refused), rather than stopping at the BPP's refusal."""
    ahead = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
    out = play(server, "--version", version, "--start", format_timestamp(ahead))
    order = Order.objects.get()
    assert order.state == OrderState.CONFIRMED and order.held_session.start == ahead
    assert (
        f"   booked to start at {format_timestamp(ahead)}: charging is not simulated before "
        "the booked start, so the journey stops at the booking\n"
    ) in out
    assert f"Journey complete: order {order.order_id} booked." in out
    assert "-> update" not in out and out.count("signed by") == 4  # search ... confirm


@pytest.mark.django_db(transaction=True)
def test_a_past_start_is_charged_to_now(server, priced_network, eager, settings):
    """`--start` 20 minutes back, within a longer booking window: charged from it to now."""
    settings.BECKN_BOOKING_GRACE_MINUTES = 30
    past = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=20)
    out = play(server, "--start", format_timestamp(past))
    assert "Journey complete: order ord-" in out and "booked" not in out.splitlines()[-1]
    assert Order.objects.get().state == OrderState.COMPLETED


@pytest.mark.django_db
def test_the_default_start_needs_a_booking_window_reaching_back_to_it(settings):
    """The default session started 12 minutes ago: a window of 12 minutes back or less
    would refuse it, so the simulator says so before it sends anything."""
    settings.BECKN_BOOKING_GRACE_MINUTES = 12
    now = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    with pytest.raises(JourneyFailed, match=r"BECKN_BOOKING_GRACE_MINUTES \(12\)"):
        booked_start(Plan(), now)
    settings.BECKN_BOOKING_GRACE_MINUTES = 13
    assert booked_start(Plan(), now) == now - dt.timedelta(minutes=12)
    assert booked_start(Plan(start=now), now) == now


def _redis_broker() -> bool:
    return str(django_settings.CELERY_BROKER_URL).startswith("redis://")


@pytest.mark.integration
@pytest.mark.postgres
@pytest.mark.skipif(not _redis_broker(), reason="needs CELERY_BROKER_URL=redis://...")
@pytest.mark.django_db(transaction=True)
def test_simulator_journey_with_a_real_worker(server, priced_network, settings):
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    # Stale messages go; a parallel test worker's queues (another key prefix) stay.
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    for stale in broker.scan_iter(match=f"{prefix}*"):
        broker.delete(stale)
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "BECKN_SUBSCRIBER_ID": settings.BECKN_SUBSCRIBER_ID,
        "BECKN_SUBSCRIBER_URI": settings.BECKN_SUBSCRIBER_URI,
        "BECKN_ALLOW_PRIVATE_CALLBACKS": "1",
        "DEBUG": "1",
        "PYTHONPATH": str(ROOT),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cpo_portal", "worker", "--pool", "solo",
         "-Q", "celery,beckn",
         "--loglevel", "WARNING", "--hostname", f"beckn-test-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        out = play(server)
    finally:
        worker.terminate()
        logs = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Journey complete" in out, logs
    order = Order.objects.get()
    assert order.state == OrderState.COMPLETED and order.quote_total == Decimal("116.73")
    assert set(Outbox.objects.values_list("state", flat=True)) == {OutboxState.DELIVERED}
