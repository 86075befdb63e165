"""`manage.py ocpi_partner register --versions-url` takes the URL as the partner's admin
form does (cpo_portal/formatting/url_inputs.py): https where the scheme is left out, and a
value that is no URL refused in one line, with nothing saved."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from roaming.models import Partner, PartnerState
from roaming.services import credentials
from tests.factories import OperatorFactory
from tests.roaming.conftest import network, registered_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return Partner.objects.create(operator=OperatorFactory(code="cpo1.example"), name="Roamer")


def test_a_versions_url_typed_without_a_scheme_is_saved_as_https(partner):
    # no token yet: registering stops there, after the URL is kept
    with pytest.raises(CommandError, match="the token it gave us"):
        call_command("ocpi_partner", "register", str(partner.pk),
                     "--versions-url", "emsp.example/ocpi/versions")  # fmt: skip
    partner.refresh_from_db()
    assert partner.versions_url == "https://emsp.example/ocpi/versions"


@pytest.mark.parametrize("typed", ["not a url", "https://", "emsp.example:99999/ocpi"])
def test_a_versions_url_the_admin_form_refuses_is_refused_with_nothing_saved(partner, typed):
    with pytest.raises(CommandError) as refused:
        call_command("ocpi_partner", "register", str(partner.pk), "--versions-url", typed)
    assert str(refused.value) == "Roamer: Enter a valid URL."
    partner.refresh_from_db()
    assert partner.versions_url == ""


@pytest.mark.parametrize(
    ("role", "refusal"),
    [
        ("EMSP", "its credentials name NL\\*EMS \\(EMSP\\), a party already registered"),
        ("CPO", "its credentials name no CPO role, the role it has here"),
    ],
)
def test_credentials_answered_that_cannot_be_kept_are_refused_in_one_line(ocpi, emsp, role,
                                                                          refusal):  # fmt: skip
    """The partner answers our POST with credentials we cannot keep: its party is another
    partner's already (the one-registration-per-party constraint), or it names no role
    this partner has here. The command said so with a traceback (IntegrityError,
    OcpiProblem), and the admin action answered a 500; now one line, and our token B
    stops opening anything, as after any failed registration."""
    operator = network(stations=1)
    registered_partner(operator, party=("NL", "EMS"))
    partner = Partner.objects.create(operator=operator, name="Second", role=role,
                                     versions_url=emsp.versions_url)  # fmt: skip
    emsp.check_back = False  # it takes our token B without reading our versions
    with pytest.raises(CommandError, match=f"^Second: {refusal}"):
        call_command("ocpi_partner", "register", str(partner.pk), "--token", "emsp-token-a")
    partner.refresh_from_db()
    assert (partner.state, partner.party_id, partner.inbound_token_hash) == ("pending", "", None)
    assert emsp.cpo_token  # the token B it was sent
    assert credentials.partner_for(f"Token {emsp.cpo_token}") is None


def test_a_registered_partner_gets_no_new_registration_token_its_token_c_keeps_working(
    client, ocpi
):
    """Token A serves registration only: issuing one to a registered partner would replace
    the token C it roams with. The command and the admin refuse it, saying to unregister
    first; the partner's token keeps working."""
    from django.contrib.messages import get_messages

    from cpo_portal.models import Role
    from tests.factories import staff

    operator = network(stations=1)
    partner, token_c = registered_partner(operator)
    before = partner.inbound_token_hash
    with pytest.raises(CommandError, match="unregister it first"):
        call_command("ocpi_partner", "token", str(partner.pk))
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    response = client.post("/admin/roaming/partner/", {
        "action": "new_registration_token", "_selected_action": [partner.pk], "index": "0",
    })  # fmt: skip
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("unregister it first" in m for m in shown), shown
    assert not any("shown only" in m for m in shown), shown
    partner.refresh_from_db()
    assert partner.inbound_token_hash == before
    assert credentials.partner_for(f"Token {token_c}") == partner
    # Its page offers no button that would only be refused; a partner not registered has one.
    new_token = f"/admin/roaming/partner/{partner.pk}/new-token/"
    assert new_token not in client.get(f"/admin/roaming/partner/{partner.pk}/change/").text
    partner.state = PartnerState.UNREGISTERED
    partner.save(update_fields=["state"])
    assert new_token in client.get(f"/admin/roaming/partner/{partner.pk}/change/").text
