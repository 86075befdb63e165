"""A confirm of an order past init, in 1.1 and 2.0: a cancelled or completed order is not
confirmed (50002), a confirmed one is answered again as it is, at its own total only
(40003 naming both figures); nothing about the order changes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beckn.models import Order, OrderState
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.beckn.deg_pricing import price_as_deg

pytestmark = pytest.mark.django_db


def _order_row() -> dict:
    return Order.objects.values().get()


def _confirmed_1_1(network, bap, run):
    op, charger = network.op_a.code, network.charger_a.code
    run(bap, "init", msgs.init(op, charger))
    _, body = run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    assert "error" not in body, body["error"]
    return body


def _ended_1_1(network, bap, run, clock) -> None:
    order = Order.objects.get()
    run(bap, "update", msgs.update_start(order.order_id))
    clock(msgs.SESSION_END)
    _, body = run(bap, "update", msgs.update_end(order.order_id))
    assert "error" not in body, body["error"]


@pytest.mark.parametrize("state", [OrderState.CANCELLED, OrderState.COMPLETED])
def test_1_1_confirm_of_a_cancelled_or_completed_order_is_refused(
    network, bap, fake, run, our_key, clock, state
):
    _confirmed_1_1(network, bap, run)
    if state == OrderState.CANCELLED:
        run(bap, "cancel", {"order_id": Order.objects.get().order_id})
    else:
        _ended_1_1(network, bap, run, clock)
    before, calls = _order_row(), list(fake.calls)
    op, charger = network.op_a.code, network.charger_a.code
    _, body = run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    assert body["error"] == {
        "code": "50002",
        "message": f"an order that is {state} cannot become confirmed: "
        "book again in a new transaction",
    }
    assert _order_row() == before and fake.calls == calls


def test_1_1_confirm_repeated_answers_the_same_on_confirm(network, bap, fake, run, our_key):
    first = _confirmed_1_1(network, bap, run)
    before = _order_row()
    op, charger = network.op_a.code, network.charger_a.code
    _, again = run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    assert again["message"] == first["message"]
    assert _order_row() == before and fake.calls.count("redeem") == 1


def test_1_1_confirm_repeated_with_another_total_is_refused(network, bap, fake, run, our_key):
    _confirmed_1_1(network, bap, run)
    before = _order_row()
    op, charger = network.op_a.code, network.charger_a.code
    _, body = run(bap, "confirm", msgs.confirm(op, charger, total="80.00"))
    assert body["error"] == {
        "code": "40003",
        "message": 'the quote sent ("INR 80.00") is not the quote on offer (INR 91.45)',
        "paths": "$.message.order.quote.price",
    }
    assert _order_row() == before and fake.calls.count("redeem") == 1


@pytest.fixture
def deg(network):
    price_as_deg(network.op_a, type_label="WEEKEND_SPECIAL")
    return network


def _confirmed_2_0(deg, bap_v2, run_v2) -> tuple[dict, float]:
    charger = deg.charger_a.code
    _, init = run_v2(bap_v2, "init", v2.contract(charger, buyer=True))
    value = init["message"]["contract"]["consideration"][0]["considerationAttributes"]["value"]
    _, body = run_v2(bap_v2, "confirm", v2.contract(charger, buyer=True, total=value))
    assert "error" not in body, body["error"]
    return body, value


@pytest.mark.parametrize("state", [OrderState.CANCELLED, OrderState.COMPLETED])
def test_2_0_confirm_of_a_cancelled_or_completed_order_is_refused(
    deg, bap_v2, run_v2, our_key, clock, state
):
    charger = deg.charger_a.code
    confirmed, total = _confirmed_2_0(deg, bap_v2, run_v2)
    order_id = confirmed["message"]["contract"]["id"]
    if state == OrderState.CANCELLED:
        run_v2(bap_v2, "cancel", v2.by_id(order_id, charger))
    else:
        clock(msgs.SESSION_START)
        run_v2(bap_v2, "update", v2.session_update(order_id, charger, "ACTIVE"))
        clock(msgs.SESSION_END)
        run_v2(bap_v2, "update", v2.session_update(order_id, charger, "COMPLETED", kwh=5.2))
    assert Order.objects.get().state == state
    before = _order_row()
    _, body = run_v2(bap_v2, "confirm", v2.contract(charger, buyer=True, total=total))
    assert body["error"]["errorCode"] == "50002"
    assert body["error"]["errorMessage"] == (
        f"an order that is {state} cannot become confirmed: book again in a new transaction"
    )
    assert _order_row() == before


def test_2_0_confirm_repeated_answers_the_same_on_confirm(deg, bap_v2, run_v2, our_key):
    first, total = _confirmed_2_0(deg, bap_v2, run_v2)
    before = _order_row()
    _, again = run_v2(bap_v2, "confirm", v2.contract(deg.charger_a.code, buyer=True, total=total))
    assert again["message"] == first["message"]
    assert _order_row() == before


def test_2_0_confirm_repeated_with_another_total_is_refused(deg, bap_v2, run_v2, our_key):
    _, total = _confirmed_2_0(deg, bap_v2, run_v2)
    before = _order_row()
    other = v2.contract(deg.charger_a.code, buyer=True, total=1.0)
    _, body = run_v2(bap_v2, "confirm", other)
    ours = f"{Decimal(str(total)):.2f}"
    assert body["error"]["errorCode"] == "40003"
    assert body["error"]["errorMessage"] == (
        f'the quote sent ("INR 1") is not the quote on offer (INR {ours})'
    )
    value = "$.message.contract.consideration[0].considerationAttributes.value"
    assert body["error"]["paths"] == value
    assert _order_row() == before
