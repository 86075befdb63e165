"""Beckn 2.0 on the same commerce path: discover, select, init, confirm, status, cancel,
answered in 2.0 (schema- and pack-valid callbacks), with the same money as 1.1."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from beckn.models import InboundMessage, Order
from beckn.protocol.signature_header import SignatureError
from beckn.protocol.v2 import schema as v2_schema
from beckn.protocol.v2.ack import verify_countersignature
from beckn.wire.v2.reading import internal_message
from offers.models import Redemption
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.beckn.deg_pricing import price_as_deg
from tests.support.beckn import breakup

pytestmark = pytest.mark.django_db


@pytest.fixture
def deg(network):
    """Operator A priced as the DEG offers page: ₹18/kWh, ₹10 fee, 18% GST, 25% off."""
    price_as_deg(network.op_a, type_label="WEEKEND_SPECIAL")
    return network


def value_of(body: dict) -> dict:
    consideration = body["message"]["contract"]["consideration"][0]
    return consideration["considerationAttributes"]


def components(body: dict) -> list[tuple[str, str, str]]:
    return [
        (c["type"], c["description"], f"{Decimal(str(c['value'])):.2f}")
        for c in value_of(body)["components"]
    ]


def test_discover_answers_2_0_catalogs_with_the_offer_and_list_price(deg, bap_v2, run_v2, our_key):
    row, body = run_v2(bap_v2, "discover", v2.discover())
    assert row.action == "on_discover"
    assert body["context"]["version"] == "2.0.0"
    assert body["context"]["action"] == "on_discover"
    assert body["context"]["requestDigest"]["digest"].startswith("BLAKE-512=")
    catalogs = {c["provider"]["id"]: c for c in body["message"]["catalogs"]}
    catalog = catalogs[deg.op_a.code]
    resource = next(r for r in catalog["resources"] if r["id"] == deg.charger_a.code)
    assert resource["resourceAttributes"]["@type"] == "ChargingService"
    offers = {o["id"]: o for o in catalog["offers"]}
    listed = offers[f"list-price:{deg.charger_a.code}"]
    price = listed["considerations"][0]["considerationAttributes"]
    assert price["value"] == 18.0 and price["applicableQuantity"]["unitCode"] == "KWH"
    weekend = offers["weekend-discount-25"]
    assert deg.charger_a.code in weekend["resourceIds"]
    offered = weekend["considerations"][0]["considerationAttributes"]
    assert offered["value"] == 13.5  # 25% off ₹18
    assert sum(Decimal(str(c["value"])) for c in offered["components"]) == Decimal("13.5")
    # the same catalogs are what a publication to a Catalog Discovery Service carries
    publish = {
        "context": {**body["context"], "action": "catalog/publish"},
        "message": {"catalogs": body["message"]["catalogs"]},
    }
    assert v2_schema.issues("catalog/publish", publish) == []


def test_select_quotes_the_offer_as_an_order_value_that_adds_up(deg, bap_v2, run_v2, our_key):
    op, charger = deg.op_a.code, deg.charger_a.code
    _, body = run_v2(bap_v2, "select", v2.contract(charger, offer="weekend-discount-25"))
    contract = body["message"]["contract"]
    assert contract["status"]["code"] == "DRAFT"
    assert contract["commitments"][0]["offer"]["id"] == "weekend-discount-25"
    assert contract["commitments"][0]["offer"]["provider"]["id"] == op
    value = value_of(body)
    assert value["value"] == 91.45
    assert components(body) == [
        ("UNIT", "Charging session cost (5 kWh @ ₹18.00/kWh)", "90.00"),
        ("FEE", "Service fee", "10.00"),
        ("DISCOUNT", "Weekend Special Offer (25% off): 25% of energy ₹90.00", "-22.50"),
        ("TAX", "GST (18%): 18% of the session before tax ₹77.50", "13.95"),
    ]
    total = sum(Decimal(str(c["value"])) for c in value["components"])
    assert total == Decimal("91.45")
    assert contract["contractAttributes"]["@type"] == "ChargingSession"


def test_the_ack_is_counter_signed_over_the_request(deg, bap_v2, client, our_key, no_queue):
    body = bap_v2.body("select", v2.contract(deg.charger_a.code))
    raw = json.dumps(body).encode()
    response = bap_v2.post(client, "select", body, raw=raw)
    ack = response.json()
    assert response.status_code == 200 and ack["status"] == "ACK"
    signer = verify_countersignature(ack, raw, body["context"]["messageId"], our_key.public_key)
    assert signer == "bpp.test.example"
    with pytest.raises(SignatureError):
        verify_countersignature(ack, raw + b" ", body["context"]["messageId"], our_key.public_key)


def test_every_ack_and_nack_is_counter_signed_naming_the_request(
    deg, bap_v2, client, our_key, no_queue, monkeypatch
):
    from cpo_portal.web import jsonlimits

    reads: list[int] = []
    loads = jsonlimits.loads
    monkeypatch.setattr(jsonlimits, "loads", lambda *a, **k: reads.append(1) or loads(*a, **k))

    def answered(body: dict, raw: bytes, **sign_kw) -> tuple[int, dict]:
        reads.clear()
        response = bap_v2.post(client, "select", body, raw=raw, **sign_kw)
        ack = response.json()
        message_id = body["context"]["messageId"]
        assert verify_countersignature(ack, raw, message_id, our_key.public_key)
        return response.status_code, ack

    body = bap_v2.body("select", v2.contract(deg.charger_a.code))
    raw = json.dumps(body).encode()
    assert answered(body, raw)[0] == 200
    assert len(reads) == 1  # the body is read once, for the checks and the Ack alike
    reused = {**body, "message": v2.contract(deg.charger_a.code, offer="weekend-discount-25")}
    status, ack = answered(reused, json.dumps(reused).encode())
    assert status == 400 and "already used" in ack["error"]["errorMessage"]
    assert len(reads) == 1
    bad = bap_v2.body("select", {"order": {"nothing": True}})
    assert answered(bad, json.dumps(bad).encode())[0] == 400 and len(reads) == 1
    other = bap_v2.body("select", v2.contract(deg.charger_a.code))
    status, ack = answered(other, json.dumps(other).encode(), key_id="not-registered")
    assert status == 401 and ack["error"]["errorCode"] == "30016"  # read only for the Ack


def test_bad_input_gets_a_2_0_nack_with_a_reason(deg, bap_v2, client, our_key):
    body = bap_v2.body("select", {"order": {"nothing": True}})
    response = bap_v2.post(client, "select", body)
    answer = response.json()
    assert response.status_code == 400
    assert answer["status"] == "NACK"
    assert answer["error"]["errorCode"] == "30000"
    # the reason names the place in what was sent (DEG's `beckn:Order`, read as a Contract)
    empty = "$.message.order.beckn:orderItems: [] has fewer than 1 item"
    assert answer["error"]["errorMessage"] == empty
    assert answer["signature"].startswith("Signature keyId=")
    wrong = bap_v2.body("select", v2.contract(deg.charger_a.code), version="1.1.0")
    answer = bap_v2.post(client, "select", wrong).json()
    assert answer["status"] == "NACK" and "2.0.0" in answer["error"]["errorMessage"]
    unsigned = client.post("/beckn/v2/select", data=b"{}", content_type="application/json")
    assert unsigned.status_code == 401 and unsigned.json()["error"]["errorCode"] == "30016"
    nope = client.post("/beckn/v2/nope", data=b"{}", content_type="application/json")
    assert nope.status_code == 404 and nope.json()["status"] == "NACK"
    assert client.get("/beckn/v2/select").status_code == 405


def test_a_2_0_message_on_a_1_1_path_is_told_the_version_expected(deg, bap_v2, client, our_key):
    """Not a signature refusal for the `bap_id` 1.1 looks for (2.0 spells it `bapId`): the
    NACK says which version the path speaks and where 2.0 is, as the 2.0 path does for a
    1.1 message."""
    body = bap_v2.body("select", v2.contract(deg.charger_a.code))
    raw = json.dumps(body).encode()
    response = client.post(
        "/beckn/select", data=raw, content_type="application/json",
        HTTP_AUTHORIZATION=bap_v2.sign(raw),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "30000",
        "message": '$.context.version: must be "1.1.0" on this path, got "2.0.0": '
        "2.0 is at https://bpp.test.example/beckn/v2",
        "paths": "$.context.version",
    }
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize(
    "point",
    [[[1], [2]], ["77.3", "28.3"], [True, False], [77.3], [500, 95], [77.3, -91]],
    ids=["lists", "texts", "booleans", "one number", "longitude 500", "latitude -91"],
)
def test_a_discover_s_point_that_is_no_place_gets_a_nack(deg, bap_v2, client, our_key, point):
    """Refused at the door, not ACKed and then failed by the worker (40000)."""
    message = v2.discover()
    message["intent"]["spatial"][0]["geometry"]["coordinates"] = point
    response = bap_v2.post(client, "discover", bap_v2.body("discover", message))
    answer = response.json()
    assert response.status_code == 400, answer
    assert answer["error"]["errorCode"] == "30000"
    assert "$.message.intent.spatial[0].geometry.coordinates" in answer["error"]["errorMessage"]
    assert not InboundMessage.objects.exists()


def test_a_discover_s_point_on_the_edges_is_taken(deg, bap_v2, client, our_key):
    message = v2.discover()
    message["intent"]["spatial"][0]["geometry"]["coordinates"] = [-180, 90.0]
    response = bap_v2.post(client, "discover", bap_v2.body("discover", message))
    assert response.status_code == 200, response.json()


def test_one_quote_one_order_one_ledger_the_same_money_as_1_1(
    deg, bap, bap_v2, run, run_v2, our_key
):
    op, charger = deg.op_a.code, deg.charger_a.code
    run(bap, "select", msgs.select(op, charger))
    run(bap, "init", msgs.init(op, charger))
    _, confirmed_1 = run(bap, "confirm", msgs.confirm(op, charger, total="91.45"))
    run_v2(bap_v2, "select", v2.contract(charger, offer="weekend-discount-25"))
    _, initialised = run_v2(
        bap_v2, "init", v2.contract(charger, offer="weekend-discount-25", buyer=True)
    )
    assert initialised["message"]["contract"]["participants"][0]["descriptor"]["name"]
    _, confirmed = run_v2(
        bap_v2,
        "confirm",
        v2.contract(charger, offer="weekend-discount-25", buyer=True, total=91.45),
    )
    contract = confirmed["message"]["contract"]
    assert contract["status"]["code"] == "ACTIVE"
    one, two = Order.objects.order_by("pk")
    assert contract["id"] == two.order_id
    assert one.quote_total == two.quote_total == Decimal("91.45")
    assert [(t, a) for t, a in breakup(confirmed_1)] == [
        (c[1].split(":")[0], c[2]) for c in components(confirmed)
    ]
    for order in (one, two):
        kinds = set(
            Redemption.objects.filter(order_ref=order.reference).values_list("kind", flat=True)
        )
        assert kinds == {"validated", "redeemed"}  # a select writes no ledger row
    _, status = run_v2(bap_v2, "status", v2.by_id(two.order_id, charger))
    assert status["message"]["contract"]["id"] == two.order_id
    _, cancelled = run_v2(bap_v2, "cancel", v2.by_id(two.order_id, charger))
    assert cancelled["message"]["contract"]["status"]["code"] == "CANCELLED"
    reversed_row = Redemption.objects.get(order_ref=two.reference, kind="reversed")
    assert reversed_row.discount == Decimal("22.50")


def test_a_2_0_request_is_kept_as_sent_and_read_as_the_handlers_read_1_1(
    deg, bap_v2, run_v2, our_key
):
    run_v2(bap_v2, "select", v2.contract(deg.charger_a.code, kwh=5))
    inbound = InboundMessage.objects.get()
    assert inbound.action == "select"
    assert inbound.context["version"] == "2.0.0"
    assert inbound.context["bap_id"] == bap_v2.subscriber_id
    assert inbound.message["contract"]["commitments"]
    read = internal_message("select", inbound.message)
    assert read["order"]["items"] == [
        {
            "id": deg.charger_a.code,
            "quantity": {"selected": {"measure": {"value": "5", "unit": "kWh"}}},
        }
    ]
    assert [s["type"] for s in read["order"]["fulfillments"][0]["stops"]] == ["START", "END"]


def test_news_of_a_2_0_order_goes_out_in_2_0(deg, bap_v2, run_v2, our_key):
    from beckn.models import Outbox
    from beckn.services.order_updates import push_unsolicited
    from tests.beckn.conftest import callback_v2

    charger = deg.charger_a.code
    run_v2(bap_v2, "init", v2.contract(charger, offer="weekend-discount-25", buyer=True))
    run_v2(bap_v2, "confirm", v2.contract(charger, offer="weekend-discount-25", buyer=True))
    order = Order.objects.get()
    push_unsolicited(order, {"order": {"id": order.order_id}})
    row = Outbox.objects.get(action="on_update", inbound__isnull=True)
    body = callback_v2(row)  # valid against the 2.0.0 schema and the packs
    assert body["context"]["transactionId"] == bap_v2.transaction_id
    assert body["message"]["contract"]["id"] == order.order_id


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"context": []}',
        b'{"context": {"action": ["select"], "bap_id": "x"}, "message": {}}',
        b'{"context": {"version": "2.0.0", "action": "select"}, "message": {"order": 5}}',
        b'{"context": {"version": "2.0.0"}, "message": {"contract": {"commitments": "x"}}}',
        b'{"context": {}, "message": {"order": {"beckn:orderItems": [1, null, "x"]}}}',
        b'{"context": {}, "message": ' + b"[" * 40 + b"]" * 40 + b"}",
        b'{"context": {}, "message": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",  # past recursion
    ],
)
def test_hostile_2_0_input_gets_a_nack_never_a_500(raw, bap_v2, client, our_key, settings):
    settings.BECKN_VERIFY_SIGNATURES = False  # reach the body checks unsigned
    settings.DEBUG = True
    response = client.post("/beckn/v2/select", data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    answer = response.json()
    assert answer["status"] == "NACK" and answer["error"]["errorMessage"]


def with_finder_fee(message: dict, fee_type: str, value: float) -> dict:
    contract = message["contract"] if "contract" in message else message["message"]["contract"]
    contract["contractAttributes"]["buyerFinderFee"] = {"feeType": fee_type, "feeValue": value}
    return message


@pytest.mark.parametrize(
    ("asked", "charged"),
    [
        (2.5, ("FEE", "Buyer finder fee", "1.94")),  # 2.5% of ₹77.50 before tax
        (10, ("FEE", "Buyer finder fee", "3.88")),  # the operator's maximum, 5 %
    ],
)
def test_the_baps_finder_fee_is_a_fee_component_bounded_by_the_operators_maximum(
    deg, bap_v2, run_v2, our_key, asked, charged
):
    deg.op_a.max_buyer_finder_fee = Decimal("0.05")
    deg.op_a.save(update_fields=["max_buyer_finder_fee"])
    asking = with_finder_fee(
        v2.contract(deg.charger_a.code, offer="weekend-discount-25"), "PERCENTAGE", asked
    )
    _, body = run_v2(bap_v2, "select", asking)
    value = value_of(body)
    assert components(body)[-1] == charged
    assert Decimal(str(value["value"])) == Decimal("91.45") + Decimal(charged[2])
    assert sum(Decimal(str(c["value"])) for c in value["components"]) == Decimal(
        str(value["value"])
    )


def test_a_finder_fee_that_cannot_hold_is_refused_with_its_reason(deg, bap_v2, run_v2, our_key):
    asking = with_finder_fee(v2.contract(deg.charger_a.code), "PERCENTAGE", 150)
    _, body = run_v2(bap_v2, "select", asking)
    assert "buyer finder fee" in json.dumps(body["error"])


def test_the_finder_fee_terms_stay_with_the_order_through_init_and_confirm(
    deg, bap_v2, run_v2, our_key
):
    deg.op_a.max_buyer_finder_fee = Decimal("0.05")
    deg.op_a.save(update_fields=["max_buyer_finder_fee"])
    charger = deg.charger_a.code
    run_v2(
        bap_v2,
        "select",
        with_finder_fee(v2.contract(charger, offer="weekend-discount-25"), "PERCENTAGE", 2.5),
    )
    # init and confirm restate the contract without the terms: the order keeps them
    _, initialised = run_v2(
        bap_v2, "init", v2.contract(charger, offer="weekend-discount-25", buyer=True)
    )
    assert components(initialised)[-1] == ("FEE", "Buyer finder fee", "1.94")
    _, confirmed = run_v2(
        bap_v2,
        "confirm",
        v2.contract(charger, offer="weekend-discount-25", buyer=True, total=93.39),
    )
    assert confirmed["message"]["contract"]["status"]["code"] == "ACTIVE"
    order = Order.objects.get()
    assert order.quote_total == Decimal("93.39")
    assert order.held_session.finder_fee is not None
    assert order.held_session.finder_fee.value == Decimal("2.5")


def test_an_init_refused_after_its_select_gets_the_2_0_error_callback(network, bap_v2, run_v2):
    """The offer asked for does not apply (the session is under its minimum value): select
    quotes without it, and init, which makes the order of the quote select held, refuses
    it with 30006 in a valid 2.0 callback that echoes the contract sent (no order exists)."""
    price_as_deg(network.op_a, min_session_value=Decimal("50"))
    charger = network.charger_a.code
    offer = "weekend-discount-25"
    _, selected = run_v2(bap_v2, "select", v2.contract(charger, offer=offer, inr=30))
    assert "DISCOUNT" not in {kind for kind, _, _ in components(selected)}
    asked = v2.contract(charger, offer=offer, inr=30, buyer=True)
    row, refused = run_v2(bap_v2, "init", asked)
    assert refused["error"]["errorCode"] == "30006", refused["error"]
    assert "at least ₹50.00" in refused["error"]["errorMessage"]
    assert refused["message"]["contract"] == asked["contract"]
    assert not Order.objects.exists()
    assert InboundMessage.objects.get(pk=row.inbound_id).state == "done"


def test_a_refusal_that_cannot_be_rendered_is_still_answered(deg, bap_v2, run_v2, monkeypatch):
    """Whatever breaks while a refusal is written in 2.0, the BAP is answered at once with
    the 'could not process' error (40000), as for a handler that crashes."""
    from beckn.wire.v2 import replies

    def broken(*args, **kwargs):
        raise RuntimeError("a renderer that breaks")

    monkeypatch.setattr(replies, "message_for", broken)
    row, answered = run_v2(bap_v2, "select", v2.contract("no-such-charger"))  # a refusal
    assert answered["error"]["errorCode"] == "40000", answered["error"]
    inbound = InboundMessage.objects.get(pk=row.inbound_id)
    assert inbound.state == "failed" and "a renderer that breaks" in inbound.error
