"""Each operator's active offers, converted to the rules' dataclasses and indexed once.

The compiled catalog is kept per process and rebuilt when the operator's catalog stamp
moves (offers, their places or their codes changed): checking costs one read by key.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch

from cpo_portal.models import Charger, Operator, Stamp, Station
from offers.conversion import TermsError, to_rule_offer
from offers.models import Offer, OfferCode, OfferStatus
from offers.rules.combo import is_combo
from offers.rules.construct import OfferDefinitionError, OfferRule
from offers.rules.index import OfferIndex
from offers.snapshot import terms_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OfferInfo:
    """An offer as quoting and the ledger need it: the rules' view plus limits and ids."""

    pk: int
    rule: OfferRule
    status: str
    benefit_kind: str
    max_uses: int | None
    max_uses_per_customer: int | None
    budget: Decimal | None
    has_codes: bool
    terms: dict

    @property
    def code(self) -> str:
        return self.rule.id

    @property
    def limited(self) -> bool:
        return (
            self.max_uses is not None
            or self.max_uses_per_customer is not None
            or self.budget is not None
        )


@dataclass(frozen=True, slots=True)
class Catalog:
    operator_id: int
    operator_code: str
    currency: str
    version: uuid.UUID
    index: OfferIndex
    offers: Mapping[str, OfferInfo]  # active offers by offer id
    multi_use_codes: Mapping[str, str]  # multi-use code -> offer id
    declared: bool = False  # an offer has a declared qualifier: quotes count the chargers


_CATALOGS: dict[int, Catalog] = {}


def offers_with_places(queryset):
    return queryset.prefetch_related(
        Prefetch("stations", queryset=Station.objects.only("id", "code")),
        Prefetch("chargers", queryset=Charger.objects.only("id", "code")),
    )


def info_of(offer: Offer, operator: Operator, has_codes: bool) -> OfferInfo | None:
    """The offer converted, or None (logged) if its stored terms cannot be priced."""
    stations = [s.code for s in offer.stations.all()]
    chargers = [c.code for c in offer.chargers.all()]
    try:
        rule = to_rule_offer(
            offer,
            operator_code=operator.code,
            currency=operator.currency,
            station_codes=stations,
            charger_codes=chargers,
        )
    except (TermsError, OfferDefinitionError, ValueError, TypeError) as exc:
        log.warning("offer %s (%s) skipped: %s", offer.pk, offer.code, exc)
        return None
    return OfferInfo(
        pk=offer.pk,
        rule=rule,
        status=offer.status,
        benefit_kind=offer.benefit_kind,
        max_uses=offer.max_uses,
        max_uses_per_customer=offer.max_uses_per_customer,
        budget=offer.budget,
        has_codes=has_codes,
        terms=terms_of(offer, stations, chargers),
    )


def infos(queryset, operator: Operator) -> list[OfferInfo]:
    offers = list(offers_with_places(queryset))
    coded = set(
        OfferCode.objects.filter(offer__in=[o.pk for o in offers])
        .values_list("offer_id", flat=True)
        .distinct()
    )
    found = (info_of(o, operator, o.pk in coded) for o in offers)
    return [i for i in found if i is not None]


def build_catalog(operator: Operator, version: uuid.UUID) -> Catalog:
    active = infos(Offer.objects.filter(operator=operator, status=OfferStatus.ACTIVE), operator)
    multi = dict(
        OfferCode.objects.filter(
            operator=operator, batch__isnull=True, offer__status=OfferStatus.ACTIVE
        ).values_list("code", "offer__code")
    )
    return Catalog(
        operator_id=operator.pk,
        operator_code=operator.code,
        currency=operator.currency,
        version=version,
        # combos need the order's add-ons: services.combos prices them, never the index
        index=OfferIndex(i.rule for i in active if not is_combo(i.rule)),
        offers={i.code: i for i in active},
        multi_use_codes=multi,
        declared=any(i.rule.qualifier.declared for i in active),
    )


def catalog_for(operator: Operator, version: uuid.UUID | None = None) -> Catalog:
    """The operator's catalog for its catalog `version` (read here when not given)."""
    if version is None:
        version = Stamp.current(Stamp.Kind.CATALOG, operator.pk)
    cached = _CATALOGS.get(operator.pk)
    if cached is None or cached.version != version:
        cached = build_catalog(operator, version)
        _CATALOGS[operator.pk] = cached
    return cached


class Stamps(NamedTuple):
    """What a quote checks its memos against, the operator's stamps: its network rows and
    conditions (network), its price book and conditions (pricing), its offer catalog
    (catalog)."""

    network: uuid.UUID
    pricing: uuid.UUID
    catalog: uuid.UUID


def stamps_for(operator_id: int) -> Stamps:
    """The operator's network, pricing and catalog stamps, read in one statement."""
    found = Stamp.of_operator(
        operator_id, (Stamp.Kind.NETWORK, Stamp.Kind.PRICING, Stamp.Kind.CATALOG)
    )
    return Stamps(found[Stamp.Kind.NETWORK], found[Stamp.Kind.PRICING], found[Stamp.Kind.CATALOG])


def forget_catalog(operator_id: int | None = None) -> None:
    if operator_id is None:
        _CATALOGS.clear()
    else:
        _CATALOGS.pop(operator_id, None)


def lookup(operator: Operator, codes: Iterable[str]) -> list[OfferInfo]:
    """Offers of any status by offer id (for requests naming an offer not in the catalog)."""
    return infos(Offer.objects.filter(operator=operator, code__in=list(codes)), operator)
