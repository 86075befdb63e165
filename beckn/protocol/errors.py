"""Beckn error codes (BECKN-005) and the ACK / NACK bodies that carry them.

BECKN-005 ("Error Codes for BPP", beckn/protocol-specifications, docs/BECKN-005-Error-Codes.md,
last updated 4 July 2024) defines only the BPP's codes: 30000-30015 (request / lookup
errors), 40000-40006 (business) and 50000-50004 (policy). The 10000 (gateway) and 20000
(buyer app) ranges are ONDC's (ONDC-RFC-001), not Beckn's, so they are not here.

BECKN-005 has no code for a bad signature or a stale request. For those two we borrow the
seller-side codes of ONDC-RFC-001, which extends the same 30000 range without clashing
with BECKN-005's codes: 30016 Invalid Signature and 30022 Stale Request. (ONDC renumbers
30006-30013 differently from BECKN-005; we follow BECKN-005 there.)

What we send in each situation (`http_status` is the status of the synchronous NACK):

| situation                                   | code  | HTTP |
|---------------------------------------------|-------|------|
| body fails the core schema                  | 30000 | 400  |
| context invalid (domain, version, ids, ...) | 30000 | 400  |
| a path that is no action of ours            | 40001 | 404  |
| stale request (timestamp + ttl is past)     | 30022 | 400  |
| bad / missing / expired signature           | 30016 | 401  |
| unknown subscriber or key id                | 30016 | 401  |

BECKN-006 requires a 401 NACK both when no key is found and when the signature fails, so
the unknown subscriber shares 30016 and the message tells the two apart. The remaining
codes are for `on_*` callbacks' `error` objects (`http_status` None).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

BECKN_005 = "BECKN-005"
ONDC_RFC_001 = "ONDC-RFC-001"


@dataclass(frozen=True, slots=True)
class BecknError:
    code: str
    name: str
    description: str
    http_status: int | None = None
    source: str = BECKN_005


def _e(code: str, name: str, description: str, http: int | None = None) -> BecknError:
    return BecknError(code, name, description, http)


_BPP = "BPP is unable to find the"
INVALID_REQUEST = _e("30000", "Invalid request error", "Generic invalid request error", 400)
PROVIDER_NOT_FOUND = _e("30001", "Provider not found", f"{_BPP} provider id sent by the BAP")
PROVIDER_LOCATION_NOT_FOUND = _e(
    "30002", "Provider location not found", f"{_BPP} provider location id sent by the BAP"
)
PROVIDER_CATEGORY_NOT_FOUND = _e(
    "30003", "Provider category not found", f"{_BPP} provider category id sent by the BAP"
)
ITEM_NOT_FOUND = _e("30004", "Item not found", f"{_BPP} item id sent by the BAP")
CATEGORY_NOT_FOUND = _e("30005", "Category not found", f"{_BPP} category id sent by the BAP")
OFFER_NOT_FOUND = _e("30006", "Offer not found", f"{_BPP} offer id sent by the BAP")
ADD_ON_NOT_FOUND = _e("30007", "Add on not found", f"{_BPP} add on id sent by the BAP")
FULFILLMENT_UNAVAILABLE = _e(
    "30008", "Fulfillment unavailable", f"{_BPP} fulfillment id sent by the BAP"
)
FULFILLMENT_PROVIDER_UNAVAILABLE = _e(
    "30009", "Fulfilment provider unavailable", f"{_BPP} fulfilment provider id sent by the BAP"
)
ORDER_NOT_FOUND = _e("30010", "Order not found", f"{_BPP} order id sent by the BAP")
INVALID_CANCELLATION_REASON = _e(
    "30011", "Invalid cancellation reason", f"{_BPP} cancellation reason in cancellation_reason_id"
)
INVALID_UPDATE_TARGET = _e(
    "30012", "Invalid update_target", f"{_BPP} update_target in the order object"
)
UPDATE_INCONSISTENCY = _e(
    "30013",
    "Update inconsistency",
    "BPP finds changes in the order object other than the update_target",
)
ENTITY_TO_RATE_NOT_FOUND = _e("30014", "Entity to rate not found", f"{_BPP} entity to rate in id")
INVALID_RATING_VALUE = _e(
    "30015", "Invalid rating value", "BPP receives an invalid value as the rating value in value"
)
INVALID_SIGNATURE = BecknError(
    "30016", "Invalid Signature", "Cannot verify signature for request", 401, ONDC_RFC_001
)
STALE_REQUEST = BecknError(
    "30022", "Stale Request", "Cannot process stale request", 400, ONDC_RFC_001
)
BUSINESS_ERROR = _e("40000", "Business Error", "Generic business error")
ACTION_NOT_APPLICABLE = _e(
    "40001",
    "Action not applicable",
    "An API endpoint is not implemented by the BPP as it is not required for its use cases",
    400,
)
ITEM_QUANTITY_UNAVAILABLE = _e(
    "40002",
    "Item quantity unavailable",
    "BPP is unable to select the specified number in order.items[].quantity",
)
QUOTE_UNAVAILABLE = _e(
    "40003", "Quote unavailable", "The quote sent by the BAP is no longer available from the BPP"
)
PAYMENT_NOT_SUPPORTED = _e(
    "40004", "Payment not supported", "The payment object sent by the BAP is not supported"
)
TRACKING_NOT_SUPPORTED = _e(
    "40005", "Tracking not supported", "BPP does not support tracking for the order in order_id"
)
FULFILMENT_AGENT_UNAVAILABLE = _e(
    "40006", "Fulfilment agent unavailable", "An agent for fulfilment is not available"
)
POLICY_ERROR = _e("50000", "Policy Error", "Generic Policy Error")
CANCELLATION_NOT_POSSIBLE = _e(
    "50001",
    "Cancellation not possible",
    "BPP cannot cancel the order due to its cancellation policy",
)
UPDATION_NOT_POSSIBLE = _e(
    "50002", "Updation not possible", "BPP cannot update the order due to its updation policy"
)
UNSUPPORTED_RATING_CATEGORY = _e(
    "50003", "Unsupported rating category", "BPP receives an entity to rate which is not supported"
)
SUPPORT_UNAVAILABLE = _e(
    "50004", "Support unavailable", "BPP receives an object for which it does not provide support"
)

ALL_ERRORS: tuple[BecknError, ...] = tuple(
    value for value in globals().copy().values() if isinstance(value, BecknError)
)
_BY_CODE: dict[str, BecknError] = {error.code: error for error in ALL_ERRORS}


def by_code(code: str | int) -> BecknError:
    """The error for a code; KeyError if BECKN-005 (or our two borrowings) lacks it."""
    return _BY_CODE[str(code)]


class HasPathAndMessage(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def message(self) -> str: ...


def ack() -> dict[str, Any]:
    return {"message": {"ack": {"status": "ACK"}}}


def nack(
    error_code: BecknError | str | int,
    message: str,
    paths: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """A NACK body; core 1.1.0's Error has string `code`, `paths` and `message`."""
    error = error_code if isinstance(error_code, BecknError) else by_code(error_code)
    body: dict[str, Any] = {"code": error.code, "message": message}
    if paths is not None and not isinstance(paths, str):
        paths = ", ".join(dict.fromkeys(paths))
    if paths:
        body["paths"] = paths
    return {"message": {"ack": {"status": "NACK"}}, "error": body}


def summary(issues: Iterable[HasPathAndMessage], limit: int = 5) -> tuple[str, list[str]]:
    """(message, paths) of a NACK for validation issues: the first `limit` in the message,
    every path."""
    found = list(issues)
    shown = "; ".join(f"{issue.path}: {issue.message}" for issue in found[:limit])
    more = len(found) - limit
    return shown + (f"; and {more} more" if more > 0 else ""), [issue.path for issue in found]
