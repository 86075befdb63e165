"""An offer's terms as JSON, copied onto the ledger when it is redeemed.

Settlement re-prices the session on the energy delivered with the terms the customer was
given, not whatever the offer says after a later edit; the snapshot makes that possible
without tracking every field's history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder

from offers.conversion import to_rule_offer
from offers.rules.construct import OfferRule

SKIPPED = {"id", "operator", "created_at", "updated_at"}


def _fields():
    from offers.models import Offer

    return [f for f in Offer._meta.concrete_fields if f.name not in SKIPPED]


def terms_of(offer, station_codes: Iterable[str], charger_codes: Iterable[str]) -> dict:
    data = {f.attname: f.value_from_object(offer) for f in _fields()}
    data["station_codes"] = sorted(station_codes)
    data["charger_codes"] = sorted(charger_codes)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def rule_from_terms(terms: dict, *, operator_code: str, currency: str) -> OfferRule:
    from offers.models import Offer

    values = {f.attname: f.to_python(terms[f.attname]) for f in _fields() if f.attname in terms}
    return to_rule_offer(
        Offer(**values),
        operator_code=operator_code,
        currency=currency,
        station_codes=terms.get("station_codes", ()),
        charger_codes=terms.get("charger_codes", ()),
    )
