"""A partner whose server cannot be told is unregistered on our side only: staff see why
the DELETE at the partner failed, then end the registration on the partner's page
(*Unregister here only*, confirmed on a page of its own, operator admins), or with
`manage.py ocpi_partner unregister-here`. The token it holds gets 401 at once, and it may
get a new registration token afterwards."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command

from cpo_portal.models import Role
from roaming.models import Partner, PartnerState
from tests.factories import staff
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth
from tests.support.drip import drips

pytestmark = pytest.mark.django_db

servers = pytest.fixture(drips, name="servers")
NOT_TOLD = "Unregistered here only; the partner was not told."
TARIFFS = "/ocpi/2.2.1/tariffs"


def answer(status: str, body: str) -> bytes:
    raw = body.encode()
    return f"HTTP/1.1 {status}\r\nContent-Length: {len(raw)}\r\n\r\n".encode() + raw


def page(partner: Partner) -> str:
    return f"/admin/roaming/partner/{partner.pk}/change/"


def shown(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def out_of_reach(how: str, ocpi, emsp, servers, partner: Partner) -> str:
    """The partner's server made unable to take our DELETE; what the message says of it."""
    if how == "gone":
        emsp.close()
        return "cannot connect"
    if how == "too slow":
        ocpi.OCPI_CALL_DEADLINE = 1.0
        server = servers(b"", answer("200 OK", json.dumps({"status_code": 1000})))
        said = "deadline: no complete answer within 1 s"
    else:
        server = servers(answer("500 Internal Server Error", "{}"))
        said = "HTTP 500, OCPI status None"
    partner.endpoints = [
        {"identifier": "credentials", "role": "RECEIVER", "url": f"{server.url}/credentials"}
    ]
    partner.save()
    return said


@pytest.mark.parametrize("how", ["gone", "too slow", "refusing"])
def test_a_partner_that_cannot_be_told_is_unregistered_here_only(client, ocpi, emsp, servers, how):
    """Unregistering DELETEs our credentials at the partner; when that failed, nothing
    changed here and nothing else could end the registration: the partner kept its
    token, and got no new registration token ("unregister it first")."""
    operator = network(stations=1)
    partner, token = registered_partner(operator, emsp)
    said = out_of_reach(how, ocpi, emsp, servers, partner)
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    response = client.post("/admin/roaming/partner/", {
        "action": "unregister", "_selected_action": [partner.pk], "index": "0",
    })  # fmt: skip
    [message] = shown(response)
    assert message.startswith("Roamer: the partner could not be told (")
    assert said in message and "it is still registered" in message
    assert "<i>Unregister here only</i>" in message and f'href="{page(partner)}"' in message
    partner.refresh_from_db()
    assert partner.state == PartnerState.REGISTERED
    assert client.get(TARIFFS, headers=auth(token)).status_code == 200

    end_here = f"/admin/roaming/partner/{partner.pk}/unregister-here/"
    assert end_here in client.get(page(partner)).text
    confirm = client.get(end_here)  # it cannot be undone: a page asks first, and does nothing
    assert confirm.status_code == 200
    assert "Unregister Roamer here only?" in confirm.text
    assert "Yes, unregister here only" in confirm.text and page(partner) in confirm.text
    partner.refresh_from_db()
    assert partner.state == PartnerState.REGISTERED
    assert client.get(TARIFFS, headers=auth(token)).status_code == 200
    response = client.post(end_here)
    assert response.status_code == 302 and response["Location"] == page(partner)
    assert any(m.startswith("Roamer: unregistered here only.") for m in shown(response))
    partner.refresh_from_db()
    assert (partner.state, partner.inbound_token_hash, partner.outbound_token) == (
        PartnerState.UNREGISTERED, None, "",
    )  # fmt: skip
    assert partner.endpoints == []
    refused = client.get(TARIFFS, headers=auth(token))
    assert (refused.status_code, refused.json()["status_code"]) == (401, 2000)
    [logged] = LogEntry.objects.filter(object_id=str(partner.pk))
    assert logged.get_change_message() == NOT_TOLD and logged.user.username == "admin-1"

    text = client.get(page(partner)).text
    assert end_here not in text  # not registered: nothing to end
    response = client.post(f"/admin/roaming/partner/{partner.pk}/new-token/")
    assert any("shown only now" in m for m in shown(response))


def test_only_who_may_unregister_a_partner_may_end_it_here(client, ocpi, emsp):
    operator = network(stations=1)
    partner, token = registered_partner(operator, emsp)
    end_here = f"/admin/roaming/partner/{partner.pk}/unregister-here/"
    client.force_login(staff(operator, Role.ANALYST, "analyst-1"))
    assert end_here not in client.get(page(partner)).text
    assert client.get(end_here).status_code == 403
    assert client.post(end_here).status_code == 403
    partner.refresh_from_db()
    assert partner.state == PartnerState.REGISTERED
    assert client.get(TARIFFS, headers=auth(token)).status_code == 200


def test_a_partner_not_registered_is_not_ended_again(client, ocpi):
    operator = network(stations=1)
    partner = Partner.objects.create(operator=operator, name="Roamer")
    client.force_login(staff(operator, Role.OPERATOR_ADMIN, "admin-1"))
    end_here = f"/admin/roaming/partner/{partner.pk}/unregister-here/"
    asked = client.get(end_here).text
    assert "is not registered" in asked and "Yes, unregister" not in asked
    response = client.post(end_here)
    assert shown(response) == ["Roamer: not registered with this partner"]
    assert not LogEntry.objects.exists()


def test_the_command_says_how_to_end_it_here_and_does(client, ocpi, emsp):
    operator = network(stations=1)
    partner, token = registered_partner(operator, emsp)
    emsp.close()
    with pytest.raises(CommandError) as refused:
        call_command("ocpi_partner", "unregister", str(partner.pk))
    assert str(refused.value).startswith("Roamer: the partner could not be told (")
    assert str(refused.value).endswith(
        f"it is still registered; `ocpi_partner unregister-here {partner.pk}` ends it here only"
    )
    assert client.get(TARIFFS, headers=auth(token)).status_code == 200
    call_command("ocpi_partner", "unregister-here", str(partner.pk))
    assert client.get(TARIFFS, headers=auth(token)).status_code == 401
    partner.refresh_from_db()
    assert partner.state == PartnerState.UNREGISTERED
