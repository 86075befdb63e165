"""The benchmarks' offer book is valid, deterministic, live and mixed as documented; on its
sessions the fast path agrees with a scan of every offer."""

from offers.rules.choose import quote_offers
from offers.rules.index import OfferIndex
from offers.rules.validate import validate_offer
from tests.support.offers import best_offers
from tests.support.scenarios.offer_mix import (
    EPOCH,
    MONTH,
    SCOPES,
    build_network,
    build_offers,
    count_features,
)
from tests.support.scenarios.offer_sessions import build_sessions


def test_book_is_valid_deterministic_and_live_in_the_month() -> None:
    network = build_network(50)
    offers = build_offers(200, seed=3, network=network)
    assert len({o.id for o in offers}) == 200
    assert [validate_offer(o) for o in offers] == [[]] * 200
    assert offers == build_offers(200, seed=3, network=network)
    for o in offers:
        app = o.applicability
        assert app.valid_from is not None and app.valid_from < EPOCH + MONTH
        assert app.valid_until is not None and app.valid_until > max(app.valid_from, EPOCH)


def test_the_mix_is_the_documented_one() -> None:
    assert abs(sum(share for _, share in SCOPES) - 1) < 1e-9
    counts = count_features(build_offers(1000, network=build_network(100)))
    assert counts["named stations"] == 420
    assert counts["network-wide, auto, for everyone"] == 5
    assert 100 < counts["opt-in: needs its code"] < 200


def test_index_and_naive_scan_agree_on_the_scenario() -> None:
    network = build_network(50)
    offers = build_offers(300, network=network)
    index = OfferIndex(offers)
    for priced, facts in build_sessions(network, 40, offers=offers):
        assert len(index.for_quote(priced, facts)) < len(offers) // 5
        fast, slow = quote_offers(index, priced, facts), best_offers(offers, priced, facts)
        assert (fast.lines, fast.applied) == (slow.lines, slow.applied)
