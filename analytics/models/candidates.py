"""What a what-if run prices: the candidate offer or surge rule, from its JSON snapshot.

A candidate is the subject's model fields as JSON (offers.snapshot.terms_of for an offer;
the same shape for a surge rule) plus its station (and charger) codes. It is rebuilt into
an unsaved model instance and checked by that model's own clean(), then converted by the
very functions the quote path uses (offers.snapshot.rule_from_terms, pricing's
engine_surge). Its own validity dates are set aside: the question is "had it been live
then".
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder

from offers.models import Offer, OfferStatus
from offers.rules import OfferRule, without_validity
from offers.services import rule_from_terms, terms_of
from pricing.engine import SurgeRule as SurgeTerms
from pricing.models import SurgeRule
from pricing.services import engine_surge

SKIPPED = {"id", "operator", "created_at", "updated_at"}


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED]


def offer_definition(offer: Offer) -> dict[str, Any]:
    stations = [s.code for s in offer.stations.all()]
    chargers = [c.code for c in offer.chargers.all()]
    return terms_of(offer, stations, chargers)


def surge_definition(rule: SurgeRule, station_codes: list[str] | None = None) -> dict[str, Any]:
    data = {f.attname: f.value_from_object(rule) for f in _fields(SurgeRule)}
    codes = station_codes if station_codes is not None else [s.code for s in rule.stations.all()]
    data["station_codes"] = sorted(codes)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _instance(model, operator, terms: dict[str, Any]):
    values = {
        f.attname: f.to_python(terms[f.attname]) for f in _fields(model) if f.attname in terms
    }
    return model(operator=operator, **values)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{k}: {m}" for k, msgs in exc.message_dict.items() for m in msgs]
    return list(exc.messages)


def check_candidate(run) -> list[str]:
    """The candidate's problems, as its model's clean() words them (empty: it prices)."""
    try:
        if run.subject_kind == "offer":
            _instance(Offer, run.operator, run.candidate).clean()
            rule_from_terms(
                run.candidate, operator_code=run.operator.code, currency=run.operator.currency
            )
        else:
            _instance(SurgeRule, run.operator, run.candidate).clean()
    except ValidationError as exc:
        return _messages(exc)
    except (ValueError, TypeError, KeyError) as exc:
        return [f"The candidate cannot be read: {exc}"]
    return []


def candidate_offer(operator, terms: dict[str, Any]) -> OfferRule:
    """The rules' offer, without its validity dates."""
    rule = rule_from_terms(terms, operator_code=operator.code, currency=operator.currency)
    return without_validity(rule)


def candidate_surge(operator, terms: dict[str, Any]) -> SurgeTerms:
    """The engine's rule, without its validity dates (and unpaused)."""
    rule = engine_surge(_instance(SurgeRule, operator, terms), terms.get("station_codes", ()))
    return dataclasses.replace(rule, valid_from=None, valid_until=None)


def subject_status(kind: str, obj, candidate: dict[str, Any]) -> str:
    """draft, paused, live, or "change to live" when the candidate differs from it."""
    if kind == "offer":
        live = obj.status == OfferStatus.ACTIVE
        status = "live" if live else str(obj.status)
        stored = offer_definition(obj)
    else:
        live = not obj.paused
        status = "live" if live else "paused"
        stored = surge_definition(obj)
    if live and stored != candidate:
        return "change to live"
    return status
