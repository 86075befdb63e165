"""Fixtures for the OCPI tests: a network with tariffs, partners, an eMSP on loopback."""

from __future__ import annotations

from decimal import Decimal

import pytest

from roaming.models import Partner
from roaming.services import credentials
from tests.factories import ChargerFactory, ConnectorFactory, OperatorFactory, StationFactory
from tests.pricing.factories import TariffFactory
from tests.roaming.emsp import Emsp


@pytest.fixture
def ocpi(settings):
    settings.OCPI_PUBLIC_URL = "http://testserver/ocpi"
    settings.OCPI_COUNTRY_CODE = "IN"
    settings.OCPI_ALLOW_PRIVATE_PARTNERS = True
    return settings


@pytest.fixture
def emsp():
    server = Emsp()
    yield server
    server.close()


def network(code: str = "cpo1.example", stations: int = 3):
    """An operator with a default tariff, `stations` stations (charger + connector each),
    and a station tariff at every other station."""
    operator = OperatorFactory(code=code, name=f"Operator {code}")
    prefix = code.split(".")[0]
    TariffFactory(operator=operator, code=f"{prefix}-default", name="Default")
    for n in range(stations):
        station = StationFactory(operator=operator, code=f"{prefix}-st-{n:03d}")
        charger = ChargerFactory(station=station, code=f"{prefix}-ch-{n:03d}")
        ConnectorFactory(charger=charger)
        if n % 2:
            TariffFactory(
                operator=operator,
                station=station,
                code=f"{prefix}-station-{n:03d}",
                energy_rate_per_kwh=Decimal("20") + n,
            )
    return operator


def registered_partner(
    operator,
    emsp: Emsp | None = None,
    *,
    party: tuple[str, str] = ("NL", "EMS"),
    role: str = "EMSP",
) -> tuple[Partner, str]:
    """A partner registered with us by hand (no HTTP): returns it and its token. `party`:
    its country code and party id (an eMSP's by default)."""
    partner = Partner.objects.create(operator=operator, name="Roamer", country_code=party[0],
                                     party_id=party[1], role=role)  # fmt: skip
    token = credentials.issue_registration_token(partner)
    Partner.objects.filter(pk=partner.pk).update(state="registered", inbound_token_final=True)
    partner.refresh_from_db()
    if emsp is not None:
        base = f"{emsp.url}/ocpi/2.2.1"
        credentials.set_their_token(partner, next(iter(emsp.accepted)))
        partner.endpoints = [
            {"identifier": m, "role": "RECEIVER", "url": f"{base}/{m}"}
            for m in ("credentials", "tariffs", "locations")
        ]
        partner.save()
    partner.refresh_from_db()
    return partner, token
