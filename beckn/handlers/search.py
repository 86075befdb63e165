"""search -> on_search: the chargers in the circle, with offers and surge notices."""

from __future__ import annotations

from beckn import catalog, intent
from beckn.handlers.base import Reply, Request
from beckn.services import discovery, ordering


def handle(req: Request) -> Reply:
    query = intent.read(req.message, req.context)
    chargers = discovery.find_chargers(query)
    return Reply(message=catalog.build(chargers, query, ordering.vocabularies(req.bap_id), req.now))
