"""track -> on_track in both versions, one handler: the address a BAP polls for a charging
session, and that address answering the session as it stands."""

from __future__ import annotations

import pytest

from beckn.models import Order
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.beckn.deg_pricing import price_as_deg

pytestmark = pytest.mark.django_db


@pytest.fixture
def deg(network):
    price_as_deg(network.op_a, type_label="WEEKEND_SPECIAL")
    return network


def confirmed_1_1(deg, bap, run) -> Order:
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "select", msgs.select(op, charger))
    run(bap, "init", msgs.init(op, charger))
    run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    return Order.objects.get(bap_id=bap.subscriber_id)


def confirmed_2_0(deg, bap_v2, run_v2) -> Order:
    charger = deg.charger_a.code
    run_v2(bap_v2, "init", v2.contract(charger, offer="weekend-discount-25", buyer=True))
    run_v2(bap_v2, "confirm", v2.contract(charger, offer="weekend-discount-25", buyer=True))
    return Order.objects.get(bap_id=bap_v2.subscriber_id)


def tracking_path(url: str) -> str:
    return url[url.index("/beckn/") :]


def test_1_1_track_answers_the_sessions_address_which_answers_the_session(
    deg, bap, run, client, our_key, clock
):
    order = confirmed_1_1(deg, bap, run)
    row, body = run(bap, "track", {"order_id": order.order_id})
    assert row.action == "on_track" and "error" not in body
    tracking = body["message"]["tracking"]
    assert tracking["id"] == order.order_id and tracking["status"] == "active"
    page = client.get(tracking_path(tracking["url"]))
    assert page.status_code == 200
    assert page.json()["order_id"] == order.order_id
    assert page.json()["state"]["code"] == "order-confirmed"
    assert page.json()["tracking"] == "active"
    run(bap, "update", msgs.update_start(order.order_id))
    assert client.get(tracking_path(tracking["url"])).json()["state"]["code"] == "charging-started"
    clock(msgs.SESSION_END)  # charging ended
    run(bap, "update", msgs.update_end(order.order_id, kwh="5.2"))
    ended = client.get(tracking_path(tracking["url"])).json()
    assert ended["tracking"] == "inactive" and ended["delivered_kwh"] == "5.2"
    _, again = run(bap, "track", {"order_id": order.order_id})
    assert again["message"]["tracking"]["status"] == "inactive"


def test_track_of_an_order_that_is_not_the_baps_is_an_error_callback(deg, bap, run, our_key):
    _, body = run(bap, "track", {"order_id": "no-such-order"})
    assert body["error"]["code"] == "30010"


def test_a_forged_or_altered_tracking_address_opens_nothing(deg, bap, run, client, our_key):
    order = confirmed_1_1(deg, bap, run)
    _, body = run(bap, "track", {"order_id": order.order_id})
    path = tracking_path(body["message"]["tracking"]["url"])
    assert client.get(path[:-2] + "xx").status_code == 404
    assert client.get(f"/beckn/sessions/{order.order_id}").status_code == 404
    assert client.post(path).status_code == 405


def test_2_0_track_answers_on_track_valid_against_the_2_0_schema(
    deg, bap_v2, run_v2, client, our_key
):
    order = confirmed_2_0(deg, bap_v2, run_v2)
    asked = {
        "tracking": {
            "contract": v2.by_id(order.order_id, deg.charger_a.code)["contract"],
            "url": "https://bap-v2.test.example/beckn/track-here",
            "status": "ACTIVE",
        }
    }
    row, body = run_v2(bap_v2, "track", asked)  # callback_v2: schema- and pack-valid
    assert row.action == "on_track" and "error" not in body
    tracking = body["message"]["tracking"]
    assert tracking["status"] == "ACTIVE"
    assert tracking["contract"]["id"] == order.order_id
    assert tracking["trackingAttributes"]["@type"] == "ChargingSession"
    assert tracking["trackingAttributes"]["sessionStatus"] == "PENDING"
    assert "/beckn/sessions/" in tracking["url"]
    page = client.get(tracking_path(tracking["url"])).json()
    assert page["order_id"] == order.order_id and page["tracking"] == "active"


def test_2_0_track_of_an_unknown_contract_is_a_valid_error_callback(deg, bap_v2, run_v2, our_key):
    asked = {
        "tracking": {
            "contract": v2.by_id("7d3c3c1e-0000-4000-8000-000000000000", deg.charger_a.code)[
                "contract"
            ],
            "url": "https://bap-v2.test.example/beckn/track-here",
            "status": "ACTIVE",
        }
    }
    _, body = run_v2(bap_v2, "track", asked)
    assert body["error"]["errorCode"] == "30010"
    assert body["message"]["tracking"]["status"] == "INACTIVE"
