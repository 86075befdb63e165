"""The benchmark's offer book is valid, deterministic and really active."""

from bench.offers_scenario import EPOCH, build_network, build_offers, build_sessions
from offers.rules.index import OfferIndex
from offers.rules.select import best_offers
from offers.rules.validate import validate_offer


def test_book_is_valid_deterministic_and_active() -> None:
    network = build_network(50)
    offers = build_offers(200, seed=3, network=network)
    assert len({o.id for o in offers}) == 200
    assert [validate_offer(o) for o in offers] == [[]] * 200
    assert offers == build_offers(200, seed=3, network=network)
    for o in offers:
        app = o.applicability
        assert app.valid_from is not None and app.valid_from <= EPOCH
        assert app.valid_until is not None and app.valid_until > EPOCH


def test_index_and_naive_scan_agree_on_the_scenario() -> None:
    network = build_network(50)
    offers = build_offers(300, network=network)
    index = OfferIndex.build(offers)
    for priced, facts in build_sessions(network, 25):
        candidates = index.for_session(priced, facts)
        assert len(candidates) < len(offers)
        fast, slow = best_offers(candidates, priced, facts), best_offers(offers, priced, facts)
        assert (fast.lines, fast.applied) == (slow.lines, slow.applied)
