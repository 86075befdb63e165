"""What a Beckn request is answered at once, and the one reader of a Beckn body.

`Answer` is the synchronous answer (an ACK, or a NACK with its status and headers), and
`Refusal` the exception that carries a NACK to it; `parsed` reads a Beckn body (a
request's, or a CDS's answer to our publish) within the product's JSON limits, and
`said_message_id` the message id its context gives. Intake (services.intake), the 2.0 Ack
(services.ack_v2) and a CDS's on_publish (services.cds_results) all answer and read
through them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from beckn import conf
from beckn.protocol import errors
from cpo_portal.web import jsonlimits


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    inbound_id: int | None = None
    # the request's context message id as read (None: not read, or not yet): the 2.0
    # Ack's counter-signature names it (services.ack_v2)
    message_id: str | None = None


class Refusal(Exception):
    def __init__(
        self,
        error: errors.BecknError,
        message: str,
        paths: str | list[str] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.answer = Answer(
            status or error.http_status or 400,
            errors.nack(error, message, paths),
            _challenge() if error is errors.INVALID_SIGNATURE else (headers or {}),
        )


def _challenge() -> dict[str, str]:
    realm = conf.bpp_id()
    return {"WWW-Authenticate": f'Signature realm="{realm}",headers="(created) (expires) digest"'}


def parsed(raw: bytes) -> dict[str, Any]:
    """A Beckn body (a request's, or a CDS's answer) read within the product's JSON limits
    (cpo_portal.web.jsonlimits, integers within 64 bits): a JSON object, else a Refusal
    that says why."""
    if not raw.strip():
        raise Refusal(errors.INVALID_REQUEST, "the body is empty; send a JSON object")
    try:
        body = jsonlimits.loads(
            raw,
            max_bytes=conf.get("BECKN_MAX_BODY_BYTES"),
            max_depth=conf.get("BECKN_MAX_JSON_DEPTH"),
            int64=True,
        )
    except jsonlimits.JsonLimitError as exc:
        raise Refusal(errors.INVALID_REQUEST, f"the body is {exc}") from None
    except ValueError as exc:  # not JSON
        raise Refusal(errors.INVALID_REQUEST, f"the body is {jsonlimits.not_json(exc)}") from None
    if not isinstance(body, dict):
        raise Refusal(errors.INVALID_REQUEST, "the body must be a JSON object", "$")
    return body


def said_message_id(context: Any) -> str:
    """The message id a request's context gives (2.0's messageId, or 1.1's message_id);
    '' when it gives none that is a string."""
    value = (
        context.get("messageId", context.get("message_id", "")) if isinstance(context, dict) else ""
    )
    return value if isinstance(value, str) else ""
