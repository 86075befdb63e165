import pytest

from beckn.protocol import errors
from beckn.protocol.errors import ALL_ERRORS, ack, by_code, nack, summary
from beckn.protocol.schema import SchemaIssue

# BECKN-005 (docs/BECKN-005-Error-Codes.md, beckn/protocol-specifications), code -> name.
BECKN_005 = {
    "30000": "Invalid request error",
    "30001": "Provider not found",
    "30002": "Provider location not found",
    "30003": "Provider category not found",
    "30004": "Item not found",
    "30005": "Category not found",
    "30006": "Offer not found",
    "30007": "Add on not found",
    "30008": "Fulfillment unavailable",
    "30009": "Fulfilment provider unavailable",
    "30010": "Order not found",
    "30011": "Invalid cancellation reason",
    "30012": "Invalid update_target",
    "30013": "Update inconsistency",
    "30014": "Entity to rate not found",
    "30015": "Invalid rating value",
    "40000": "Business Error",
    "40001": "Action not applicable",
    "40002": "Item quantity unavailable",
    "40003": "Quote unavailable",
    "40004": "Payment not supported",
    "40005": "Tracking not supported",
    "40006": "Fulfilment agent unavailable",
    "50000": "Policy Error",
    "50001": "Cancellation not possible",
    "50002": "Updation not possible",
    "50003": "Unsupported rating category",
    "50004": "Support unavailable",
}


def test_the_table_is_beckn_005_plus_two_ondc_seller_codes():
    ours = {error.code: error.name for error in ALL_ERRORS if error.source == errors.BECKN_005}
    assert ours == BECKN_005
    borrowed = {e.code: e.name for e in ALL_ERRORS if e.source == errors.ONDC_RFC_001}
    assert borrowed == {"30016": "Invalid Signature", "30022": "Stale Request"}
    assert len({error.code for error in ALL_ERRORS}) == len(ALL_ERRORS) == 30


def test_codes_chosen_for_each_situation():
    assert (errors.INVALID_REQUEST.code, errors.INVALID_REQUEST.http_status) == ("30000", 400)
    assert (errors.STALE_REQUEST.code, errors.STALE_REQUEST.http_status) == ("30022", 400)
    assert (errors.INVALID_SIGNATURE.code, errors.INVALID_SIGNATURE.http_status) == ("30016", 401)
    assert errors.ACTION_NOT_APPLICABLE.code == "40001"
    assert errors.OFFER_NOT_FOUND.code == "30006" and errors.OFFER_NOT_FOUND.http_status is None


def test_by_code_accepts_strings_and_ints():
    assert by_code("30006") is errors.OFFER_NOT_FOUND
    assert by_code(40003) is errors.QUOTE_UNAVAILABLE
    with pytest.raises(KeyError):
        by_code("10001")  # ONDC gateway code, not ours


def test_ack():
    assert ack() == {"message": {"ack": {"status": "ACK"}}}


def test_nack_carries_string_code_paths_and_message():
    body = nack(
        errors.OFFER_NOT_FOUND, "offer OFF-9 is not published", "$.message.order.offers[0].id"
    )
    assert body == {
        "message": {"ack": {"status": "NACK"}},
        "error": {
            "code": "30006",
            "message": "offer OFF-9 is not published",
            "paths": "$.message.order.offers[0].id",
        },
    }
    assert nack("40003", "quote expired") == {
        "message": {"ack": {"status": "NACK"}},
        "error": {"code": "40003", "message": "quote expired"},
    }


def test_nack_joins_path_lists_without_duplicates():
    body = nack("30000", "bad", ["$.a", "$.b", "$.a"])
    assert body["error"]["paths"] == "$.a, $.b"


def test_a_nack_of_issues_summarises_and_lists_every_path():
    issues = [SchemaIssue(f"$.x[{i}]", "is required", "required") for i in range(12)]
    body = nack(errors.INVALID_REQUEST, *summary(issues, limit=2))
    assert body["error"]["code"] == "30000"
    assert body["error"]["message"] == "$.x[0]: is required; $.x[1]: is required; and 10 more"
    assert body["error"]["paths"].count("$.x[") == 12
