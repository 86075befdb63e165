"""The BPP the fuzzers aim at: two operators, a tariff with surge, an offer, our signing key,
the test BAP (unlimited rate) and a second registered BAP to sign mismatched requests.

Built with the test factories (a dev dependency, like the fuzzers themselves).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.support.fuzz.cases import World
from tests.support.fuzz.run import Keys

IST = ZoneInfo("Asia/Kolkata")
BAP_ID = "fuzz-bap.example"
OTHER_BAP_ID = "fuzz-other-bap.example"


def build_world() -> tuple[World, Keys]:
    from django.core.cache import cache

    from beckn import conf
    from beckn.models import SigningKey, Subscriber
    from beckn.protocol.signing import generate_keypair
    from beckn.services import keys
    from offers.models import Offer
    from offers.services.catalog import forget_catalog
    from pricing.models import SurgeRule, Tariff
    from pricing.services import clear_cache
    from tests.factories import build_network
    from tests.offers.factories import OfferFactory

    cache.clear()
    clear_cache()
    forget_catalog()
    network = build_network()
    offers = []
    for op in (network.op_a, network.op_b):
        Tariff.objects.create(
            operator=op, code="std", name="Standard", energy_rate_per_kwh=Decimal("18"),
            service_fee=Decimal("10"), tax_rate=Decimal("0.18"), active=True,
        )  # fmt: skip
        SurgeRule.objects.create(
            operator=op, code="evening", kind="peak", name="Evening surge", form="percent",
            amount=Decimal("20"),
            effective_from=dt.datetime(2025, 1, 1, tzinfo=IST),
        )  # fmt: skip
        offer: Offer = OfferFactory(  # type: ignore[assignment]  # factory_boy: a model instance
            operator=op, code=f"{op.code.split('.')[0]}-25", title="25% off",
            valid_from=dt.datetime(2025, 1, 1, tzinfo=IST), max_uses=1000,
        )  # fmt: skip
        offers.append(offer.code)
    if not SigningKey.objects.filter(is_active=True).exists():
        keys.generate("fuzz-bpp-key")
    private, public = generate_keypair()
    other_private, other_public = generate_keypair()
    for subscriber_id, key_id, key in (
        (BAP_ID, "fuzz-1", public),
        (OTHER_BAP_ID, "fuzz-2", other_public),
    ):
        Subscriber.objects.update_or_create(
            subscriber_id=subscriber_id,
            key_id=key_id,
            defaults={
                "type": "BAP",
                "url": f"https://{subscriber_id}/beckn",
                "signing_public_key": key,
                "rate_limit": 0,
            },
        )
    world = World(
        bap_id=BAP_ID,
        bap_uri=f"https://{BAP_ID}/beckn",
        bpp_id=conf.bpp_id(),
        bpp_uri=conf.bpp_uri(),
        providers=(network.op_a.code, network.op_b.code),
        items=(network.charger_a.code, network.charger_b.code),
        offers=(*offers, "no-such-offer"),
        gps=f"{network.station_a.latitude},{network.station_a.longitude}",
    )
    return world, Keys("fuzz-1", private, OTHER_BAP_ID, "fuzz-2", other_private)
