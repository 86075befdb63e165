"""`manage.py beckn_bap --offer` finds the offer wherever the catalog has it: under an item
(the lowest-rate offer there), or only among the provider's offers (a weekend offer on a
weekday, a trade), at an item it covers."""

from __future__ import annotations

import pytest

from beckn.simulator.journey import JourneyFailed, choose

CATALOG = {
    "providers": [
        {
            "id": "cpo-a",
            "items": [
                {"id": "ch-1", "location_ids": ["st-1"], "category_ids": ["ac"],
                 "offers": [{"id": "evening", "price": {"value": "15"}}]},
                {"id": "ch-2", "location_ids": ["st-2"], "category_ids": ["dc"]},
                {"id": "ch-3", "location_ids": ["st-2"], "category_ids": ["ac"]},
            ],
            "offers": [
                {"id": "evening", "location_ids": ["st-1"]},
                {"id": "weekend", "location_ids": ["st-2"], "category_ids": ["ac"]},
                {"id": "trade-solar", "item_ids": ["ch-2"]},
                {"id": "everywhere"},
            ],
        }
    ]
}  # fmt: skip


def chosen(wanted):
    provider, item, offer = choose(CATALOG, wanted)
    return provider["id"], item["id"], offer


def test_an_offer_listed_under_an_item_is_chosen_there():
    assert chosen("evening") == ("cpo-a", "ch-1", "evening")
    assert chosen(None) == ("cpo-a", "ch-1", "evening")


def test_an_offer_only_in_the_providers_list_is_chosen_at_an_item_it_covers():
    assert chosen("weekend") == ("cpo-a", "ch-3", "weekend")  # at st-2, an AC charger
    assert chosen("trade-solar") == ("cpo-a", "ch-2", "trade-solar")
    assert chosen("everywhere") == ("cpo-a", "ch-1", "everywhere")


def test_an_offer_the_catalog_lacks_is_refused_by_name():
    with pytest.raises(JourneyFailed, match="'nowhere'"):
        choose(CATALOG, "nowhere")


def test_the_2_0_journey_goes_on_with_the_offer_on_select_quoted():
    """As 1.1's journey drops an offer that does not apply (kept_offers), 2.0's sends init
    the offer on_select's contract quoted, and says why it is not the one chosen."""
    import io

    from beckn.simulator.journey_v2 import JourneyV2

    out = io.StringIO()
    journey = JourneyV2(client=None, receiver=None, out=out)  # type: ignore[arg-type]  # no calls
    provider = {"id": "cpo-a", "descriptor": {"name": "cpo-a"}}
    quoted = {"id": "list-price:ch-1", "resourceIds": ["ch-1"], "provider": provider}
    selected = {"commitments": [{"offer": {**quoted, "descriptor": {"name": "List price"}}}]}
    assert journey.kept_offer(selected, "monthly-package-100") == quoted
    assert "monthly-package-100 does not apply; on_select quoted list-price:ch-1" in out.getvalue()
    assert journey.kept_offer(selected, "list-price:ch-1") == quoted
    assert out.getvalue().count("does not apply") == 1
