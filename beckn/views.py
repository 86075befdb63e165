"""POST /beckn/<action>: thin on purpose; everything is in services.intake."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from beckn import conf
from beckn.protocol import errors
from beckn.services import dispatch, intake


def _enqueue(inbound_id: int, bap_id: str) -> None:
    dispatch.submit(inbound_id, bap_id)


def _json(body: object) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


_ACK = errors.ack()
_ACK_JSON = _json(_ACK)  # most answers: serialised once


def _response(answer: intake.Answer) -> HttpResponse:
    payload = _ACK_JSON if answer.body == _ACK else _json(answer.body)
    response = HttpResponse(payload, status=answer.status, content_type="application/json")
    for name, value in answer.headers.items():
        response[name] = value
    return response


def _read_body(request: HttpRequest) -> bytes | None:
    """The raw bytes, or None when the declared length is over the limit (never read)."""
    limit = conf.get("BECKN_MAX_BODY_BYTES")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    return request.read(limit + 1)


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /beckn/ ('search/', 'x/y', ''): a NACK, not Django's HTML 404."""
    message = f"this BPP has no /{rest[:64]} endpoint"
    return _response(intake.Answer(404, errors.nack(errors.ACTION_NOT_APPLICABLE, message)))


@csrf_exempt
def endpoint(request: HttpRequest, action: str) -> HttpResponse:
    if request.method != "POST":
        answer = intake.Answer(
            405, errors.nack(errors.INVALID_REQUEST, "use POST"), {"Allow": "POST"}
        )
        return _response(answer)
    raw = _read_body(request)
    if raw is None:
        limit = conf.get("BECKN_MAX_BODY_BYTES")
        message = f"the body is larger than the limit of {limit} bytes"
        return _response(intake.Answer(413, errors.nack(errors.INVALID_REQUEST, message)))
    # Only the signature header is read: not request.headers, which builds a mapping of
    # every header for each request.
    headers = {"Authorization": request.META.get("HTTP_AUTHORIZATION", "")}
    answer = intake.accept(action, raw, headers, _enqueue, timezone.now())
    return _response(answer)
