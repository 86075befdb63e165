"""An eMSP plays against a running server over real HTTP: it registers with us (token A ->
B -> C), pulls tariffs and locations page by page, receives a pushed tariff change and a
retired tariff, pushes a CDR to us, updates its credentials and unregisters; and we
register with an eMSP."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from analytics.models import NoOfferSession
from pricing.models import Tariff
from roaming.models import Partner, Push, PushState, ReceivedCdr
from roaming.services import credentials
from tests.roaming.cdr_data import cdr, dumps
from tests.roaming.conftest import network
from tests.roaming.emsp import Emsp, auth

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(live_server, settings, eager):
    settings.OCPI_PUBLIC_URL = live_server.url + "/ocpi"
    settings.OCPI_ALLOW_PRIVATE_PARTNERS = True
    return live_server


def test_an_emsp_registers_pulls_and_receives_pushes(server, emsp):
    operator = network(stations=5)
    partner = Partner.objects.create(operator=operator, name="Roamer")
    token_a = credentials.issue_registration_token(partner)
    versions = f"{server.url}/ocpi/versions"

    # Token A opens versions and credentials only.
    listed = emsp.get(versions, token_a).json()
    assert listed["status_code"] == 1000
    details = emsp.get(listed["data"][0]["url"], token_a).json()["data"]
    urls = {(e["identifier"], e["role"]): e["url"] for e in details["endpoints"]}
    assert emsp.get(urls["tariffs", "SENDER"], token_a).status_code == 401

    # Registration: the eMSP sends token B; we call its versions with B; it gets C.
    token_b = "emsp-token-b"
    emsp.accepted = {token_b}
    reply = emsp.send("POST", urls["credentials", "SENDER"], emsp.credentials(token_b), token_a)
    assert reply.status_code == 200, reply.text
    ours = reply.json()["data"]
    token_c = ours["token"]
    assert ours["url"] == versions and ours["roles"][0]["role"] == "CPO"
    assert [r.path for r in emsp.received[:2]] == ["/ocpi/versions", "/ocpi/2.2.1"]
    partner.refresh_from_db()
    assert (partner.state, partner.party_id, partner.country_code) == ("registered", "EMS", "NL")
    assert token_b not in partner.outbound_token  # sealed
    emsp.cpo_token = token_c
    assert emsp.get(versions, token_a).status_code == 401  # A is gone
    again = emsp.send("POST", urls["credentials", "SENDER"], emsp.credentials(token_b), token_c)
    assert again.status_code == 405 and again.json()["status_code"] == 2000

    # Pull tariffs, two a page, following Link; X-Total-Count and X-Limit on each page.
    tariffs, pages = emsp.pull_all(urls["tariffs", "SENDER"], limit=2)
    assert len(pages) == 2 and {p.headers["X-Total-Count"] for p in pages} == {"3"}
    assert {p.headers["X-Limit"] for p in pages} == {"2"}
    assert sorted(t["id"] for t in tariffs) == sorted(
        Tariff.objects.filter(operator=operator).values_list("code", flat=True)
    )
    assert all(t["party_id"] == "CPO" and t["country_code"] == "IN" for t in tariffs)

    # Pull locations the same way; each connector names the tariff that prices it.
    found, pages = emsp.pull_all(urls["locations", "SENDER"], limit=2)
    assert len(pages) == 3 and len(found) == 5
    station_1 = next(loc for loc in found if loc["id"] == "cpo1-st-001")
    assert station_1["evses"][0]["connectors"][0]["tariff_ids"] == ["cpo1-station-001"]
    station_0 = next(loc for loc in found if loc["id"] == "cpo1-st-000")
    assert station_0["evses"][0]["connectors"][0]["tariff_ids"] == ["cpo1-default"]

    # A price change is pushed to the eMSP's receiver (PUT), signed in with token B.
    tariff = Tariff.objects.get(code="cpo1-default")
    tariff.energy_rate_per_kwh = Decimal("19.50")
    tariff.save()
    put = emsp.pushes("tariffs")[-1]
    assert (put.method, put.path) == ("PUT", "/ocpi/2.2.1/tariffs/IN/CPO/cpo1-default")
    assert put.headers["Authorization"] == auth(token_b)["Authorization"]
    energy = put.body["elements"][-1]["price_components"][0]
    assert (energy["type"], energy["price"]) == ("ENERGY", 19.5)
    assert Push.objects.filter(state=PushState.DELIVERED).count() >= 1

    # Retiring a station tariff deletes it there, and re-pushes the station's Location
    # whose connector is now priced by the default tariff.
    Tariff.objects.get(code="cpo1-station-001").delete()
    assert emsp.pushes("tariffs")[-1].method == "DELETE"
    location = [r for r in emsp.pushes("locations") if r.path.endswith("/cpo1-st-001")][-1]
    assert location.body["evses"][0]["connectors"][0]["tariff_ids"] == ["cpo1-default"]

    # A date_from pull after the change finds just the changed Location.
    changed, _ = emsp.pull_all(urls["locations", "SENDER"], date_from=location.body["last_updated"])
    assert [loc["id"] for loc in changed] == ["cpo1-st-001"]

    # Only a CPO pushes CDRs: registered as an eMSP, the partner's CDR is refused, and
    # nothing is counted. The same platform registered as a CPO (a charging system) pushes:
    # a CDR pushed to our CDRs receiver is taken, read back at the URL we answer with, and
    # counted in the session facts as a roaming session; pushed again, it is the same CDR.
    # It names its sender's own party (a token of a third party: roaming); one naming
    # another party is refused.
    own = (emsp.country_code, emsp.party_id)
    as_emsp = json.loads(dumps(cdr("EMS-0000", "cpo1-st-000", "cpo1-ch-000", party=own)))
    refused = emsp.send("POST", urls["cdrs", "RECEIVER"], as_emsp, token_c)
    assert refused.status_code == 200 and refused.json()["status_code"] == 2001, refused.text
    assert "only a partner registered as CPO" in refused.json()["status_message"]
    assert not ReceivedCdr.objects.exists() and not NoOfferSession.objects.exists()
    Partner.objects.filter(pk=partner.pk).update(role="CPO")
    foreign = json.loads(dumps(cdr("EMS-0000", "cpo1-st-000", "cpo1-ch-000")))
    refused = emsp.send("POST", urls["cdrs", "RECEIVER"], foreign, token_c)
    assert refused.status_code == 200 and refused.json()["status_code"] == 2001, refused.text
    assert "not the sending partner's own" in refused.json()["status_message"]
    sent = json.loads(dumps(cdr("EMS-0001", "cpo1-st-000", "cpo1-ch-000", party=own,
                                token=("DE", "ABC", "RFID"))))  # fmt: skip
    pushed = emsp.send("POST", urls["cdrs", "RECEIVER"], sent, token_c)
    assert pushed.status_code == 201 and pushed.json()["status_code"] == 1000, pushed.text
    where = pushed.headers["Location"]
    assert where.startswith(f"{server.url}/ocpi/2.2.1/cdrs/")
    assert emsp.get(where, token_c).json()["data"] == sent
    again = emsp.send("POST", urls["cdrs", "RECEIVER"], sent, token_c)
    assert again.headers["Location"] == where
    fact = NoOfferSession.objects.get()
    assert (fact.channel, fact.station.code, fact.net_amount) == (
        "roaming", "cpo1-st-000", Decimal("224.20"),
    )  # fmt: skip
    assert ReceivedCdr.objects.get().our_incl_vat == Decimal("241.90")  # (10 x 19.50 + 10) x 1.18

    # Its credentials never change the role staff gave it: registered as a CPO here, an
    # update naming only an eMSP role is refused and changes nothing (the other way round,
    # an eMSP naming itself a CPO would push CDRs into the operator's sessions).
    token_b2 = "emsp-token-b2"
    emsp.accepted = {token_b2}
    widened = emsp.send("PUT", urls["credentials", "SENDER"], emsp.credentials(token_b2), token_c)
    assert widened.json()["status_code"] == 2001, widened.text
    assert "registered you as CPO" in widened.json()["status_message"]
    assert Partner.objects.get(pk=partner.pk).role == "CPO"
    Partner.objects.filter(pk=partner.pk).update(role="EMSP")

    # Credentials update (PUT): a new token C; the old one stops working.
    updated = emsp.send("PUT", urls["credentials", "SENDER"], emsp.credentials(token_b2), token_c)
    token_c2 = updated.json()["data"]["token"]
    assert token_c2 != token_c
    assert emsp.get(urls["tariffs", "SENDER"], token_c).status_code == 401
    assert emsp.get(urls["tariffs", "SENDER"], token_c2).status_code == 200

    # Unregistration: the token no longer opens anything.
    gone = emsp.send("DELETE", urls["credentials", "SENDER"], None, token_c2)
    assert gone.status_code == 200 and gone.json()["status_code"] == 1000
    assert emsp.get(versions, token_c2).status_code == 401


def test_we_register_with_an_emsp(server):
    emsp = Emsp(accepted={"their-token-a"})
    try:
        operator = network(stations=1)
        partner = Partner.objects.create(
            operator=operator, name="Their eMSP", versions_url=emsp.versions_url
        )
        call_command("ocpi_partner", "register", str(partner.pk), "--token", "their-token-a")
        partner.refresh_from_db()
        assert partner.state == "registered" and partner.party_id == "EMS"
        # The eMSP used our token B to read our versions before answering.
        assert emsp.cpo_token
        assert emsp.get(f"{server.url}/ocpi/versions").status_code == 200
        # Their token C is what we push with now.
        tariff = Tariff.objects.get(code="cpo1-default")
        tariff.service_fee = Decimal("12")
        tariff.save()
        push = emsp.pushes("tariffs")[-1]
        assert push.headers["Authorization"] == auth(next(iter(emsp.accepted)))["Authorization"]
        # Unregistering deletes our credentials there and forgets both tokens.
        call_command("ocpi_partner", "unregister", str(partner.pk))
        assert emsp.received[-1].method == "DELETE"
        assert emsp.get(f"{server.url}/ocpi/versions").status_code == 401
    finally:
        emsp.close()
