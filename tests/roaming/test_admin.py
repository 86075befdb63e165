"""Partners in the admin: the registration token is shown once and kept as a hash; the
partner's own token is typed once, kept sealed, and shown nowhere."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from cpo_portal.models import Role, StaffMembership
from roaming.models import Partner
from roaming.services import credentials, tokens
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


def test_an_admin_at_one_operator_acts_as_an_analyst_at_the_other(client, ocpi):
    """A user's role at operator B gives no right at operator A: a bulk action that
    changes rows ("change" permission) acts only on the rows of the operators where the
    user may change them, as the change form already does."""
    a, b = OperatorFactory(code="cpo-a.example"), OperatorFactory(code="cpo-b.example")
    theirs = Partner.objects.create(operator=a, name="Roamer of A")
    own = Partner.objects.create(operator=b, name="Roamer of B")
    before = theirs.inbound_token_hash
    user = staff(a, Role.ANALYST, "mixed-1")
    StaffMembership.objects.create(user=user, operator=b, role=Role.OPERATOR_ADMIN)
    client.force_login(user)
    assert client.get(f"/admin/roaming/partner/{theirs.pk}/change/").status_code == 200
    response = client.post("/admin/roaming/partner/", {
        "action": "new_registration_token", "_selected_action": [theirs.pk, own.pk],
        "index": "0",
    })  # fmt: skip
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request) if "shown only" in str(m)]
    assert len(shown) == 1 and "Roamer of B" in shown[0], shown
    theirs.refresh_from_db()
    assert theirs.inbound_token_hash == before
    own.refresh_from_db()
    assert own.inbound_token_hash not in (None, before)


def test_the_partners_csv_export_carries_neither_token(client, ocpi):
    """The partner's token (sealed) and the hash of ours are shown nowhere: not on its
    page, not in its history, and not in the change list's CSV export either."""
    operator = OperatorFactory(code="cpo1.example")
    partner = Partner.objects.create(operator=operator, name="Roamer",
                                     outbound_token=tokens.seal("their-secret-a"))  # fmt: skip
    ours = credentials.issue_registration_token(partner)
    partner.refresh_from_db()
    client.force_login(staff(operator, Role.ANALYST, "analyst-1"))
    response = client.post("/admin/roaming/partner/", {
        "action": "export_csv", "_selected_action": [partner.pk], "index": "0",
    })  # fmt: skip
    assert response["Content-Type"].startswith("text/csv")
    exported = response.content.decode()
    header = exported.splitlines()[0]
    assert "Roamer" in exported
    assert "outbound_token" not in header and "inbound_token_hash" not in header
    assert partner.outbound_token not in exported and ours not in exported
    assert partner.inbound_token_hash not in exported
