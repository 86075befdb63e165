"""A Beckn 2.0 error names where the 2.0 request the BAP sent has what it is about, never
the place 1.1's message (the one the handlers read) has it: in the OpenAPI's Contract
(`$.message.contract.commitments[0].resources[0].id`), or in DEG's `beckn:Order` for a BAP
that sent that (`$.message.order.beckn:orderItems[0].beckn:orderedItem`), in the error
callback as in the NACK."""

from __future__ import annotations

from decimal import Decimal

import pytest

from beckn.protocol.v2.schema import CONTEXTS
from tests.beckn import bap as msgs
from tests.beckn import bap_v2 as v2
from tests.beckn.deg_pricing import price_as_deg

pytestmark = pytest.mark.django_db
CONTEXT_CORE = CONTEXTS["core"]


@pytest.fixture
def deg(network):
    """Operator A priced as the DEG offers page: ₹18/kWh, ₹10 fee, 18% GST, 25% off."""
    price_as_deg(network.op_a, type_label="WEEKEND_SPECIAL")
    return network


def _unknown_item(deg):
    return v2.contract("no-such-charger", provider=deg.op_a.code)


def _unknown_provider(deg):
    return v2.contract(deg.charger_a.code, provider="nobody.example")


def _unit(deg):
    message = v2.contract(deg.charger_a.code)
    message["contract"]["commitments"][0]["resources"][0]["quantity"]["unitCode"] = "LTR"
    return message


def _too_much(deg):
    return v2.contract(deg.charger_a.code, inr=1e8)


def _backwards(deg):
    return v2.contract(deg.charger_a.code, start=msgs.SESSION_END, end=msgs.SESSION_START)


def _finder_fee(deg):
    message = v2.contract(deg.charger_a.code)
    terms = {"feeType": "PERCENTAGE", "feeValue": 150}
    message["contract"]["contractAttributes"]["buyerFinderFee"] = terms
    return message


CHARGING = "$.message.contract.commitments[0]"


@pytest.mark.parametrize(
    ("asking", "code", "path"),
    [
        (_unknown_item, "30004", f"{CHARGING}.resources[0].id"),
        (_unknown_provider, "30001", f"{CHARGING}.offer.provider.id"),
        (_unit, "30000", f"{CHARGING}.resources[0].quantity.unitCode"),
        (_too_much, "30000", f"{CHARGING}.resources[0].quantity.unitQuantity"),
        (_backwards, "30000", "$.message.contract.contractAttributes.preferences"),
        (_finder_fee, "30000", "$.message.contract.contractAttributes.buyerFinderFee"),
    ],
    ids=["unknown item", "unknown provider", "unit", "out of range", "backwards", "finder fee"],
)
def test_a_refused_select_names_the_place_in_the_contract(
    deg, bap_v2, run_v2, our_key, asking, code, path
):
    _, body = run_v2(bap_v2, "select", asking(deg))
    assert (body["error"]["errorCode"], body["error"]["paths"]) == (code, path)


def test_an_offer_refused_at_init_names_the_commitment_s_offer(network, bap_v2, run_v2):
    price_as_deg(network.op_a, min_session_value=Decimal("50"))
    charger, offer = network.charger_a.code, "weekend-discount-25"
    run_v2(bap_v2, "select", v2.contract(charger, offer=offer, inr=30))
    _, refused = run_v2(bap_v2, "init", v2.contract(charger, offer=offer, inr=30, buyer=True))
    assert refused["error"]["errorCode"] == "30006"
    assert refused["error"]["paths"] == f"{CHARGING}.offer"


def test_a_price_refused_at_confirm_names_the_consideration(deg, bap_v2, run_v2, our_key):
    charger = deg.charger_a.code
    run_v2(bap_v2, "init", v2.contract(charger, buyer=True))
    _, refused = run_v2(bap_v2, "confirm", v2.contract(charger, buyer=True, total=1.0))
    assert refused["error"]["errorCode"] == "40003"
    value = "$.message.contract.consideration[0].considerationAttributes.value"
    assert refused["error"]["paths"] == value


def test_a_stop_without_the_energy_names_the_session_s_metered_energy(deg, bap_v2, run_v2, our_key):
    charger = deg.charger_a.code
    run_v2(bap_v2, "init", v2.contract(charger, buyer=True))
    _, confirmed = run_v2(bap_v2, "confirm", v2.contract(charger, buyer=True))
    order_id = confirmed["message"]["contract"]["id"]
    run_v2(bap_v2, "update", v2.session_update(order_id, charger, "ACTIVE"))
    _, refused = run_v2(bap_v2, "update", v2.session_update(order_id, charger, "COMPLETED"))
    assert refused["error"]["errorCode"] == "30000"
    performed = "$.message.contract.performance[0].performanceAttributes"
    assert refused["error"]["paths"] == f"{performed}.meteredEnergyKWh"
    _, refused = run_v2(bap_v2, "update", v2.session_update(order_id, charger, "INTERRUPTED"))
    assert refused["error"]["errorCode"] == "30012"
    assert refused["error"]["paths"] == f"{performed}.sessionStatus"


def test_a_rating_refused_names_the_rating_input(deg, bap_v2, run_v2, our_key):
    rating = {
        "ratingInputs": [
            {"target": {"id": "no-such-order", "descriptor": {"code": "ORDER"}}, "range": {}},
        ]
    }
    rating["ratingInputs"][0]["range"] = {"ratingValue": 4, "bestRating": 5, "worstRating": 1}
    _, refused = run_v2(bap_v2, "rate", rating)
    assert refused["error"]["errorCode"] == "30014"
    assert refused["error"]["paths"] == "$.message.ratingInputs[0].target.id"


@pytest.mark.parametrize(
    ("scale", "kept"),
    [
        ({"bestRating": 5, "worstRating": 1}, "4"),
        ({"bestRating": 5.0, "worstRating": 0}, "4"),
        ({}, "4"),
        ({"bestRating": 10, "worstRating": 1}, None),
        ({"bestRating": 5, "worstRating": 2}, None),
    ],
    ids=["ours", "ours from 0", "no scale", "out of 10", "from 2"],
)
def test_a_rating_on_a_scale_of_its_own_is_refused_not_read_as_of_5(
    confirmed_v2, bap_v2, run_v2, scale, kept
):
    """A 4 out of 10 is not a 4 out of 5: the rating rule keeps ratings from 1 to 5, and
    a rating input whose `bestRating` / `worstRating` say another scale is refused (30015)
    saying so, the order's ratings unchanged."""
    span = {"ratingValue": 4, **scale}
    target = {"id": confirmed_v2.order_id, "descriptor": {"code": "ORDER"}}
    _, body = run_v2(bap_v2, "rate", {"ratingInputs": [{"target": target, "range": span}]})
    confirmed_v2.refresh_from_db()
    if kept is not None:
        assert "error" not in body, body["error"]
        assert [r["value"] for r in confirmed_v2.ratings] == [kept]
        return
    best, worst = scale["bestRating"], scale["worstRating"]
    assert body["error"] == {
        "errorCode": "30015",
        "errorMessage": f'"4 on a scale of {worst} to {best}" is not a rating from 1 to 5',
        "paths": "$.message.ratingInputs[0].range.ratingValue",
    }
    assert confirmed_v2.ratings == []


def test_a_message_in_deg_s_shape_is_told_where_it_has_the_thing(deg, bap_v2, run_v2, our_key):
    """DEG's `beckn:Order` is read as a Contract; its errors name the order's own keys."""
    order = {
        "@context": CONTEXT_CORE,
        "@type": "beckn:Order",
        "beckn:orderStatus": "CREATED",
        "beckn:seller": deg.op_a.code,
        "beckn:orderItems": [
            {
                "beckn:orderedItem": "no-such-charger",
                "beckn:quantity": {"unitCode": "KWH", "unitQuantity": 5},
                "beckn:acceptedOffer": {
                    "@context": CONTEXT_CORE,
                    "@type": "beckn:Offer",
                    "beckn:id": "list-price:no-such-charger",
                    "beckn:descriptor": {"@type": "beckn:Descriptor", "schema:name": "Tariff"},
                    "beckn:items": ["no-such-charger"],
                    "beckn:provider": deg.op_a.code,
                },
            }
        ],
    }
    _, body = run_v2(bap_v2, "select", {"order": order})
    assert body["error"]["errorCode"] == "30004"
    assert body["error"]["paths"] == "$.message.order.beckn:orderItems[0].beckn:orderedItem"


def test_a_nack_names_the_place_in_the_body_as_sent(deg, bap_v2, client, our_key):
    """The schema judges the OpenAPI's shape a DEG message is read into; the NACK names
    the DEG message's own keys, and the context's as the BAP spelled them."""
    line = {
        "beckn:orderedItem": deg.charger_a.code,
        "beckn:quantity": {"unitCode": "KWH", "unitQuantity": 5},
    }
    session = {
        "@context": CONTEXTS["ChargingSession"],
        "@type": "ChargingSession",
        "preferences": {"startTime": "soon"},
    }
    order = {"beckn:orderItems": [line], "beckn:orderAttributes": session}
    body = bap_v2.body("select", {"order": order})
    answer = bap_v2.post(client, "select", body).json()
    assert answer["status"] == "NACK", answer
    sent = "$.message.order.beckn:orderAttributes.preferences.startTime"
    assert answer["error"]["paths"] == sent
    assert sent in answer["error"]["errorMessage"]
    snake = bap_v2.body("select", v2.contract(deg.charger_a.code))
    snake["context"]["bpp_id"] = "someone-else.example"
    del snake["context"]["bppId"]
    answer = bap_v2.post(client, "select", snake).json()
    assert answer["status"] == "NACK" and answer["error"]["paths"] == "$.context.bpp_id", answer


def test_a_reused_message_id_is_named_as_2_0_spells_it(deg, bap_v2, client, our_key, no_queue):
    body = bap_v2.body("select", v2.contract(deg.charger_a.code))
    assert bap_v2.post(client, "select", body).status_code == 200
    other = {**body, "message": v2.contract(deg.charger_a.code, kwh=3)}
    answer = bap_v2.post(client, "select", other).json()
    assert answer["status"] == "NACK"
    message_id = body["context"]["messageId"]
    assert answer["error"]["errorMessage"] == (
        f"messageId {message_id} was already used by {bap_v2.subscriber_id} for another message"
    )  # in its reason too, not 1.1's message_id
    assert answer["error"]["paths"] == "$.context.messageId"


@pytest.mark.parametrize("deg_shape", [False, True], ids=["OpenAPI's shape", "DEG's"])
def test_a_discover_s_time_range_that_ends_first_names_the_filter(
    deg, bap_v2, run_v2, our_key, deg_shape
):
    window = (
        "$[?(@.beckn:availabilityWindow.schema:startTime <= '2030-09-21T11:00:00Z' && "
        "@.beckn:availabilityWindow.schema:endTime >= '2030-09-21T10:00:00Z')]"
    )
    filters = {"type": "jsonpath", "expression": window}
    message = {"filters": filters} if deg_shape else {"intent": {"filters": filters}}
    _, body = run_v2(bap_v2, "discover", message)
    assert body["error"]["errorCode"] == "30000"
    where = "$.message.filters" if deg_shape else "$.message.intent.filters"
    assert body["error"]["paths"] == f"{where}.expression"


QUANTITY = "$.message.contract.commitments[{}].resources[0].quantity"


@pytest.mark.parametrize(
    ("commitment", "quantity", "where", "why"),
    [
        (0, {"unitCode": "KWH", "unitQuantity": "2"}, ".unitQuantity", '"2" is not a number'),
        (0, {"unitCode": "KWH", "unitQuantity": "10.5"}, ".unitQuantity", '"10.5" is not a number'),
        (0, {"unitCode": "KWH", "unitQuantity": "ten"}, ".unitQuantity", '"ten" is not a number'),
        (1, {"unitQuantity": "1"}, ".unitQuantity", '"1" is not a number'),
        (0, {"unitCode": "KWH", "count": 5}, "", 'has an unexpected key "count"'),
    ],
    ids=["whole number as text", "decimal as text", "not a number", "an add-on's", "other key"],
)
def test_a_committed_quantity_not_as_core_v2_has_it_is_refused_naming_it(
    deg, bap_v2, client, our_key, commitment, quantity, where, why
):
    """A committed resource's `quantity` is core v2's Quantity (`unitQuantity` a number,
    no other key) though the OpenAPI gives it no shape: what is not so is neither guessed
    at nor dropped (a session then taken as if no amount were asked for); the NACK names
    it."""
    charger = deg.charger_a.code
    message = v2.with_add_ons(v2.contract(charger, kwh=5), charger, "valet-charging")
    message["contract"]["commitments"][commitment]["resources"][0]["quantity"] = quantity
    answer = bap_v2.post(client, "select", bap_v2.body("select", message)).json()
    assert answer["status"] == "NACK", answer
    path = QUANTITY.format(commitment) + where
    assert answer["error"]["errorCode"] == "30000"
    assert answer["error"]["paths"] == path
    assert answer["error"]["errorMessage"].startswith(f"{path}: ")
    assert why in answer["error"]["errorMessage"]


def test_a_quantity_as_text_in_deg_s_shape_is_refused_naming_its_own_key(
    deg, bap_v2, client, our_key
):
    line = {
        "beckn:orderedItem": deg.charger_a.code,
        "beckn:quantity": {"unitCode": "KWH", "unitQuantity": "2.5"},
    }
    body = bap_v2.body("select", {"order": {"beckn:orderItems": [line]}})
    answer = bap_v2.post(client, "select", body).json()
    assert answer["status"] == "NACK", answer
    sent = "$.message.order.beckn:orderItems[0].beckn:quantity.unitQuantity"
    assert answer["error"]["paths"] == sent
    assert answer["error"]["errorMessage"] == f'{sent}: "2.5" is not a number'


@pytest.mark.parametrize(
    ("quantity", "why"),
    [
        (
            {"beckn:count": 2.5, "beckn:unitCode": "KWH"},
            'unexpected keys "beckn:count", "beckn:unitCode"',
        ),
        (2.5, "2.5 is not an object"),
    ],
    ids=["keys core v2's Quantity has not", "a bare number"],
)
def test_a_deg_quantity_not_as_core_v2_has_it_is_refused_not_dropped(
    deg, bap_v2, client, our_key, quantity, why
):
    """DEG's field list writes `beckn:count`; its examples and core v2's Quantity,
    `unitQuantity`. What the Quantity has not is refused naming it, not dropped."""
    line = {"beckn:orderedItem": deg.charger_a.code, "beckn:quantity": quantity}
    body = bap_v2.body("select", {"order": {"beckn:orderItems": [line]}})
    answer = bap_v2.post(client, "select", body).json()
    assert answer["status"] == "NACK", answer
    sent = "$.message.order.beckn:orderItems[0].beckn:quantity"
    assert answer["error"]["paths"] == sent
    assert why in answer["error"]["errorMessage"], answer["error"]["errorMessage"]


def test_a_wrong_type_reads_in_the_words_every_schema_refusal_uses(deg, bap_v2, client, our_key):
    """A 2.0 schema refusal reads as a 1.1 one and a CDR's do (cpo_portal.web.schema_errors):
    the value as JSON writes it, cut short, never the whole of it, and the type wanted in
    plain words, not the schema's."""
    message = v2.contract(deg.charger_a.code)
    message["contract"] = [message["contract"]] * 20
    answer = bap_v2.post(client, "select", bap_v2.body("select", message)).json()
    assert answer["status"] == "NACK", answer
    assert answer["error"]["paths"] == "$.message.contract"
    shown = answer["error"]["errorMessage"]
    assert shown.startswith('$.message.contract: [{"') and shown.endswith("... is not an object")
    assert len(shown) < 120, shown
    quantity = QUANTITY.format(0) + ".unitQuantity"
    message = v2.contract(deg.charger_a.code)
    message["contract"]["commitments"][0]["resources"][0]["quantity"]["unitQuantity"] = True
    answer = bap_v2.post(client, "select", bap_v2.body("select", message)).json()
    assert answer["error"]["errorMessage"] == f"{quantity}: true is not a number"
