"""Partners in the admin: the registration token is shown once and kept as a hash; the
partner's own token is typed once, kept sealed, and shown nowhere."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from cpo_portal.models import Role
from roaming.models import Partner
from roaming.services import tokens
from tests.factories import OperatorFactory, staff

pytestmark = pytest.mark.django_db


def test_adding_a_partner_shows_its_registration_token_once(client, ocpi):
    operator = OperatorFactory(code="cpo1.example")
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    response = client.post("/admin/roaming/partner/add/", {
        "operator": operator.pk, "name": "Roamer", "role": "EMSP",
        "versions_url": "https://emsp.example/ocpi/versions", "country_code": "",
        "party_id": "", "their_token": "their-secret-a",
    })  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    partner = Partner.objects.get()
    [message] = [str(m) for m in get_messages(response.wsgi_request) if "shown only" in str(m)]
    token = message.split("(shown only now): <code>")[1].split("</code>")[0]
    assert partner.inbound_token_hash == tokens.digest(token)
    assert "their-secret-a" not in partner.outbound_token
    assert tokens.unseal(partner.outbound_token) == "their-secret-a"
    shown = client.get("/admin/roaming/partner/").content.decode()  # the message, once
    assert token in shown
    page = client.get(f"/admin/roaming/partner/{partner.pk}/change/").content.decode()
    assert token not in page and "their-secret-a" not in page
    assert partner.outbound_token not in page and partner.inbound_token_hash not in page


def test_a_versions_url_typed_without_a_scheme_is_saved_as_https(client, ocpi):
    operator = OperatorFactory(code="cpo1.example")
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    response = client.post("/admin/roaming/partner/add/", {
        "operator": operator.pk, "name": "Roamer", "role": "EMSP",
        "versions_url": "emsp.example/ocpi/versions", "country_code": "", "party_id": "",
    })  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    assert Partner.objects.get().versions_url == "https://emsp.example/ocpi/versions"


def test_an_analyst_sees_partners_but_cannot_add_them(client, ocpi):
    operator = OperatorFactory(code="cpo1.example")
    Partner.objects.create(operator=operator, name="Roamer")
    client.force_login(staff(operator, Role.ANALYST, "analyst-1"))
    assert client.get("/admin/roaming/partner/").status_code == 200
    assert client.get("/admin/roaming/partner/add/").status_code == 403
