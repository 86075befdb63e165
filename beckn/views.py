"""POST /beckn/<action>: thin on purpose; everything is in services.intake. GET
/beckn/sessions/<handle>: a charging session's tracking (services.tracking)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from beckn import conf
from beckn.protocol import errors
from beckn.services import ack_v2, intake, jobs, tracking
from beckn.services.answers import Answer
from beckn.wire import tracking_json


def _enqueue(inbound_id: int, bap_id: str) -> None:
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
        limit = conf.get("BECKN_MAX_BODY_BYTES")
        message = f"the body is larger than the limit of {limit} bytes"
        refused = Answer(413, errors.nack(errors.INVALID_REQUEST, message))
        return _response(ack_v2.v2_answer(refused, b"", now))
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
        return _response(ack_v2.v2_answer(answer, b"", timezone.now()) if v2 else answer)
    raw = _read_body(request)
    if raw is None:
        limit = conf.get("BECKN_MAX_BODY_BYTES")
        message = f"the body is larger than the limit of {limit} bytes"
        answer = Answer(413, errors.nack(errors.INVALID_REQUEST, message))
        return _response(ack_v2.v2_answer(answer, b"", timezone.now()) if v2 else answer)
    if v2:
        return _response(ack_v2.accept_v2(action, raw, request.headers, _enqueue, timezone.now()))
    return _response(intake.accept(action, raw, request.headers, _enqueue, timezone.now()))
