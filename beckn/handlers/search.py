"""search -> on_search: the chargers in the circle, with offers and surge notices, read
from the published catalog (beckn/services/publication.py); a big catalog in several
parts (beckn/wire/catalog_parts.py). A search tagged for a catalog
refresh (beckn/protocol/refresh_tags.py) is answered with the whole catalog
(`catalog_full`), or the changes of a window, or starts or stops their push
(`catalog_inc`: beckn/services/catalog_refresh.py)."""

from __future__ import annotations

from beckn import conf
from beckn.messages import Failure, Reply, Request
from beckn.protocol import errors, refresh_tags
from beckn.services import catalog_refresh, order_flow, publication
from beckn.wire import catalog_parts, request_parsing


def handle(req: Request) -> Reply:
    query = request_parsing.read_search_intent(req.message, req.context)
    try:
        refresh = refresh_tags.read(req.message.get("intent"), req.now)
    except refresh_tags.RefreshError as exc:
        raise Failure(errors.INVALID_REQUEST, str(exc), refresh_tags.PATH) from None
    cap = None
    if refresh is not None and refresh.mode is not None:
        first, *more = catalog_refresh.subscribe(
            refresh, req.bap_id, req.context, query.provider_id, req.now
        )
        return Reply(message=first, more=more)
    if refresh is not None and not refresh.full:
        first, *more = catalog_refresh.window(refresh, req.bap_id, query.provider_id, req.now)
        return Reply(message=first, more=more)
    if refresh is not None:  # the whole catalog: every active charger, of one provider if named
        query = request_parsing.SearchQuery(
            provider_id=query.provider_id, start=query.start, end=query.end
        )
        cap = publication.WHOLE
    vocabularies = order_flow.vocabularies(req.bap_id)
    layouts, found = publication.search(query, req.now, vocabularies, cap)
    first, *more = catalog_parts.laid_out_catalogs(
        layouts, found.matched, conf.get("BECKN_CATALOG_PART_BYTES")
    )
    return Reply(message=first, more=more, offerings=[o.offering for o in found.offered])
