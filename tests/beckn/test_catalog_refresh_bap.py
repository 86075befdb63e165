"""Catalog refresh end to end: `manage.py beckn_bap --refresh` against a running server
(eager Celery): the whole catalog, a window of changes, and a push started, received
signed at the simulator's registered URL, and stopped."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from beckn.models import CatalogSubscription
from beckn.services import catalog_refresh, keys, publication
from pricing.models import Tariff
from tests.beckn.deg_pricing import price_as_deg
from tests.support.beckn import play

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def priced(network):
    publication.forget()
    price_as_deg(network.op_a)
    keys.generate("bpp-key-1")
    yield network
    publication.forget()


def test_full_and_window(server, priced, eager):
    out = play(server, "--refresh", "full")
    assert "cpo-a.example: 1 locations; 1 items; 1 offers" in out
    assert "cpo-b.example: 1 locations; 1 items" in out
    assert "Catalog refresh (full) done." in out
    catalog_refresh.record(timezone.now())  # what beat does
    priced.charger_b.delete()
    out = play(server, "--refresh", "inc", "--since", "5")
    assert "removed b-charger-01" in out


@pytest.mark.postgres  # a second writer beside the live server's: SQLite takes one at a time
def test_push_reaches_the_simulator_until_stopped(server, priced, eager):
    failed: list[BaseException] = []

    def edit_when_subscribed():
        try:
            for _ in range(600):
                if CatalogSubscription.objects.filter(active=True).exists():
                    break
                time.sleep(0.05)
            tariff = Tariff.objects.get(operator=priced.op_a, code="std")
            tariff.energy_rate_per_kwh = Decimal("21")
            tariff.save()
            catalog_refresh.push_due(timezone.now())  # what beat runs
        except BaseException as exc:  # shown by the test, not lost with the thread
            failed.append(exc)
        finally:
            connection.close()

    editor = threading.Thread(target=edit_when_subscribed)
    editor.start()
    out = play(server, "--refresh", "push", "--wait", "30")
    editor.join()
    assert failed == []
    assert "<- on_search pushed, signed by" in out
    assert "cpo-a.example: 1 items" in out
    assert not CatalogSubscription.objects.get().active
