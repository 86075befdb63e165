"""The OCPI view base: the credentials token decides who calls, and every answer, errors
included, is the OCPI envelope (never Django's HTML or a bare 500). Bodies are read by the
product's bounded JSON parser (cpo_portal.web.jsonlimits): what it refuses is 2001 with the
reason."""

from __future__ import annotations

import logging
from typing import Any

from rest_framework import exceptions
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cpo_portal.web import jsonlimits
from roaming.models import Partner, PartnerState
from roaming.services import envelope
from roaming.services.credentials import partner_for, unknown_token
from roaming.services.envelope import OcpiProblem

log = logging.getLogger(__name__)


def answer(data: Any = None, headers: dict[str, str] | None = None, status: int = 200) -> Response:
    return Response(envelope.body(data), status=status, headers=headers)


def problem(status_code: int, message: str, http_status: int) -> Response:
    return Response(envelope.body(None, status_code, message), status=http_status)


def body_refusal(status: int, detail: str, path: str) -> dict[str, Any]:
    """The envelope of a body the request guard refused before Django ran (too large, too
    slow, malformed: cpo_portal.web.body_limits, REQUEST_BODY_REFUSALS): 2000, the detail."""
    return envelope.body(None, envelope.CLIENT_ERROR, detail)


class OcpiJSONParser(BaseParser):
    """A body as JSON within cpo_portal.web.jsonlimits (at most `max_bytes`; no NaN, NUL,
    lone surrogate, number out of range, nesting past the limit), refused with 2001 and
    the reason. status_codes.asciidoc: "When a message does not contain a valid JSON
    string, the HTTP error 400 MUST be returned", and a request of valid JSON reached
    the OCPI layer, to which "an HTTP error status code MUST NOT be returned": a body
    that is no JSON, or one larger than we read, is HTTP 400; JSON refused by a limit of
    ours (1e999, "\u0000") HTTP 200."""

    media_type = "application/json"
    max_bytes = jsonlimits.API_MAX_BYTES

    def load(self, raw: bytes) -> Any:
        """The JSON, or ValueError whose message says why not."""
        try:
            return jsonlimits.loads(raw, max_bytes=self.max_bytes)
        except jsonlimits.JsonLimitError as exc:
            raise ValueError(f"JSON refused: the body is {exc}.") from None
        except ValueError as exc:
            raise ValueError(jsonlimits.not_json(exc)) from None

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(self.max_bytes + 1) if stream is not None else b""
        try:
            return self.load(raw)
        except ValueError as exc:
            read = len(raw) <= self.max_bytes and jsonlimits.is_json(raw)
            raise OcpiProblem(envelope.INVALID_PARAMETERS, str(exc), 200 if read else 400) from None


class OcpiView(APIView):
    """Subclasses set `registration_allowed` when a registration token (A) may call them."""

    authentication_classes: list = []
    permission_classes: list = []
    renderer_classes = [JSONRenderer]
    parser_classes = [OcpiJSONParser]  # NaN, NUL, a lone surrogate: 2001 with the reason
    registration_allowed = False
    partner: Partner
    schema = None  # the OCPI 2.2.1 specification documents these endpoints (docs/ocpi.md)
    # OCPI has no OPTIONS: it is a method the endpoint has not (405 in the envelope, not
    # DRF's metadata), and the 405's Allow header leaves it out.
    http_method_names = [m for m in APIView.http_method_names if m != "options"]

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        partner = partner_for(request.headers.get("Authorization", ""))
        if partner is None:
            raise unknown_token()
        usable = partner.inbound_token_final and partner.state == PartnerState.REGISTERED
        if not usable and not self.registration_allowed:
            raise OcpiProblem(
                envelope.CLIENT_ERROR, "Register first: this token opens only credentials.", 401
            )
        self.partner = partner

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, OcpiProblem):
            return problem(exc.status_code, exc.message, exc.http_status)
        if isinstance(exc, exceptions.MethodNotAllowed):
            return problem(envelope.CLIENT_ERROR, str(exc.detail), 405)
        if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
            return problem(envelope.INVALID_PARAMETERS, str(exc.detail), 400)
        if isinstance(exc, exceptions.APIException):
            return problem(envelope.CLIENT_ERROR, str(exc.detail), exc.status_code)
        log.exception("OCPI request failed")
        return problem(envelope.SERVER_ERROR, "Internal error; the operator has been told.", 200)
