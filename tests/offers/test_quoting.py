"""quote_with_offers through the ORM: DEG's numbers, rejections with reasons, codes,
customers, tenancy, cache invalidation and the number of queries per quote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from offers.admin.price_compare import in_words
from offers.customer_keys import customer_key
from offers.models import Customer, OfferCode, OfferUsage
from offers.rules.outcome import Reason
from offers.services.codes import generate_batch
from offers.services.quoting import SessionAsk, quote_with_offers
from pricing.engine.types import LineKind
from tests.offers.conftest import SUNDAY_10, WEDNESDAY_10, weekend_offer
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
SARAH = customer_key(phone="+91-9876543210")


def lines(oq) -> list[tuple[str, str]]:
    return [(ln.title, str(ln.amount)) for ln in oq.quote.lines]


def test_deg_offer_quote(deg):
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), codes=["weekend25"])
    )
    assert lines(oq) == [
        ("Charging session cost (5 kWh @ ₹18.00/kWh)", "90.00"),
        ("Service fee", "10.00"),
        ("Weekend Special - 25% Off", "-22.50"),
        ("GST (18%)", "13.95"),  # 18 % of 77.50; the DEG page's 11.50 does not add up
    ]
    assert oq.quote.total == Decimal("91.45")
    assert oq.applied_ids() == ("weekend-discount-25",)
    assert oq.applied[0].code == "WEEKEND25"
    assert oq.discount == Decimal("22.50")
    assert oq.rejected == ()


def test_auto_offer_applies_without_its_code(deg):
    oq = quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))
    assert oq.discount == Decimal("22.50") and oq.applied[0].code == ""


def test_offers_outside_their_window_are_not_even_candidates(deg):
    oq = quote_with_offers(SessionAsk(deg.charger, WEDNESDAY_10, amount=Decimal("100")))
    assert oq.applied == () and oq.rejected == ()
    assert oq.quote.total == Decimal("118.00")


def test_named_offers_say_why_they_do_not_apply(deg):
    oq = quote_with_offers(
        SessionAsk(deg.charger, WEDNESDAY_10, amount=Decimal("100"), codes=["WEEKEND25"])
    )
    (r,) = oq.rejected
    assert (r.offer_id, r.reason) == ("weekend-discount-25", Reason.NOT_VALID_NOW)
    assert r.message == "Offer weekend-discount-25 is not valid at Wed 10:00"
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("40"), codes=["WEEKEND25"])
    )
    (r,) = oq.rejected
    assert r.reason is Reason.BELOW_MIN_VALUE  # ₹40 buys 1.666 kWh: 29.99 + 10 fee
    assert r.message == (
        "Offer weekend-discount-25 needs a session value of at least ₹50.00; this one is ₹39.99"
    )


def test_unknown_codes_and_offer_ids(deg):
    oq = quote_with_offers(
        SessionAsk(
            deg.charger, SUNDAY_10, amount=Decimal("100"), codes=["NOPE"], offer_ids=["ghost"]
        )
    )
    assert {(r.offer_id, r.reason, r.message) for r in oq.rejected} == {
        ("", Reason.CODE_UNKNOWN, "Code NOPE matches no offer"),
        ("ghost", Reason.CODE_UNKNOWN, "There is no offer ghost at cpo-a.example"),
    }
    assert oq.discount == Decimal("22.50")  # the auto offer still applies


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        ("paused", Reason.NOT_VALID_NOW, "Offer weekend-discount-25 is paused"),
        ("ended", Reason.EXPIRED, "Offer weekend-discount-25 has ended"),
        ("draft", Reason.NOT_VALID_NOW, "Offer weekend-discount-25 is not published"),
    ],
)
def test_offers_that_are_not_active(deg, status, reason, message):
    quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"))
    )  # cache the catalog
    deg.weekend.status = status
    deg.weekend.save()
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), codes=["WEEKEND25"])
    )
    assert oq.applied == ()
    assert [(r.reason, r.message) for r in oq.rejected] == [(reason, message)]


def test_offer_that_ended_by_now_is_expired(deg):
    deg.weekend.valid_until = dt.datetime(2025, 9, 22, 23, 59, 59, tzinfo=dt.UTC)
    deg.weekend.save()
    late = dt.datetime(2025, 9, 23, tzinfo=dt.UTC)
    oq = quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), now=late))
    assert oq.applied == ()
    assert [(r.reason, r.message) for r in oq.rejected] == [
        (Reason.EXPIRED, "Offer weekend-discount-25 ended 2025-09-22T23:59:59+00:00")
    ]


def test_opt_in_by_code_and_by_id(deg):
    optin = OfferFactory(
        operator=deg.op_a,
        code="night-owl",
        title="Night owl",
        auto=False,
        additive=True,
        percent=Decimal("50"),
        min_session_value=None,
        max_discount=None,
    )
    oq = quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))
    assert oq.applied_ids() == ("weekend-discount-25",)
    refusal = oq.rejection("night-owl").message
    assert refusal == "Offer night-owl is opt-in: it applies only when the order names it"
    # the price tool words it with the title, once, and no "offer id Night owl" results
    assert in_words(oq.rejection("night-owl"), {"night-owl": "Night owl"}) == (
        "Night owl",
        " is opt-in: it applies only when the order names it",
    )
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), offer_ids=["night-owl"])
    )
    assert oq.applied_ids() == ("night-owl",)  # no codes: naming it opts in (ONDC)
    assert oq.rejection("weekend-discount-25").reason is Reason.OUTRANKED
    OfferCode.objects.create(offer=optin, code="OWL10")
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), offer_ids=["night-owl"])
    )
    assert oq.rejection("night-owl").reason is Reason.CODE_REQUIRED
    assert oq.rejection("night-owl").message == "Offer night-owl applies only with its code"
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), codes=["owl10"])
    )
    assert oq.applied[0].code == "OWL10"


def test_single_use_codes(deg):
    offer = OfferFactory(
        operator=deg.op_a,
        code="diwali",
        title="Diwali",
        auto=False,
        percent=Decimal("50"),
        min_session_value=None,
    )
    batch = generate_batch(offer, 2)
    first, second = batch.codes.order_by("pk")
    OfferCode.objects.filter(pk=first.pk).update(used_at=SUNDAY_10, used_order="o-1")
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), codes=[first.code])
    )
    assert oq.rejection("diwali").message == f"Code {first.code} has already been used"
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), codes=[second.code])
    )
    assert oq.applied_ids() == ("diwali",) and oq.discount == Decimal("45.00")
    assert oq.codes["diwali"].pk == second.pk


def test_customer_attributes_come_from_the_database(deg):
    OfferFactory(
        operator=deg.op_a,
        code="gold",
        title="Gold 30%",
        percent=Decimal("30"),
        tiers=["gold"],
        members_only=True,
        min_session_value=None,
    )
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=SARAH)
    )
    assert oq.rejection("gold").reason is Reason.TIER
    Customer.objects.create(operator=deg.op_a, key=SARAH, tier="gold", member=False)
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=SARAH)
    )
    assert oq.rejection("gold").reason is Reason.MEMBERS_ONLY
    Customer.objects.filter(key=SARAH).update(member=True)
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=SARAH)
    )
    assert oq.applied_ids() == ("gold",) and oq.discount == Decimal("27.00")


def test_first_session_offers_use_the_customer_row(deg):
    OfferFactory(
        operator=deg.op_a,
        code="welcome",
        title="Welcome",
        percent=Decimal("40"),
        first_session_only=True,
        min_session_value=None,
    )
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=SARAH)
    )
    assert oq.applied_ids() == ("welcome",)  # never seen: first session
    Customer.objects.create(operator=deg.op_a, key=SARAH, first_session_done=True)
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=SARAH)
    )
    assert oq.rejection("welcome").reason is Reason.FIRST_SESSION_ONLY


def test_another_operators_offers_never_apply(deg):
    weekend_offer(deg.op_b, code="b-weekend", percent=Decimal("90"), max_discount=None)
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), offer_ids=["b-weekend"])
    )
    assert oq.applied_ids() == ("weekend-discount-25",)
    assert oq.rejection("b-weekend").message == "There is no offer b-weekend at cpo-a.example"


def test_catalog_follows_edits_and_places(deg):
    quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))  # warm the cache
    deg.weekend.percent = Decimal("10")
    deg.weekend.save()
    oq = quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))
    assert oq.discount == Decimal("9.00")
    deg.weekend.stations.add(deg.station_b)  # only B's station: not valid here any more
    oq = quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))
    assert oq.applied == ()
    deg.weekend.stations.add(deg.station_a)
    assert quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"))).applied


def test_limits_seen_at_quote_time(deg):
    deg.weekend.max_uses = 10
    deg.weekend.save()
    OfferUsage.objects.filter(offer=deg.weekend).update(uses=10)
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), codes=["WEEKEND25"])
    )
    assert oq.rejection("weekend-discount-25").reason is Reason.LIMIT_REACHED


def test_holdout_withholds_deterministically(deg):
    deg.weekend.holdout_percent = Decimal("100")
    deg.weekend.save()
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), customer_key=SARAH)
    )
    assert oq.applied == () and oq.held_out == ("weekend-discount-25",)
    assert oq.would_have_had("weekend-discount-25") == Decimal("22.50")
    anonymous = quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100")))
    assert anonymous.applied_ids() == ("weekend-discount-25",)  # no key: cannot be followed


def test_simulation_overrides_customer_and_previews_drafts(deg):
    from offers.rules.facts import CustomerFacts

    draft = OfferFactory(
        operator=deg.op_a,
        code="draft",
        title="Draft 50",
        status="draft",
        percent=Decimal("50"),
        segments=["fleet"],
        min_session_value=None,
    )
    oq = quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), preview=[draft.pk])
    )
    assert oq.rejection("draft").reason is Reason.SEGMENT
    oq = quote_with_offers(
        SessionAsk(
            deg.charger,
            SUNDAY_10,
            amount=Decimal("100"),
            preview=[draft.pk],
            customer=CustomerFacts(segment="fleet"),
        )
    )
    assert oq.applied_ids() == ("draft",) and oq.discount == Decimal("45.00")


def test_surge_notices_come_with_the_quote(deg):
    from pricing.models import SurgeRule

    SurgeRule.objects.create(
        operator=deg.op_a,
        code="congestion",
        kind="peak",
        name="Congestion Fee",
        form="per_kwh",
        amount=Decimal("1"),
        window_start=dt.time(18),
        window_end=dt.time(21),
        effective_from=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    evening = SUNDAY_10.replace(hour=18, minute=30)
    oq = quote_with_offers(SessionAsk(deg.charger, evening, kwh=Decimal("5")))
    assert oq.notices == ("Congestion Fee: ₹1/kWh between 6 PM - 9 PM",)
    assert oq.quote.sum_of(LineKind.SURGE) == Decimal("5.00")


@pytest.mark.parametrize(
    ("kwargs", "queries"),
    [
        # the stamps (one statement), the conditions (a session of 2025: not from the
        # memo of live quotes, tests/pricing/test_live_conditions.py)
        ({}, 2),
        ({"customer_key": SARAH}, 3),  # + the customer
        ({"customer_key": SARAH, "codes": ["WEEKEND25"]}, 4),  # + the codes presented
    ],
)
def test_queries_per_quote_are_few_and_constant(deg, django_assert_num_queries, kwargs, queries):
    for n in range(40):  # many offers, some limited: still the same number of queries
        OfferFactory(
            operator=deg.op_a,
            code=f"bulk-{n}",
            title=f"Bulk {n}",
            additive=True,
            percent=Decimal("1"),
            max_uses=100 if n % 2 else None,
        )
    quote_with_offers(
        SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"))
    )  # build the catalog
    with django_assert_num_queries(queries + 1):  # + remaining uses of limited candidates
        oq = quote_with_offers(SessionAsk(deg.charger, SUNDAY_10, amount=Decimal("100"), **kwargs))
    assert len(oq.rejected) + len(oq.applied) == 41


def test_an_operator_without_offers_costs_no_catalog_rebuilds(deg, django_assert_num_queries):
    from cpo_portal.models import Charger

    charger_b = Charger.objects.select_related("station", "operator").get(pk=deg.charger_b.pk)
    quote_with_offers(SessionAsk(charger_b, SUNDAY_10, amount=Decimal("100")))
    with django_assert_num_queries(2):  # the stamps and the conditions, no rebuild
        oq = quote_with_offers(SessionAsk(charger_b, SUNDAY_10, amount=Decimal("100")))
    assert oq.applied == () and oq.quote.total == Decimal("118.00")


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        # the rules' sentence names the offer first: the bold title stands for it
        ("Offer fleet is for fleet customers only", ("Fleet", " is for fleet customers only")),
        # named inside the sentence: there alone, no title before it
        (
            "Code OWL10 is not valid for offer fleet",
            ("", "Code OWL10 is not valid for offer Fleet"),
        ),
        # not named: the title heads the sentence
        ("Code OWL10 has already been used", ("Fleet", ": Code OWL10 has already been used")),
    ],
)
def test_a_refusal_in_the_price_tool_names_its_offer_once(message, shown):
    from offers.rules.outcome import Rejected

    assert in_words(Rejected("fleet", Reason.SEGMENT, message), {"fleet": "Fleet"}) == shown
    title, rest = shown
    assert f"{title}{rest}".count("Fleet") == 1
