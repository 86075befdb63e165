"""The pricing stamp under real concurrent transactions (PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from cpo_portal.models import Stamp
from tests.factories import OperatorFactory
from tests.pricing.factories import at
from tests.support.pricing import quote_session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work()
        except Exception as exc:  # reported below, not swallowed
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_first_reads_race_to_one_row_and_one_stamp():
    operator = OperatorFactory()
    stamps = in_threads(8, lambda: Stamp.current(Stamp.Kind.PRICING, operator.pk))
    assert not [s for s in stamps if isinstance(s, Exception)], stamps
    assert len(set(stamps)) == 1
    assert Stamp.objects.filter(kind=Stamp.Kind.PRICING, operator=operator).count() == 1


def test_quotes_in_parallel_with_changes_end_on_the_new_price(priced_committed):
    ns = priced_committed
    charger, tariff = ns.charger_a, ns.tariff_a

    def quote_or_change(i: int):
        if i % 4 == 0:
            tariff.service_fee = Decimal("0")
            tariff.save(update_fields=["service_fee", "updated_at"])
            return None
        return quote_session(charger, at("2025-09-24 10:00"), kwh=Decimal("5")).total

    counter = iter(range(100))
    lock = threading.Lock()

    def work():
        with lock:
            i = next(counter)
        return quote_or_change(i)

    results = in_threads(8, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {r for r in results if r is not None} <= {Decimal("118.00"), Decimal("106.20")}
    # once the writes are committed, every process sees the new price
    assert quote_session(charger, at("2025-09-24 10:00"), kwh=Decimal("5")).total == Decimal(
        "106.20"
    )


@pytest.fixture
def priced_committed(db):
    from tests.factories import build_network
    from tests.pricing.factories import TariffFactory

    ns = build_network()
    ns.tariff_a = TariffFactory(operator=ns.op_a, code="a-default")
    return ns
