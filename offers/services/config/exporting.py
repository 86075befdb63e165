"""An operator's whole pricing as one document (offers.services.config.format): tariffs
with their bands, surge rules, offers with their multi-use code and the definitions of
their code batches. Lists are ordered by code, so two exports of the same pricing are
identical text and a diff of two exports shows only what changed."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Prefetch

from cpo_portal.models import Operator
from offers.models import Offer, OfferCode
from offers.services.config.format import (
    BANDS,
    KIND,
    OFFERS,
    SURGES,
    TARIFFS,
    VERSION,
    Section,
    encode,
)


def row_document(
    section: Section, row: models.Model, tz: ZoneInfo, places: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """One row's fields as the document writes them (places by code, sorted); `places`
    gives the many-to-many codes of a row not saved yet."""
    out: dict[str, Any] = {}
    for name in section.fields:
        field = section.model._meta.get_field(name)
        if field.many_to_many:
            codes = (
                places[name] if places is not None else [o.code for o in getattr(row, name).all()]
            )
            out[name] = sorted(codes)
        elif field.is_relation:
            target = getattr(row, name)
            out[name] = target.code if target is not None else None
        else:
            # a concrete field: get_field's type also admits the reverse relations handled above
            out[name] = encode(field, getattr(row, name), tz)  # type: ignore[arg-type]
    if section is TARIFFS and out.get("ocpi") is None:
        del out["ocpi"]  # only tariffs imported from OCPI keep one
    return out


def _tariffs(operator: Operator, tz: ZoneInfo) -> list[dict[str, Any]]:
    rows = operator.tariffs.select_related("station", "charger").prefetch_related("bands")
    out = []
    for tariff in rows.order_by("code"):
        doc = row_document(TARIFFS, tariff, tz)
        bands = sorted(tariff.bands.all(), key=lambda b: b.code)
        doc["bands"] = [row_document(BANDS, band, tz) for band in bands]
        out.append(doc)
    return out


def offer_codes_document(multi_use, batches) -> dict[str, Any]:
    """An offer's public multi-use code and its batches' definitions (prefix and size;
    never the single-use codes themselves, which are secrets, nor which were used)."""
    codes = [c.code for c in multi_use]
    return {
        "multi_use_code": codes[0] if codes else None,
        "code_batches": [
            {"prefix": p, "count": n} for p, n in sorted((b.prefix, b.count) for b in batches)
        ],
    }


def _offers(operator: Operator, tz: ZoneInfo) -> list[dict[str, Any]]:
    multi_use = Prefetch("codes", OfferCode.objects.filter(batch__isnull=True), "multi_use")
    rows = Offer.objects.filter(operator=operator).prefetch_related(
        "stations", "chargers", "batches", multi_use
    )
    out = []
    for offer in rows.order_by("code"):
        doc = row_document(OFFERS, offer, tz)
        doc.update(offer_codes_document(offer.multi_use, offer.batches.all()))
        out.append(doc)
    return out


def export_pricing(operator: Operator) -> dict[str, Any]:
    """The operator's pricing definition (never usage, budgets spent or codes' secrets)."""
    tz = ZoneInfo(operator.time_zone)
    surges = operator.surge_rules.prefetch_related("stations").order_by("code")
    return {
        "version": VERSION,
        "kind": KIND,
        "operator": operator.code,
        "currency": operator.currency,
        "tariffs": _tariffs(operator, tz),
        "surge_rules": [row_document(SURGES, rule, tz) for rule in surges],
        "offers": _offers(operator, tz),
    }
