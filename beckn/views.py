"""POST /beckn/<action>: thin on purpose; everything is in services.intake. GET
/beckn/sessions/<handle>: a charging session's tracking (services.tracking)."""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from beckn import conf
from beckn.protocol import errors
from beckn.services import ack_v2, intake, jobs, tracking
from beckn.services.answers import Answer
from beckn.wire import tracking_json


def _enqueue(inbound_id: int) -> None:
    jobs.publisher().process(inbound_id)


def _response(answer: Answer) -> JsonResponse:
    response = JsonResponse(
        answer.body,
        status=answer.status,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
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


def _too_large() -> Answer:
    message = f"the body is larger than the limit of {conf.get('BECKN_MAX_BODY_BYTES')} bytes"
    return Answer(413, errors.nack(errors.INVALID_REQUEST, message))


def body_refusal(status: int, detail: str, path: str) -> dict[str, Any]:
    """The NACK of a body the request guard refused before Django ran (too large, too slow,
    malformed: cpo_portal.web.body_limits, REQUEST_BODY_REFUSALS), as the endpoint at `path`
    refuses a body over its own limit: 30000, in 2.0's Ack where the endpoint speaks 2.0."""
    answer = Answer(status, errors.nack(errors.INVALID_REQUEST, detail))
    try:
        view = resolve(path).func
    except Resolver404:
        view = None
    if view not in (endpoint_v2, unknown_v2, catalog_on_publish):
        return answer.body
    try:
        return ack_v2.v2_answer(answer, b"", timezone.now()).body
    finally:
        close_old_connections()  # the key was read outside a request: its connection too


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other path under /beckn/ ('search/', 'x/y', ''): a NACK, not Django's HTML 404."""
    message = f"this BPP has no /{rest[:64]} endpoint"
    return _response(Answer(404, errors.nack(errors.ACTION_NOT_APPLICABLE, message)))


@csrf_exempt
def catalog_on_publish(request: HttpRequest) -> JsonResponse:
    """POST /beckn/catalog/on_publish: a CDS's results for one of our catalog publishes."""
    from beckn.services import cds_results

    now = timezone.now()
    if request.method != "POST":
        refused = Answer(405, errors.nack(errors.INVALID_REQUEST, "use POST"))
        return _response(ack_v2.v2_answer(refused, b"", now))
    raw = _read_body(request)
    if raw is None:
        return _response(ack_v2.v2_answer(_too_large(), b"", now))
    answer = cds_results.receive_on_publish(raw, request.headers, now)
    return _response(ack_v2.v2_answer(answer, raw, now))


def session_tracking(request: HttpRequest, handle: str) -> JsonResponse:
    """GET /beckn/sessions/<handle>: the charging session a track answer gave the address
    of (beckn.services.tracking)."""
    if request.method != "GET":
        return JsonResponse({"error": "use GET"}, status=405, headers={"Allow": "GET"})
    order = tracking.order_of(handle)
    if order is None:
        return JsonResponse({"error": "no charging session has this tracking address"}, status=404)
    return JsonResponse(tracking_json.session_page(order))


@csrf_exempt
def unknown_v2(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other path under /beckn/v2/: a 2.0 NACK."""
    message = f"this BPP has no Beckn 2.0 /{rest[:64]} endpoint"
    answer = Answer(404, errors.nack(errors.ACTION_NOT_APPLICABLE, message))
    return _response(ack_v2.v2_answer(answer, b"", timezone.now()))


@csrf_exempt
def endpoint_v2(request: HttpRequest, action: str) -> JsonResponse:
    """POST /beckn/v2/<action>: a Beckn 2.0 request (docs/beckn.md, Beckn 2.0)."""
    return _endpoint(request, action, v2=True)


@csrf_exempt
def endpoint(request: HttpRequest, action: str) -> JsonResponse:
    return _endpoint(request, action)


def _endpoint(request: HttpRequest, action: str, *, v2: bool = False) -> JsonResponse:
    if request.method != "POST":
        answer = Answer(405, errors.nack(errors.INVALID_REQUEST, "use POST"), {"Allow": "POST"})
    elif (raw := _read_body(request)) is None:
        answer = _too_large()
    else:
        accept = ack_v2.accept_v2 if v2 else intake.accept
        return _response(accept(action, raw, request.headers, _enqueue, timezone.now()))
    return _response(ack_v2.v2_answer(answer, b"", timezone.now()) if v2 else answer)
