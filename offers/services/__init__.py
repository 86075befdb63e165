"""offers' public face: what the apps above it (beckn, analytics) may call.

Everything else in offers is private to it; an import-linter contract (pyproject.toml)
fails any other import from outside the app. Models are imported from `offers.models`
(ForeignKeys and queries), the pure rules from `offers.rules`, the domain's own signals
from `offers.events`.
"""

from offers.customer_keys import ContactError, customer_key
from offers.services.addon_delivery import add_ons_not_delivered
from offers.services.addons import (
    AddOnUnavailable,
    add_on_codes,
    add_ons_on_sale,
    release_add_ons,
)
from offers.services.catalog import OfferInfo, Stamps, catalog_for, stamps_for
from offers.services.facts import limits_from, load_customers, station_facts
from offers.services.home_tasks import TASKS as HOME_TASKS
from offers.services.home_tasks import Task as HomeTask
from offers.services.ledger import (
    OfferUnavailable,
    UnknownOrder,
    order_quote,
    recheck_combos,
    record_quote,
    redeem,
    reverse,
    settle,
)
from offers.services.ledger.rows import offer_fields, order_fields
from offers.services.order_steps import confirm_order, quote_session_with_offers
from offers.services.publishing import placed_offers, published_offers, published_offers_at
from offers.services.quoting import (
    OfferQuote,
    SessionAsk,
    combination_of,
    quote_with_offers,
    quote_without_offers,
)
from offers.services.received_sessions import (
    KnownOrder,
    ReceivedSession,
    receive_sessions,
)
from offers.services.uses import USE_SQL
from offers.snapshot import rule_from_terms, terms_of

__all__ = [
    "HOME_TASKS",
    "USE_SQL",
    "AddOnUnavailable",
    "ContactError",
    "HomeTask",
    "KnownOrder",
    "OfferInfo",
    "OfferQuote",
    "OfferUnavailable",
    "ReceivedSession",
    "SessionAsk",
    "Stamps",
    "UnknownOrder",
    "add_on_codes",
    "add_ons_not_delivered",
    "add_ons_on_sale",
    "catalog_for",
    "combination_of",
    "confirm_order",
    "customer_key",
    "limits_from",
    "load_customers",
    "offer_fields",
    "order_fields",
    "order_quote",
    "placed_offers",
    "published_offers",
    "published_offers_at",
    "quote_session_with_offers",
    "quote_with_offers",
    "quote_without_offers",
    "receive_sessions",
    "recheck_combos",
    "record_quote",
    "redeem",
    "release_add_ons",
    "reverse",
    "rule_from_terms",
    "settle",
    "stamps_for",
    "station_facts",
    "terms_of",
]
