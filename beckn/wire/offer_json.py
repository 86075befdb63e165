"""Offers in Beckn JSON: core `Offer` fields plus the tag vocabularies a BAP asked for.

DEG vocabulary: an `offer-details` group (discount-type, discount-value, valid-from,
valid-until, min-session-value, max-discount), as the DEG offers page publishes it.
ONDC vocabulary: the offer construct's `qualifier`, `benefit` and `meta` groups, in the
ONDC `{code, list}` shape ONDC peers read (extra keys the core schema allows).
Which a subscriber receives is its `vocabularies` setting (both by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from beckn.commerce_types import PublishedOffer
from beckn.models import Vocabulary
from beckn.protocol.tags import ondc_tag_group, tag_group, tag_legend
from beckn.protocol.timefmt import format_timestamp
from pricing.engine import as_text, money, plain

OFFER_DETAILS = "offer-details"
ENERGY_TRADE = "energy-trade-offer"
DEG_GROUPS = frozenset({OFFER_DETAILS, ENERGY_TRADE})  # the DEG vocabulary's offer groups
OFFER_DETAIL_NAMES = {
    "discount-type": "Discount Type",
    "discount-value": "Discount Value",
    "valid-from": "Valid From",
    "valid-until": "Valid Until",
    "min-session-value": "Minimum Session Value",
    "max-discount": "Maximum Discount",
    "offer-type": "Offer Type",
    "auto-applied": "Auto Applied",
    "stackable": "Stackable",
}


def wants_deg(vocabularies: str) -> bool:
    return vocabularies in (Vocabulary.BOTH, Vocabulary.DEG)


def wants_ondc(vocabularies: str) -> bool:
    return vocabularies in (Vocabulary.BOTH, Vocabulary.ONDC)


def descriptor(offer: PublishedOffer) -> dict[str, Any]:
    out: dict[str, Any] = {"name": offer.title, "code": offer.ondc_type}
    if offer.short_desc:
        out["short_desc"] = offer.short_desc
    return out


def offer_details(offer: PublishedOffer, *, named: bool = True) -> dict[str, Any]:
    """DEG's offer-details group; `named` False: codes and values only (a catalog says the
    display names once per provider: offer_details_names())."""
    values: list[tuple[str, Any]] = [("discount-type", offer.discount_type)]
    if offer.discount_value is not None:
        values.append(("discount-value", plain(offer.discount_value)))
    for code, value in (
        ("valid-from", offer.valid_from),
        ("valid-until", offer.valid_until),
        ("min-session-value", offer.min_session_value),
        ("max-discount", offer.max_discount),
    ):
        if value is not None:
            values.append((code, plain(value) if isinstance(value, Decimal) else value))
    if offer.type_label:
        values.append(("offer-type", offer.type_label))
    values.append(("auto-applied", offer.auto))
    values.append(("stackable", offer.additive))
    values.extend(offer.extra.items())
    if not named:
        return tag_group(OFFER_DETAILS, values)
    return tag_group(OFFER_DETAILS, values, name="Offer Details", names=OFFER_DETAIL_NAMES)


def offer_details_names() -> dict[str, Any]:
    return tag_legend(OFFER_DETAILS, "Offer Details", OFFER_DETAIL_NAMES)


def meta_tags(additive: bool, auto: bool) -> list[tuple[str, str]]:
    """An offer's `additive` and `auto` flags as ONDC tags."""
    return [("additive", "yes" if additive else "no"), ("auto", "yes" if auto else "no")]


def ondc_groups(offer: PublishedOffer, item_ids: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The construct's groups as offers.rules.ondc describes the offer (a Freebie's
    benefit item_id: the charging items it is published for)."""
    if offer.ondc_groups:
        return [
            ondc_tag_group(code, _with_items(offer, code, pairs, item_ids))
            for code, pairs in offer.ondc_groups
        ]
    return _basic_groups(offer)


def _with_items(
    offer: PublishedOffer, code: str, pairs: Sequence[tuple[str, str]], item_ids: Sequence[str]
) -> list[tuple[str, str]]:
    out = list(pairs)
    wants = offer.ondc_type == "freebie" and code == "benefit" and item_ids
    if wants and all(tag != "item_id" for tag, _ in out):
        out.append(("item_id", ",".join(item_ids)))
    return out


def _basic_groups(offer: PublishedOffer) -> list[dict[str, Any]]:
    groups = []
    if offer.min_session_value is not None:
        groups.append(
            ondc_tag_group("qualifier", [("min_value", as_text(offer.min_session_value))])
        )
    benefit: list[tuple[str, str]] = []
    if offer.discount_type == "PERCENTAGE" and offer.discount_value is not None:
        benefit = [("value_type", "percent"), ("value", as_text(-offer.discount_value))]
    elif offer.discount_type == "FIXED" and offer.discount_value is not None:
        benefit = [("value_type", "amount"), ("value", as_text(-offer.discount_value))]
    if benefit and offer.max_discount is not None:
        benefit.append(("value_cap", as_text(-offer.max_discount)))
    if benefit:
        groups.append(ondc_tag_group("benefit", benefit))
    groups.append(ondc_tag_group("meta", meta_tags(offer.additive, offer.auto)))
    return groups


def energy_trade_group(terms: str) -> dict[str, Any]:
    """The EnergyTradeOffer terms (spec/energy-trade-offer-schema.md) as the schema's own
    JSON object, in one tag: a BAP parses the value and reads pricingModel, rates,
    wheeling, quantities and validity exactly as the schema defines them."""
    return tag_group(
        ENERGY_TRADE,
        [("EnergyTradeOffer", terms)],
        name="Energy Trade Offer",
        names={"EnergyTradeOffer": "EnergyTradeOffer (schema v0.2, JSON)"},
    )


def offer_tags(
    offer: PublishedOffer, vocabularies: str, item_ids: Sequence[str] = (), *, named: bool = True
) -> list[dict[str, Any]]:
    tags = [offer_details(offer, named=named)]
    if offer.energy_trade:  # once per catalog: on provider.offers, not under each item
        tags.append(energy_trade_group(offer.energy_trade))
    tags.extend(ondc_groups(offer, item_ids))
    return in_vocabulary(tags, vocabularies)


def in_vocabulary(groups: Sequence[dict[str, Any]], vocabularies: str) -> list[dict[str, Any]]:
    """The tag groups a subscriber receiving `vocabularies` is sent, of groups written in
    both: DEG's offer groups (and their display names) with DEG, ONDC's (its `{code,
    list}` shape) with ONDC, every other group always. The one rule for an offer's tags,
    a provider's and a piece of a catalog recorded in both vocabularies."""
    return [g for g in groups if _in_vocabulary(g, vocabularies)]


def _in_vocabulary(group: dict[str, Any], vocabularies: str) -> bool:
    if "descriptor" not in group and "code" in group:
        return wants_ondc(vocabularies)
    if (group.get("descriptor") or {}).get("code") in DEG_GROUPS:
        return wants_deg(vocabularies)
    return True


def validity(offer: PublishedOffer) -> dict[str, Any] | None:
    if offer.valid_from is None and offer.valid_until is None:
        return None
    span: dict[str, str] = {}
    if offer.valid_from is not None:
        span["start"] = format_timestamp(offer.valid_from)
    if offer.valid_until is not None:
        span["end"] = format_timestamp(offer.valid_until)
    return {"label": "valid", "range": span}


def provider_offer(
    offer: PublishedOffer,
    *,
    item_ids: list[str],
    location_ids: list[str],
    category_ids: list[str],
    vocabularies: str,
    tags: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The core placement: `provider.offers[]` with the ids it applies to (`tags`:
    offer_tags() worked out already, for an offer defined in several parts)."""
    out: dict[str, Any] = {"id": offer.offer_id, "descriptor": descriptor(offer)}
    if location_ids:
        out["location_ids"] = location_ids
    if category_ids:
        out["category_ids"] = category_ids
    if item_ids:
        out["item_ids"] = item_ids
    time = validity(offer)
    if time:
        out["time"] = time
    if tags is None:
        tags = offer_tags(offer, vocabularies, item_ids)
    out["tags"] = tags
    return out


def item_offer_refs(
    offers: Sequence[PublishedOffer], rate: Decimal, currency: str
) -> list[dict[str, Any]]:
    """The DEG placement, compact: what a driver reads at a glance under a charger, each as
    `id` and `price`; the definition (name, terms, tags) is the one in `provider.offers`.
    The discount offer with the lowest offered rate per kWh (the first of equals), then
    every energy trade with a price of its own: a PER_KWH trade's rate, a FIXED trade's
    session price. A trade's price is its offer (the terms carry no rate), so each is shown
    whatever else is cheaper; a TIME_OF_DAY trade's rates are in its terms."""
    best: tuple[Decimal, PublishedOffer] | None = None
    trades: list[dict[str, Any]] = []
    for offer in offers:
        offered = offered_rate(offer, rate)
        if offer.energy_trade and offered is not None:
            price = {"value": as_text(offered), "currency": f"{currency}/kWh"}
            trades.append({"id": offer.offer_id, "price": price})
        elif offer.energy_trade and offer.fixed_price is not None:
            price = {"value": as_text(offer.fixed_price), "currency": currency}
            trades.append({"id": offer.offer_id, "price": price})
        elif offered is not None and (best is None or offered < best[0]):
            best = (offered, offer)
    refs = []
    if best is not None:
        price = {"value": as_text(best[0]), "currency": f"{currency}/kWh"}
        refs.append({"id": best[1].offer_id, "price": price})
    return refs + trades


def offered_rate(offer: PublishedOffer, rate: Decimal) -> Decimal | None:
    if offer.rate_override is not None:
        return money(offer.rate_override)
    if offer.percent_off_energy is not None:
        return money(rate * (100 - offer.percent_off_energy) / 100)
    return None
