"""The week view per station and per region: only the rules that apply there are drawn,
conditional rules (holidays, occupancy, grid stress) are drawn as conditional, and the
filters offer the user's own operators' stations only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.factories import ChargerFactory, StationFactory
from tests.pricing.admin_posts import url
from tests.pricing.factories import SurgeFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world(network) -> SimpleNamespace:
    """Operator A: station_a in DL, two highway stations in HR; rules always on, HR-only,
    and three conditional ones (occupancy, holidays, grid stress)."""
    ns = network
    ns.hr1 = StationFactory(operator=ns.op_a, code="hr-1", name="Gurugram", region_code="HR",
                            site_kind="highway")  # fmt: skip
    ns.hr2 = StationFactory(operator=ns.op_a, code="hr-2", name="Panipat", region_code="HR",
                            site_kind="highway")  # fmt: skip
    ChargerFactory(station=ns.hr1, power_kw=D("60"))
    SurgeFactory(operator=ns.op_a, code="evening")
    SurgeFactory(operator=ns.op_a, code="hr-only", region_codes=["HR"])
    common = {"window_start": None, "window_end": None, "form": "percent", "amount": D("20")}
    SurgeFactory(operator=ns.op_a, code="busy", kind="demand", occupancy_threshold=D("0.8"),
                 name="High demand", **common)  # fmt: skip
    SurgeFactory(operator=ns.op_a, code="holiday", kind="holiday", holidays_only=True,
                 **common)  # fmt: skip
    SurgeFactory(operator=ns.op_a, code="grid", kind="demand", on_grid_stress=True, **common)
    SurgeFactory(operator=ns.op_a, code="fast", min_power_kw=D("50.00"),
                 window_start=dt.time(10), window_end=dt.time(12))  # fmt: skip
    SurgeFactory(operator=ns.op_b, code="b-secret", name="B secret fee")
    return ns


def week(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(url("surgerule", "week"), params)
    assert response.status_code == 200
    return response.content.decode()


def cells(page: str, rule_code: str) -> list[list[str]]:
    section = page.split(f"<code>{rule_code}</code>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><th>\w+</th>(.*?)</tr>", section)
    return [re.findall(r'<td class="([\w-]*)"></td>', row) for row in rows]


def hover(page: str, when: str) -> tuple[list[str], list[str]]:
    """The summary cell's tooltip: the rules sure to apply, and the conditional ones."""
    (title,) = re.findall(rf'title="{when}: ([^"]*)"', page)
    sure, _, maybe = title.partition("; when conditions hold: ")
    return ([] if sure == "no surge" else sure.split(", ")), (maybe.split(", ") if maybe else [])


def drawn(page: str) -> set[str]:
    return set(re.findall(r'<div class="rule-week[^"]*">\s*<h3><a [^>]*>[^<]*</a>\s*'
                          r"<code>([\w-]+)</code>", page))  # fmt: skip


def test_conditional_rules_are_drawn_as_conditional(client, world):
    page = week(client, world.pricing_a)
    assert drawn(page) == {"evening", "hr-only", "busy", "holiday", "grid", "fast"}
    assert "chargers of 50 kW or more (at 1 of 3 stations)" in page
    assert cells(page, "busy")[0] == ["cond-full"] * 24  # never plain "full"
    assert cells(page, "evening")[0][18] == "full"
    assert "conditional: when occupancy is 80% or more" in page
    assert "conditional: on public holidays only" in page
    assert "80.000" not in page and "0.800" not in page
    # the HR stations are sure of two surges at 18:00; the three conditional rules may add
    sure, maybe = hover(page, "Mon 18:00")
    assert (len(sure), len(maybe)) == (2, 3)
    assert hover(page, "Mon 03:00") == ([], maybe)  # no surge for sure; three may apply
    assert "3 conditional rules can add to the hours they cover" in page
    assert "High demand: 20% on energy when occupancy is 80% or more" in page
    assert "b-secret" not in page


def test_one_station_shows_only_the_rules_that_apply_there(client, world):
    page = week(client, world.pricing_a, station=world.station_a.pk)
    assert drawn(page) == {"evening", "busy", "holiday", "grid"}  # its charger is 30 kW
    sure, maybe = hover(page, "Mon 18:00")
    assert (len(sure), len(maybe)) == (1, 3)
    assert (
        "Not at this station: Congestion Fee (<code>fast</code>), "
        "Congestion Fee (<code>hr-only</code>)."
    ) in page
    assert "(at this station)" in page


def test_a_region_shows_its_stations(client, world):
    page = week(client, world.pricing_a, region="HR")
    assert drawn(page) == {"evening", "hr-only", "busy", "holiday", "grid", "fast"}
    assert "2 stations" in page and "(at all 2 stations)" in page
    dl = week(client, world.pricing_a, region="DL")
    assert "hr-only" not in drawn(dl)


def test_the_station_picker_groups_by_region_and_stays_in_the_tenant(client, world):
    page = week(client, world.pricing_a)
    assert '<optgroup label="HR">' in page and "Gurugram (hr-1)" in page
    assert world.station_b.name not in page
    refused = week(client, world.pricing_a, station=world.station_b.pk)
    assert "Select a valid choice" in refused
    assert "b-secret" not in refused and drawn(refused) == set()
    junk = week(client, world.pricing_a, station="x", region="ZZ")
    assert "Select a valid choice" in junk


def test_an_analyst_sees_the_week_too(client, world):
    assert "evening" in drawn(week(client, world.analyst_a, station=world.hr1.pk))
