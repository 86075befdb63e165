"""A roaming partner's page in a real browser: it lists what to send them (our versions
URL, country code, party id and role), each with a copy button that copies, issues a new
registration token shown once with its own copy button, and, once the partner registered,
shows what the handshake filled as read-only."""

from __future__ import annotations

import pytest

from roaming.models import Partner, PartnerState
from roaming.services import tokens
from tests.cpo_portal.browser.conftest import log_in, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner(network, settings, live_server):
    settings.OCPI_PUBLIC_URL = f"{live_server.url}/ocpi"
    return Partner.objects.create(
        operator=network.op_a, name="Roamer", country_code="NL", party_id="EMS", role="EMSP"
    )


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_the_partner_page_says_what_to_send_and_copies_it(page, live_server, network, partner):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, live_server, network.admin_a.username)
    page.goto(f"{live_server.url}/admin/roaming/partner/{partner.pk}/change/")
    panel = page.locator("table.what-to-send")
    versions = f"{live_server.url}/ocpi/versions"
    assert versions in panel.inner_text()
    for value in (versions, "IN", "CPO"):
        assert panel.locator(f"button.portal-copy[data-copy='{value}']").count() >= 1
    panel.locator(f"button.portal-copy[data-copy='{versions}']").click()
    page.wait_for_function(
        "() => document.querySelector('button.portal-copy').textContent === 'Copied'"
    )
    assert clipboard(page) == versions

    before = Partner.objects.get(pk=partner.pk).inbound_token_hash
    panel.get_by_role("button", name="Issue a new token").click()
    page.wait_for_load_state()
    message = page.locator(".messagelist .warning")
    token = message.locator("code").first.inner_text()
    after = Partner.objects.get(pk=partner.pk).inbound_token_hash
    assert after != before and after == tokens.digest(token)
    message.locator(f"button.portal-copy[data-copy='{token}']").click()
    page.wait_for_timeout(100)
    assert clipboard(page) == token
    assert shoot(page, "roaming-partner-what-to-send") == {"1366": 0, "390": 0}

    page.reload()  # shown once: a reload shows no token
    assert token not in page.content()


def test_what_the_handshake_filled_is_read_only_once_registered(
    page, live_server, network, partner
):
    partner.state = PartnerState.REGISTERED
    partner.save()
    log_in(page, live_server, network.admin_a.username)
    page.goto(f"{live_server.url}/admin/roaming/partner/{partner.pk}/change/")
    for field in ("role", "country_code", "party_id", "versions_url"):
        assert page.locator(f"[name={field}]").count() == 0, field
    assert page.locator("[name=name]").count() == 1  # staff's own words stay editable


def test_an_analyst_sees_what_to_send_but_cannot_issue_a_token(
    page, live_server, client, network, partner
):
    log_in(page, live_server, network.analyst_a.username)
    page.goto(f"{live_server.url}/admin/roaming/partner/{partner.pk}/change/")
    assert f"{live_server.url}/ocpi/versions" in page.locator("table.what-to-send").inner_text()
    assert page.get_by_role("button", name="Issue a new token").count() == 0
    before = Partner.objects.get(pk=partner.pk).inbound_token_hash
    client.force_login(network.analyst_a)
    response = client.post(f"/admin/roaming/partner/{partner.pk}/new-token/")
    assert response.status_code == 403
    client.force_login(network.admin_b)  # another operator's admin: no such partner
    assert client.post(f"/admin/roaming/partner/{partner.pk}/new-token/").status_code == 404
    assert Partner.objects.get(pk=partner.pk).inbound_token_hash == before
