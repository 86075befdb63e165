"""POST /beckn/<action>: thin on purpose; everything is in services.intake."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from beckn import conf
from beckn.protocol import errors
from beckn.services import intake, jobs


def _enqueue(inbound_id: int, bap_id: str) -> None:
    jobs.publisher().process(inbound_id)


def _response(answer: intake.Answer) -> JsonResponse:
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
    return _response(intake.Answer(404, errors.nack(errors.ACTION_NOT_APPLICABLE, message)))


@csrf_exempt
def catalog_on_publish(request: HttpRequest) -> JsonResponse:
    """POST /beckn/catalog/on_publish: a CDS's results for one of our catalog publishes."""
    from beckn.services import cds

    if request.method != "POST":
        return _response(intake.Answer(405, {"status": "NACK"}, {"Allow": "POST"}))
    raw = _read_body(request)
    if raw is None:
        return _response(intake.Answer(413, {"status": "NACK"}))
    answer = cds.receive_on_publish(raw, request.headers, timezone.now())
    return _response(intake.Answer(answer.status, answer.body))


@csrf_exempt
def endpoint(request: HttpRequest, action: str) -> JsonResponse:
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
    answer = intake.accept(action, raw, request.headers, _enqueue, timezone.now())
    return _response(answer)
