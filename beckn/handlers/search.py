"""search -> on_search: the chargers in the circle, with offers and surge notices; a big
catalog in several parts (beckn/wire/catalog_parts.py)."""

from __future__ import annotations

from beckn import conf
from beckn.messages import Reply, Request
from beckn.services import discovery, order_flow
from beckn.wire import catalog_parts, request_parsing


def handle(req: Request) -> Reply:
    query = request_parsing.read_search_intent(req.message, req.context)
    found = discovery.find(query)
    offerings = discovery.fetch_offerings(found.chargers, query, req.now)
    vocabularies = order_flow.vocabularies(req.bap_id)
    first, *more = catalog_parts.search_catalogs(
        offerings,
        vocabularies,
        query.start,
        query.end,
        found.matched,
        conf.get("BECKN_CATALOG_PART_BYTES"),
    )
    return Reply(message=first, more=more, offerings=offerings)
