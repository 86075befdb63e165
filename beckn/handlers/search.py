"""search -> on_search: the chargers in the circle, with offers and surge notices, read
from the published catalog (beckn/services/publication.py); a big catalog in several
parts (beckn/wire/catalog_parts.py)."""

from __future__ import annotations

from beckn import conf
from beckn.messages import Reply, Request
from beckn.services import order_flow, publication
from beckn.wire import catalog_parts, request_parsing


def handle(req: Request) -> Reply:
    query = request_parsing.read_search_intent(req.message, req.context)
    vocabularies = order_flow.vocabularies(req.bap_id)
    found = publication.search(query, req.now, vocabularies)
    first, *more = catalog_parts.laid_out_catalogs(
        found.layouts, found.matched, conf.get("BECKN_CATALOG_PART_BYTES")
    )
    return Reply(message=first, more=more, offerings=offerings)
