"""Demo offers (after pricing.demo): every offer type on the DEG page, in the ONDC
vocabulary, plus a few hundred customers with segments, tiers, credit and a family plan.

cpo1.com gets DEG's weekend-discount-25 ("Weekend Special - 25% Off", 25 % of the energy,
minimum session value 50, cap 100, code WEEKEND25) and one offer per DEG type.
Idempotent: offers are keyed by their id, customers by their key; rows are saved only
when something changed, so seeding twice leaves no extra history.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from cpo_portal.db.validation import save_valid
from cpo_portal.models import Operator
from offers.customer_keys import customer_key
from offers.demo.offers import cpo1_offers, voltgrid_offers
from offers.models import CodeBatch, CreditAccount, Customer, Offer, OfferCode
from offers.services.codes import generate_batch

SEGMENTS = ["commuter", "commuter", "fleet", "taxi", "weekend-driver", "delivery"]
TIERS = ["", "", "silver", "silver", "gold", "platinum"]
CUSTOMERS = 300


def add_arguments(parser) -> None:
    """No options of its own (uses --seed)."""


def demo_phone(n: int) -> str:
    return f"+91 90000 {n:05d}"


def upsert_offer(operator: Operator, code: str, *, word: str = "", **fields) -> Offer:
    offer = Offer.objects.filter(operator=operator, code=code).first() or Offer(
        operator=operator, code=code
    )
    fields.setdefault("status", "active")
    changed = offer.pk is None or any(getattr(offer, k) != v for k, v in fields.items())
    if changed:
        for name, value in fields.items():
            setattr(offer, name, value)
        offer.full_clean()
        offer.save()
    if word and not OfferCode.objects.filter(offer=offer, batch__isnull=True).exists():
        OfferCode.objects.create(offer=offer, code=word)
    return offer


def seed_customers(operator: Operator, rng: random.Random) -> list[Customer]:
    today = dt.date.today()
    wanted = []
    for n in range(1, CUSTOMERS + 1):
        tier = TIERS[rng.randrange(len(TIERS))]
        wanted.append(
            Customer(
                operator=operator,
                key=customer_key(phone=demo_phone(n)),
                segment=SEGMENTS[rng.randrange(len(SEGMENTS))],
                tier=tier,
                member=bool(tier) or rng.random() < 0.2,
                referred=rng.random() < 0.15,
                joined_on=today - dt.timedelta(days=rng.randrange(30, 1500)),
                first_session_done=rng.random() < 0.9,
            )
        )
    # The first few are the ones the docs and the simulator use: keep them predictable.
    wanted[0].tier, wanted[0].member, wanted[0].segment = "gold", True, "commuter"
    wanted[1].referred, wanted[1].first_session_done = True, False
    wanted[2].joined_on = today.replace(year=today.year - 2)
    for customer in wanted:
        customer.full_clean(validate_unique=False, validate_constraints=False)
    Customer.objects.bulk_create(wanted, ignore_conflicts=True)
    keys = [c.key for c in wanted]
    return list(Customer.objects.filter(operator=operator, key__in=keys).order_by("pk"))


def seed_credit(operator: Operator, customers: list[Customer]) -> None:
    month = dt.date.today().replace(day=1)
    accounts: list[tuple[str, str, str, dict[str, object], list[int]]] = [
        ("prepaid", "Prepaid wallet (demo)", "rupees", {"balance_amount": Decimal("500")}, [3]),
        ("pkg-100", "100 kWh monthly package (demo)", "kwh",
         {"monthly_kwh": Decimal("100"), "balance_kwh": Decimal("100"), "period_start": month},
         [0]),
        ("family", "Sharma family plan", "rupees", {"balance_amount": Decimal("2000")},
         [4, 5, 6]),
    ]  # fmt: skip
    for plan, name, kind, values, members in accounts:
        account = CreditAccount.objects.filter(operator=operator, plan=plan, name=name).first()
        if account is None:
            account = save_valid(
                CreditAccount(operator=operator, plan=plan, name=name, kind=kind, **values)
            )
        account.members.add(*(customers[i] for i in members if i < len(customers)))


@transaction.atomic
def seed(options: dict, out) -> None:
    rng = random.Random(options.get("seed", 7))
    made = 0
    cpo1 = Operator.objects.filter(code="cpo1.com").first()
    if cpo1 is not None:
        for code, fields in cpo1_offers():
            upsert_offer(cpo1, code, **fields)
            made += 1
        welcome = Offer.objects.get(operator=cpo1, code="welcome-100")
        if not CodeBatch.objects.filter(offer=welcome).exists():
            generate_batch(welcome, 50, prefix="WELCOME")
        customers = seed_customers(cpo1, rng)
        seed_credit(cpo1, customers)
    voltgrid = Operator.objects.filter(code="voltgrid.in").first()
    if voltgrid is not None:
        for code, fields in voltgrid_offers():
            upsert_offer(voltgrid, code, **fields)
            made += 1
        seed_customers(voltgrid, rng)
    out.write(
        f"Offers: {made} demo offers, {Customer.objects.count()} customers. Try the customer "
        f"{demo_phone(1)} (gold member) and the code WEEKEND25 on a weekend.\n"
    )
