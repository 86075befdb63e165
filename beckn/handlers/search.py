"""search -> on_search: the chargers in the circle, with offers and surge notices."""

from __future__ import annotations

from beckn.messages import Reply, Request
from beckn.services import discovery, order_flow
from beckn.wire import catalog_json, request_parsing


def handle(req: Request) -> Reply:
    query = request_parsing.read_search_intent(req.message, req.context)
    found = discovery.find(query)
    offerings = discovery.fetch_offerings(found.chargers, query, req.now)
    vocabularies = order_flow.vocabularies(req.bap_id)
    body = catalog_json.search_catalog(
        offerings, vocabularies, query.start, query.end, matched=found.matched
    )
    return Reply(message=body)
