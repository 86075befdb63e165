"""Who we are on OCPI: one CPO party per operator."""

from __future__ import annotations

from typing import Any

import pycountry
from django.conf import settings

from cpo_portal.models import Operator
from pricing.services import party_id

VERSION = "2.2.1"
# A party's country code and party id as OCPI writes them: CiStrings, ASCII, compared
# ignoring case (the handshake's roles and every CDR's issuer: credentials, cdr_schema)
COUNTRY_CODE = "[A-Za-z]{2}"
PARTY_ID = "[A-Za-z0-9]{3}"
# An object's id (a CDR's, its session's, token's, location's, EVSE's, connector's,
# tariff's): cpo_portal.db.values.OCPI_ID, the one rule for the ids we publish and take.


def country_code() -> str:
    return str(settings.OCPI_COUNTRY_CODE).upper()


def country_alpha3() -> str:
    country = pycountry.countries.get(alpha_2=country_code())
    return country.alpha_3 if country is not None else country_code()


def versions_url() -> str:
    return f"{settings.OCPI_PUBLIC_URL}/versions"


def version_url() -> str:
    return f"{settings.OCPI_PUBLIC_URL}/{VERSION}"


def credentials(operator: Operator, token: str) -> dict[str, Any]:
    """Our Credentials object, carrying the token the partner is to use."""
    return {
        "token": token,
        "url": versions_url(),
        "roles": [
            {
                "role": "CPO",
                "party_id": party_id(operator),
                "country_code": country_code(),
                "business_details": {"name": operator.name[:100]},
            }
        ],
    }


def routing_headers(operator: Operator, to_country: str, to_party: str) -> dict[str, str]:
    """OCPI-from/to headers of functional-module requests (transport_and_format)."""
    return {
        "OCPI-from-country-code": country_code(),
        "OCPI-from-party-id": party_id(operator),
        "OCPI-to-country-code": to_country,
        "OCPI-to-party-id": to_party,
    }
