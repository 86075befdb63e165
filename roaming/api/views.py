"""OCPI 2.2.1 endpoints, CPO role: versions, credentials, and the Tariffs and Locations
sender interfaces. Thin: each reads the request and calls one service."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from cpo_portal.db.values import ocpi_key
from roaming.services import (
    credentials,
    envelope,
    locations,
    pages,
    parties,
    published_tariffs,
    tokens,
)

from .base import OcpiView, answer


class Versions(OcpiView):
    registration_allowed = True

    def get(self, request):
        return answer([{"version": parties.VERSION, "url": parties.version_url()}])


class VersionDetails(OcpiView):
    registration_allowed = True

    def get(self, request):
        base = parties.version_url()
        endpoints = (
            [
                {"identifier": "credentials", "role": role, "url": f"{base}/credentials"}
                for role in ("SENDER", "RECEIVER")
            ]
            + [
                {"identifier": module, "role": "SENDER", "url": f"{base}/{module}"}
                for module in ("tariffs", "locations")
            ]
            + [{"identifier": "cdrs", "role": "RECEIVER", "url": f"{base}/cdrs"}]
        )
        return answer({"version": parties.VERSION, "endpoints": endpoints})


class Credentials(OcpiView):
    registration_allowed = True

    def get(self, request):
        # The token the caller presented is the one that is valid for it now.
        presented = tokens.candidates(request.headers["Authorization"])
        token = next(t for t in presented if tokens.digest(t) == self.partner.inbound_token_hash)
        return answer(parties.credentials(self.partner.operator, token))

    def post(self, request):
        return answer(credentials.register_partner(self.partner, request.data, update=False))

    def put(self, request):
        return answer(credentials.register_partner(self.partner, request.data, update=True))

    def delete(self, request):
        credentials.unregister_partner(self.partner)
        return answer()


def _page(request, rows: Any, field: str, module: str, objects: Any):
    """One page of a sender interface's objects, with OCPI's paging headers."""
    ask = pages.read(request.query_params)
    rows = pages.window(rows, ask, field)
    total = rows.count()
    page = list(rows[ask.offset : ask.offset + ask.limit])
    base = f"{parties.version_url()}/{module}"
    return answer(objects(page), pages.headers(ask, total, base))


class TariffList(OcpiView):
    def get(self, request):
        rows = published_tariffs.published(self.partner.operator_id)
        return _page(request, rows, "updated_at", "tariffs", published_tariffs.objects)


class LocationList(OcpiView):
    def get(self, request):
        rows = locations.published(self.partner.operator_id)
        return _page(request, rows, "ocpi_updated", "locations", locations.objects)


class LocationObject(OcpiView):
    def get(self, request, location_id, evse_uid=None, connector_id=None):
        station = locations.find(self.partner.operator_id, location_id)
        if station is None:
            raise envelope.OcpiProblem(envelope.UNKNOWN_LOCATION, "Unknown location.", 404)
        data: dict[str, Any] | None = locations.objects([station])[0]
        path = (("evses", "uid", evse_uid, "EVSE"), ("connectors", "id", connector_id, "connector"))
        for key, field, wanted, what in path:
            if wanted is None or data is None:
                break
            data = _named(data[key], field, wanted)
            if data is None:
                raise envelope.OcpiProblem(envelope.UNKNOWN_LOCATION, f"Unknown {what}.", 404)
        return answer(data)


def _named(items: list[dict[str, Any]], field: str, wanted: str) -> dict[str, Any] | None:
    """The item whose id is `wanted`. OCPI ids are CiStrings, compared ignoring case
    (ocpi_key): an EVSE uid's key is unique per operator, a connector id's per charger."""
    return next((i for i in items if ocpi_key(i[field]) == ocpi_key(wanted)), None)


def unknown(request, rest: str = "") -> JsonResponse:
    """Any other path under the OCPI root: the envelope, not Django's 404 page."""
    body = envelope.body(None, envelope.CLIENT_ERROR, f"No OCPI endpoint at /{rest}")
    return JsonResponse(body, status=404)
