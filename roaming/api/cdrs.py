"""The CDRs module, receiver interface: the operator's charging system (or any partner)
pushes a finished session's CDR (POST), and reads it back at the URL we answered with
(GET). Thin: roaming.services.cdr_intake takes the CDR."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import JSONRenderer

from cpo_portal.web.exactjson import ExactJSONEncoder
from roaming.models import CdrSource, ReceivedCdr
from roaming.services import cdr_intake, cdr_schema, envelope, parties

from .base import OcpiJSONParser, OcpiView, answer


class CdrJsonParser(OcpiJSONParser):
    """One CDR: at most MAX_CDR_BYTES of JSON within cpo_portal.web.jsonlimits, every
    non-integer number a Decimal (money never passes a float)."""

    max_bytes = cdr_schema.MAX_CDR_BYTES

    def load(self, raw: bytes) -> Any:
        return cdr_schema.loads(raw)  # CdrRefused (a ValueError) says why not


def cdr_url(row: ReceivedCdr) -> str:
    return f"{parties.version_url()}/cdrs/{row.pk}"


class CdrReceiver(OcpiView):
    parser_classes = [CdrJsonParser]

    def post(self, request):
        operator = self.partner.operator
        outcome = cdr_intake.take(
            operator, [(1, request.data)], source=CdrSource.PUSH, partner=self.partner
        )
        if outcome.refused:
            raise envelope.OcpiProblem(envelope.INVALID_PARAMETERS, outcome.refused[0][1])
        # status_codes.asciidoc: 201 Created for a CDR new to us, 200 for one we had
        if outcome.stored:
            return answer(headers={"Location": cdr_url(outcome.stored[0])}, status=201)
        # pushed before (its id in any case): the same answer again
        row = cdr_intake.stored(operator, outcome.duplicates[0])
        return answer(headers={"Location": cdr_url(row)})


class ExactJSONRenderer(JSONRenderer):
    """JSON whose Decimals are numbers with their own digits (DRF's encoder writes a
    Decimal through a float)."""

    encoder_class = ExactJSONEncoder


class CdrObject(OcpiView):
    renderer_classes = [ExactJSONRenderer]  # the CDR as received, digit for digit

    def get(self, request, pk: int):
        # the CDR this partner pushed, as received: not its operator's other partners' CDRs,
        # nor those imported from files (docs/ocpi.md, CDRs)
        row = ReceivedCdr.objects.filter(partner=self.partner, pk=pk).first()
        if row is None:
            raise envelope.OcpiProblem(envelope.CLIENT_ERROR, "Unknown CDR.", 404)
        return answer(row.data)
