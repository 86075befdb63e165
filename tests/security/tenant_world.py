"""A two-operator world for the tenant sweep: every tenant-owned model has objects at both
operators, every text field of B's objects carries B's token, and the staff of every role.

Operator A's text carries "alpaca", operator B's "zebra": a page that shows "zebra" to one
of A's staff has leaked B's data, whatever the page is. `missing()` names the tenant-owned
models without an object at an operator, so a new model fails the sweep until it gets a
recipe here (coverage cannot shrink silently).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from analytics.services.rollup import run_incremental
from analytics.services.whatif.run import execute
from analytics.services.whatif.start import new_run
from beckn.models import (
    CatalogPublish,
    CatalogService,
    DeliveryAttempt,
    Order,
    Outbox,
    OutboxState,
    SelectQuote,
    Subscriber,
    SubscriberType,
)
from beckn.protocol.signing import generate_keypair
from cpo_portal import tenancy
from cpo_portal.models import Holiday, Operator, Role, Stamp
from offers.models import (
    AddOn,
    AddOnAvailability,
    AddOnBooking,
    CreditAccount,
    Customer,
    CustomerImport,
    CustomerOfferUsage,
    OfferUsage,
)
from offers.services.codes import generate_batch
from pricing.services.grid import raise_signal
from roaming.models import CdrImport, LocationStamp, Partner, Push, PushAttempt
from roaming.services import cdr_intake
from tests.analytics.conftest import Ledger
from tests.factories import (
    ChargerFactory,
    ConnectorFactory,
    OperatorFactory,
    StationFactory,
    UserFactory,
    staff,
)
from tests.offers.factories import OfferFactory
from tests.pricing.factories import BandFactory, SurgeFactory, TariffFactory
from tests.roaming.cdr_data import cdr
from tests.support.admin import registered

TOKENS = {"a": "alpaca", "b": "zebra"}
IST = ZoneInfo("Asia/Kolkata")
DAY = dt.date(2025, 3, 3)


@dataclass
class Side:
    """One operator's objects: model -> pks, and its staff by role."""

    key: str
    token: str
    operator: Operator
    pks: dict[type[models.Model], set[int]] = field(default_factory=dict)
    staff: dict[str, object] = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    superuser: object
    stranger: object  # staff, no membership anywhere
    both: object  # operator admin at A and at B


def _build_side(key: str) -> Side:
    token = TOKENS[key]
    operator = OperatorFactory(
        code=f"{token}-cpo.example", name=f"{token.title()} Charging", short_desc=f"{token} cpo"
    )
    side = Side(key=key, token=token, operator=operator)
    for role in Role.values:
        side.staff[role] = staff(operator, role, f"{token}-{role}")

    station = StationFactory(
        operator=operator, code=f"{token}-station", name=f"{token} station",
        address=f"{token} road", instructions=f"{token} gate", region_code=token.upper(),
    )  # fmt: skip
    charger = ChargerFactory(station=station, code=f"{token}-charger", name=f"{token} charger")
    ConnectorFactory(charger=charger, connector_id=f"{token}-1")
    Holiday.objects.create(operator=operator, date=DAY, name=f"{token} holiday")

    # pricing
    tariff = TariffFactory(operator=operator, code=f"{token}-tariff", name=f"{token} tariff",
                           tax_name=f"{token} GST")  # fmt: skip
    BandFactory(tariff=tariff, code=f"{token}-band", label=f"{token} off-peak")
    SurgeFactory(operator=operator, code=f"{token}-surge", name=f"{token} surge",
                 stations=[station])  # fmt: skip
    raise_signal(operator, by=side.staff[Role.OPERATOR_ADMIN], station=station,
                 note=f"{token} grid stress")  # fmt: skip
    Stamp.current(Stamp.Kind.PRICING, operator.pk)  # made on the first quote

    # offers
    offer = OfferFactory(
        operator=operator, code=f"{token}-offer", title=f"{token} offer",
        short_desc=f"{token} deal", type_label=f"{token.upper()}_HOUR", auto=False,
    )  # fmt: skip
    offer.stations.add(station)
    generate_batch(offer, 2, prefix=token, user=side.staff[Role.OPERATOR_ADMIN])
    Stamp.bump(Stamp.Kind.CATALOG, operator.pk)
    customer = Customer.objects.create(
        operator=operator, key=f"{ord(token[0]):02x}" * 32, segment=f"{token}-seg",
        tier=f"{token}-tier",
    )  # fmt: skip
    account = CreditAccount.objects.create(
        operator=operator, plan=f"{token}-plan", name=f"{token} wallet", kind="rupees"
    )
    account.members.add(customer)
    add_on = AddOn.objects.create(operator=operator, code=f"{token}-valet",
                                  name=f"{token} valet", description=f"{token} parking",
                                  price=Decimal("100"))  # fmt: skip
    AddOnAvailability.objects.create(add_on=add_on, station=station, stock=5)
    AddOnBooking.objects.create(
        order_ref=f"{token}-order-3", add_on=add_on, station=station, code=add_on.code,
        name=add_on.name, price=add_on.price, tax_rate=add_on.tax_rate, note=f"{token} note",
    )  # fmt: skip
    CustomerImport.objects.create(
        operator=operator, file_name=f"{token}-customers.csv", status="done",
        errors=[f"line 2: {token} row skipped"],
    )  # fmt: skip
    OfferUsage.objects.update_or_create(offer=offer, defaults={"uses": 1})
    CustomerOfferUsage.objects.create(offer=offer, customer_key=f"{token}-customer", uses=1)

    # the ledger (rolled up by build())
    ledger = Ledger(station)
    start = dt.datetime.combine(DAY, dt.time(18), tzinfo=IST)
    for kind in ("redeemed", "settled"):
        ledger.row(kind, offer, start=start, customer=token, order_ref=f"{token}-order-1",
                   discount="11", surge="1", reason=f"{token} reason")  # fmt: skip
    ledger.plain(start=start.replace(hour=9), customer=token, order_ref=f"{token}-order-2",
                 gross="100")  # fmt: skip
    # a what-if run of the offer over that day, replayed (its result names the station)
    run, _ = new_run(offer, user=side.staff[Role.ANALYST], date_from=DAY, date_to=DAY)
    execute(run.pk)

    # beckn
    now = timezone.now()
    order = Order.objects.create(
        operator=operator, charger=charger, charger_code=charger.code,
        bap_id=f"{token}-bap.example", transaction_id=f"{token}-txn", order_id=f"{token}-ord",
        customer_key=f"{token}-customer",
    )  # fmt: skip
    SelectQuote.objects.create(
        bap_id=f"{token}-bap.example", transaction_id=f"{token}-txn", order=order,
        charger=charger, total="100", customer_key=f"{token}-customer",
    )  # fmt: skip
    box = Outbox.objects.create(
        order=order, subscriber_id=f"{token}-bap.example", action="on_status",
        target_url=f"https://{token}-bap.example/on_status", payload='{"context": {}}',
        message_id=f"{token}-msg", transaction_id=f"{token}-txn", state=OutboxState.REJECTED,
        next_attempt_at=now, expires_at=now + dt.timedelta(minutes=5), last_error=f"{token}",
    )  # fmt: skip
    DeliveryAttempt.objects.create(
        outbox=box, number=1, started_at=now, target_url=box.target_url, status_code=500,
        outcome=OutboxState.PENDING, error=f"{token} refused",
    )  # fmt: skip
    Subscriber.objects.create(
        subscriber_id=f"{token}-cds.example",
        type=SubscriberType.CDS,
        key_id=f"{token}-k1",
        url=f"https://{token}-cds.example",
        signing_public_key=generate_keypair()[1],
    )  # fmt: skip  (the registry is network-wide: the CDS its operator publishes to)
    CatalogService.objects.create(operator=operator, cds_id=f"{token}-cds.example")
    CatalogPublish.objects.create(
        operator=operator, cds_id=f"{token}-cds.example", reason="first",
        message_id=f"{token}-publish", transaction_id=f"{token}-publish-txn",
        catalog_ids=[f"{token}-catalog"], status="rejected",
        rejections=f"{token}-catalog rejected: 40001 {token}",
    )  # fmt: skip

    # roaming (OCPI)
    partner = Partner.objects.create(
        operator=operator, name=f"{token} roaming", country_code="NL", party_id=token[:3].upper(),
        versions_url=f"https://{token}-emsp.example/ocpi/versions",
    )  # fmt: skip
    push = Push.objects.create(
        partner=partner, module="tariffs", object_id=f"{token}-tariff", state="rejected",
        next_attempt_at=now, last_error=f"{token} refused",
    )  # fmt: skip
    PushAttempt.objects.create(
        push=push, number=1, started_at=now, method="PUT", status_code=400, outcome="rejected",
        target_url=f"https://{token}-emsp.example/ocpi/2.2.1/tariffs/IN/CPO/{token}-tariff",
    )  # fmt: skip
    LocationStamp.objects.update_or_create(station=station, defaults={"last_updated": now})
    # a CDR its charging system (a partner registered as CPO) sent, billed above our price:
    # it shows in the price audit
    system = Partner.objects.create(
        operator=operator, name=f"{token} charging system", country_code="IN",
        party_id=token[:3].upper(), role="CPO",
        versions_url=f"https://{token}-csms.example/ocpi/versions",
    )  # fmt: skip
    received = cdr(f"{token}-cdr", station.code, charger.code, excl="999.00", incl="999.00",
                   start=start.replace(hour=12),
                   party=(system.country_code, system.party_id))  # fmt: skip
    taken = cdr_intake.take(operator, [(1, received)], partner=system, source="push")
    assert len(taken.stored) == 1, taken.refused
    CdrImport.objects.create(operator=operator, file_name=f"{token}-cdrs.jsonl", status="done",
                             errors=[f"line 2: {token} refused"])  # fmt: skip
    return side


def tenant_models() -> list[type[models.Model]]:
    """Every concrete model that declares an operator (TENANT_PATH), Operator included."""
    return [
        m
        for m in apps.get_models()
        if tenancy.tenant_path(m) is not None and not m._meta.label.count(".Historical")
    ]


def _collect(side: Side) -> None:
    for model in tenant_models():
        qs = model._default_manager.all()
        path = tenancy.tenant_path(model)
        qs = qs.filter(pk=side.operator.pk) if path == "" else qs.filter(**{path: side.operator})
        side.pks[model] = set(qs.values_list("pk", flat=True))


def build() -> World:
    a, b = _build_side("a"), _build_side("b")
    run_incremental()  # rollups of both operators' ledgers
    for side in (a, b):
        _collect(side)
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    stranger = UserFactory(username="stranger")
    staff(a.operator, Role.OPERATOR_ADMIN, "both-admin")
    both = staff(b.operator, Role.OPERATOR_ADMIN, "both-admin")  # the same user, saved last
    return World(a=a, b=b, superuser=superuser, stranger=stranger, both=both)


def missing(side: Side) -> list[str]:
    """Tenant-owned models (all of them: in the admin, behind an API or neither) without an
    object at this operator."""
    return sorted(m._meta.label for m in tenant_models() if not side.pks.get(m))


def free_text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def unmarked(side: Side) -> list[str]:
    """Objects with free text of which no text carries the side's token (all-blank text
    has nothing to show)."""
    out = []
    for model, pks in side.pks.items():
        fields = [f.attname for f in free_text_fields(model)]
        if not fields:
            continue
        for row in model._default_manager.filter(pk__in=pks).values("pk", *fields):
            texts = [str(row[name]).lower() for name in fields if row[name]]
            if texts and not any(side.token in text for text in texts):
                out.append(f"{model._meta.label} #{row['pk']}")
    return out


def admin_tenant_models() -> list[type[models.Model]]:
    return [m for m in registered() if tenancy.tenant_path(m) is not None]
