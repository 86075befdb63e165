from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from analytics.models import NoOfferSession
from cpo_portal.models import Charger, Operator, StaffMembership, Station
from offers.models import Redemption

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", "--no-progress", stdout=out, **options)
    return out.getvalue()


def test_seed_builds_the_deg_example_cpo_and_is_idempotent():
    def counts() -> tuple[int, ...]:
        models = (Station, Charger, StaffMembership, Redemption, NoOfferSession)
        return tuple(model.objects.count() for model in models)

    first = seed(stations=8, sessions=150)
    seeded = counts()
    second = seed(stations=8, sessions=150)
    assert counts() == seeded and seeded[-2] > 0 and seeded[-1] > 0
    assert "password" in first and "password" not in second  # printed once
    password = first.split("password for all of them: ")[1].split()[0]
    users = get_user_model().objects.all()
    assert len(users) == 7 and all(u.check_password(password) for u in users)

    cpo1 = Operator.objects.get(code="cpo1.com")
    assert cpo1.name == "CPO1 EV charging Company"
    station = Station.objects.get(name="BlueCharge Connaught Place Station")
    assert (station.latitude, station.longitude) == (Decimal("28.345345"), Decimal("77.389754"))
    charger = Charger.objects.get(operator=cpo1, code="pe-charging-01")
    assert charger.power_kw == Decimal("30") and charger.connectors.get().connector_type == "CCS2"
    assert Operator.objects.count() == 2
    assert set(Station.objects.values_list("site_kind", flat=True)) >= {"urban", "highway"}
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
    assert StaffMembership.objects.filter(operator=cpo1).count() == 3


@pytest.mark.parametrize("stations", [0, -1, 10_001, 99_999_999_999_999])
def test_seed_refuses_a_network_it_cannot_build_before_seeding_anything(stations):
    """A number past the cap ran for hours; passed as a number (call_command) or text."""
    with pytest.raises(CommandError, match="--stations: takes a whole number of stations"):
        seed(stations=stations)
    with pytest.raises(CommandError, match="--stations: takes a whole number of stations"):
        call_command("seed_demo", "--no-progress", "--stations", str(stations))
    assert not Operator.objects.exists()
