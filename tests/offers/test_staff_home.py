"""The staff home: figures from the domain services, alerts, actions by role, tenancy,
and the links that join the admin and the dashboards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from offers.models import OfferUsage, Redemption, RedemptionKind
from offers.services.catalog import forget_catalog
from offers.services.standing import offers_today
from pricing.models import SurgeRule
from pricing.services.books import clear_cache
from pricing.services.surge_now import surge_clock
from tests.offers.factories import OfferFactory

D = Decimal


@pytest.fixture(autouse=True)
def _fresh_caches():
    forget_catalog()
    clear_cache()
    yield
    forget_catalog()
    clear_cache()


def surge(operator, code: str, **fields) -> SurgeRule:
    values = {
        "operator": operator,
        "code": code,
        "kind": "peak",
        "name": code.replace("-", " ").title(),
        "note": "Peak fee",
        "form": "per_kwh",
        "amount": D("1"),
        "effective_from": timezone.now() - dt.timedelta(days=1),
    }
    return SurgeRule.objects.create(**{**values, **fields})


def redeemed(
    offer, discount: str, at: dt.datetime, kind: str = RedemptionKind.SETTLED
) -> Redemption:
    return Redemption.objects.create(
        operator=offer.operator,
        order_ref=f"order-{at.timestamp()}-{discount}",
        kind=kind,
        offer=offer,
        offer_code=offer.code,
        offer_title=offer.title,
        benefit_kind=offer.benefit_kind,
        station_code="s",
        charger_code="c",
        session_start=at,
        session_start_hour=0,
        discount=D(discount),
        occurred_at=at,
    )


@pytest.fixture
def world(network):
    """Operator A: a live offer at 85 % of its budget, one ending in three days, one
    starting next week, a draft; a surge window on now, one later, one scheduled change.
    Operator B: an offer and a surge of its own."""
    now = timezone.now()
    a = network.op_a
    spent = OfferFactory(operator=a, code="spent", title="Nearly spent", budget=D("1000"))
    OfferUsage.objects.filter(offer=spent).update(budget_spent=D("850"))
    OfferFactory(
        operator=a, code="ending", title="Ending soon", valid_until=now + dt.timedelta(days=3)
    )
    OfferFactory(operator=a, code="later", valid_from=now + dt.timedelta(days=8))
    OfferFactory(operator=a, code="draft", status="draft", budget=D("5000"))
    redeemed(spent, "40", now)
    redeemed(spent, "60", now - dt.timedelta(days=2))
    redeemed(spent, "25", now, RedemptionKind.QUOTED)  # steps of orders, not uses
    redeemed(spent, "35", now, RedemptionKind.REDEEMED)
    local = timezone.localtime(now, timezone.get_fixed_timezone(330))
    hour = local.time().replace(minute=0, second=0, microsecond=0)
    surge(
        a,
        "on-now",
        window_start=hour,
        window_end=(local + dt.timedelta(hours=2))
        .time()
        .replace(minute=0, second=0, microsecond=0),
    )
    surge(a, "fast-premium", kind="fast_charging", min_power_kw=D("50"))
    surge(a, "busy", kind="demand", occupancy_threshold=D("0.8"))
    surge(a, "announced", effective_from=now + dt.timedelta(hours=20))
    b = network.op_b
    OfferFactory(operator=b, code="b-secret", title="Operator B secret offer", budget=D("77"))
    surge(b, "b-surge", name="B only surge")
    return network


def test_offers_today_reads_the_catalog_and_the_usage_counters(world):
    today = offers_today(world.op_a)
    assert (today.live, today.starting_later) == (2, 1)  # the draft is not live
    assert (today.budget, today.budget_spent, today.budget_left) == (D("1000"), D("850"), D("150"))
    assert (today.uses_today, today.discount_today) == (1, D("40"))
    assert [(a.code, a.reason) for a in today.alerts] == [("spent", "budget"), ("ending", "ending")]
    assert today.alerts[0].spent_share == D("0.85")


def test_surge_clock_tells_windows_now_next_and_notice(world):
    clock = surge_clock(world.op_a)
    assert [s.code for s in clock.now] == ["on-now"]
    assert clock.now[0].end is not None and clock.now[0].end > timezone.now()
    # Tomorrow's window, and the announced rule once its notice period has run.
    assert {s.code: s.start > timezone.now() for s in clock.next} == {
        "on-now": True,
        "announced": True,
    }
    assert clock.always_on == 1  # the fast-charging premium is no window
    assert clock.on_demand == 1  # nor is a demand surge allowed at every hour
    assert [r.code for r in clock.scheduled] == ["announced"]


def test_root_and_favicon_lead_somewhere(client, network):
    assert client.get("/").url == reverse("admin:index")
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301 and favicon.url.endswith("favicon.svg")
    assert client.get(reverse("admin:index")).url.startswith(reverse("admin:login"))


def test_home_shows_own_operator_only_and_actions_by_role(client, world):
    client.force_login(world.pricing_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Operator A today" in page and "Operator B" not in page
    assert "Nearly spent" in page and "85%" in page and "Operator B secret offer" not in page
    assert "₹850.00" in page and "₹150.00" in page
    assert 'data-alert="notice"' in page and "B only surge" not in page
    for action in ("preview", "new-offer", "new-surge", "week", "roi", "surge"):
        assert f'data-action="{action}"' in page
    assert 'id="all-models"' in page and reverse("admin:offers_offer_changelist") in page

    client.force_login(world.analyst_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Operator A today" in page
    assert 'data-action="new-offer"' not in page and 'data-action="new-surge"' not in page
    assert 'data-action="roi"' in page and 'data-action="preview"' in page

    client.force_login(world.pricing_b)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Operator B today" in page and "Nearly spent" not in page and "₹850" not in page


def test_admin_pages_and_dashboards_link_both_ways(client, world):
    client.force_login(world.analyst_a)
    changelist = client.get(reverse("admin:offers_offer_changelist")).content.decode()
    for name in ("analytics:roi", "analytics:surge", "admin:index", "swagger-ui"):
        assert f'href="{reverse(name)}"' in changelist
    assert "favicon.svg" in changelist
    dashboard = client.get(reverse("analytics:roi")).content.decode()
    for name in (
        "admin:index",
        "admin:pricing_surgerule_week",
        "admin:offers_offer_simulate",
    ):
        assert f'href="{reverse(name)}"' in dashboard
    assert "favicon.svg" in dashboard


def test_the_home_offers_the_operators_tasks_to_whoever_may_open_them(client, network):
    import re

    def tasks(user) -> dict[str, str]:
        client.force_login(user)
        page = client.get("/admin/").content.decode()
        return dict(re.findall(r'data-task="([^"]+)" class="task">([^<]+)</a>', page))

    assert tasks(network.admin_a) == {
        "stations": "Stations",
        "partners": "Partners",
        "cdr-imports": "CDR imports",
        "price-audit": "Price audit",
    }
    assert "cdr-imports" not in tasks(network.analyst_a)  # imports are the pricing editors'
    assert "price-audit" in tasks(network.analyst_a)
