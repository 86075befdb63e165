"""search -> on_search: the chargers in the circle, with offers and surge notices."""

from __future__ import annotations

from beckn import catalog
from beckn.messages import Reply, Request
from beckn.services import discovery, ordering
from beckn.wire import request_parsing


def handle(req: Request) -> Reply:
    query = request_parsing.read_search_intent(req.message, req.context)
    found = discovery.find(query)
    vocabularies = ordering.vocabularies(req.bap_id)
    body = catalog.build(found.chargers, query, vocabularies, req.now, matched=found.matched)
    return Reply(message=body)
