"""A generated history of rollup input rows (offers.Redemption ledger rows and
analytics.NoOfferSession rows), deterministic for a seed, with the cases that make the
rollup's window functions work: sessions without offers, redeemed-then-settled sessions
with one or two offers, held-out customers, re-sent settlements (seq 1), reversals days
later, settlements that land on the next local day, anonymous customers. Written with
bulk_create, so a bench can make 100,000 sessions in a few seconds. And `snapshot`, every
rollup row a backfill wrote, to compare two runs."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from analytics.models import (
    CellCustomer,
    ChannelDaily,
    CustomerSet,
    CustomerSetMonth,
    DailyCustomer,
    DailyRollup,
    HourlyPeriod,
    HourlyRollup,
    NoOfferSession,
    OfferDaily,
    OfferScope,
    OfferScopeDaily,
    StationDaily,
)
from offers.models import Offer, Redemption

D = Decimal
BATCH = 5000


def generate(
    stations: Sequence,
    offers: Sequence[Offer],
    first: dt.date,
    days: int,
    sessions: int,
    *,
    seed: int = 7,
    customers: int = 2000,
    prefix: str = "h",
    channels: Sequence[str] = (),
) -> int:
    """Write `sessions` sessions over `days` local days from `first` at `stations`
    (each with at least one charger loaded as `station.chargers`), a third with one of
    the operator's `offers`. With `channels`, each session without an offer came by one
    of them (offers are redeemed on Beckn orders only); else all are Beckn. Returns the
    number of rows written."""
    rng = random.Random(seed)
    by_operator: dict[int, list[Offer]] = {}
    for offer in offers:
        by_operator.setdefault(offer.operator_id, []).append(offer)
    chargers = {s.pk: s.chargers.first() for s in stations}
    zones = {s.pk: ZoneInfo(s.operator.time_zone) for s in stations}
    keys = [f"{rng.getrandbits(256):064x}" for _ in range(customers)]
    ledger: list[Redemption] = []
    plain: list[NoOfferSession] = []
    written = 0
    for n in range(sessions):
        station = rng.choice(stations)
        zone = zones[station.pk]
        start = dt.datetime.combine(first, dt.time(), tzinfo=zone) + dt.timedelta(
            minutes=rng.randrange(days * 1440)
        )
        kwh = D(rng.randrange(2000, 40000)) / 1000
        gross = (kwh * 18).quantize(D("0.01"))
        surge = D("12.50") if rng.random() < 0.1 else D("0")
        tax = ((gross + surge) * D("0.18")).quantize(D("0.01"))
        charger = chargers[station.pk]
        row = dict(
            operator_id=station.operator_id, order_ref=f"{prefix}-{n}", station_id=station.pk,
            charger_id=charger.pk if charger else None, station_code=station.code,
            charger_code=charger.code if charger else "", region_code=station.region_code,
            customer_key=rng.choice(keys) if rng.random() < 0.85 else "",
            energy_kwh=kwh, gross_amount=gross, surge_amount=surge, tax_amount=tax,
            session_start=start, session_start_hour=start.hour,
        )  # fmt: skip
        mine = by_operator.get(station.operator_id, [])
        if not mine or rng.random() < 0.65:
            channel = {"channel": rng.choice(channels)} if channels else {}
            plain.append(
                NoOfferSession(**row, **channel, net_amount=gross + surge + tax, occurred_at=start)
            )
        else:
            chosen = rng.sample(mine, 2 if len(mine) > 1 and rng.random() < 0.2 else 1)
            held = rng.random() < 0.08
            end = start + dt.timedelta(minutes=int(kwh * 3) + 10)
            for offer in chosen:
                discount = min(gross, (gross * D("0.1")).quantize(D("0.01")) + rng.randrange(5))
                net = gross + surge + tax - (D(0) if held else discount)
                step = dict(
                    **row, net_amount=net, offer=offer, offer_code=offer.code,
                    offer_title=offer.title, offer_type=offer.type_label,
                    benefit_kind=offer.benefit_kind, discount=discount, session_end=end,
                )  # fmt: skip
                if held:
                    ledger.append(Redemption(**step, kind="held_out", held_out=True,
                                             occurred_at=start))  # fmt: skip
                    continue
                ledger.append(Redemption(**step, kind="redeemed", occurred_at=start))
                settled = end if rng.random() < 0.9 else end + dt.timedelta(hours=20)
                ledger.append(Redemption(**step, kind="settled", occurred_at=settled))
                if rng.random() < 0.05:  # the settlement is sent again, with other figures
                    again = {**step, "discount": discount + 1, "net_amount": net - 1}
                    later = settled + dt.timedelta(minutes=5)
                    ledger.append(Redemption(**again, kind="settled", seq=1, occurred_at=later))
                if rng.random() < 0.03:  # reversed days later
                    later = settled + dt.timedelta(days=3)
                    ledger.append(Redemption(**step, kind="reversed", seq=1, occurred_at=later))
        if len(plain) + len(ledger) >= BATCH:
            written += _flush(plain, ledger)
    return written + _flush(plain, ledger)


def _flush(plain: list, ledger: list) -> int:
    count = len(plain) + len(ledger)
    NoOfferSession.objects.bulk_create(plain)
    Redemption.objects.bulk_create(ledger)
    plain.clear()
    ledger.clear()
    return count


# The rollup tables a backfill writes, and what they hold, for comparing two runs.
TABLES = (
    DailyRollup, HourlyRollup, DailyCustomer, CellCustomer, OfferDaily, StationDaily,
    OfferScopeDaily, CustomerSet, CustomerSetMonth, HourlyPeriod, ChannelDaily,
)  # fmt: skip


def columns_of(model) -> list[str]:
    """The columns a snapshot gives of `model`'s rows: all but its surrogate ids."""
    skip = {"id", "customer", "members"}
    return [f.attname for f in model._meta.concrete_fields if f.name not in skip]


def snapshot() -> dict[str, list]:
    """Every rollup row, without surrogate ids (customers by key, scope cells by what
    they name)."""
    out: dict[str, list] = {}
    for model in TABLES:
        extra = ["customer__key"] if any(f.name == "customer" for f in model._meta.fields) else []
        extra += ["members"] if any(f.name == "members" for f in model._meta.fields) else []
        rows = model.objects.values_list(*columns_of(model), *extra)
        out[model.__name__] = sorted(map(tuple, rows), key=str)
    cells = OfferScope.objects.values_list("offer_id", "station_id", "hour_band")
    out["OfferScope"] = sorted(cells)
    return out
