"""The CDRs receiver: a partner (the operator's own charging system) pushes a CDR, reads it
back at the URL we answered with; a refused CDR gets an OCPI error that says why; a CDR
pushed again is the same CDR; one operator's partner never reads another's CDRs; a partner
pushes only CDRs that name its own party."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from analytics.models import NoOfferSession
from roaming.models import ReceivedCdr
from tests.roaming.cdr_data import EXACT, cdr, digits, dumps, exact_cdr
from tests.roaming.conftest import network, registered_partner
from tests.roaming.emsp import auth

pytestmark = pytest.mark.django_db

CDRS = "/ocpi/2.2.1/cdrs"


CSMS = {"party": ("IN", "CPO"), "role": "CPO"}  # the operator's charging system


@pytest.fixture
def partner(ocpi):
    return registered_partner(network(stations=2), **CSMS)


def push(client, token, body):
    return client.post(CDRS, dumps(body), content_type="application/json", headers=auth(token))


def test_a_pushed_cdr_is_taken_and_read_back_at_its_location(client, partner):
    row, token = partner
    sent = cdr("C1", "cpo1-st-000", "cpo1-ch-000", kwh="12.345", excl="232.21", incl="274.01")
    reply = push(client, token, sent)
    assert reply.status_code == 201 and reply.json()["status_code"] == 1000
    stored = ReceivedCdr.objects.get()
    assert (stored.source, stored.partner_id) == ("push", row.pk)
    location = reply.headers["Location"]
    assert location == f"http://testserver/ocpi/2.2.1/cdrs/{stored.pk}"
    got = client.get(location, headers=auth(token)).json()
    assert got["status_code"] == 1000
    assert got["data"]["id"] == "C1" and got["data"]["total_energy"] == 12.345
    assert got["data"]["total_cost"] == {"excl_vat": 232.21, "incl_vat": 274.01}
    assert NoOfferSession.objects.get().energy_kwh == stored.energy_kwh


def test_a_partner_reads_only_the_cdrs_it_pushed(client, partner):
    """Another partner of the same operator (an eMSP roaming there) finds neither the CSMS's
    CDR nor one imported from a file: the session's token uid and contract id are not its."""
    row, token = partner
    location = push(client, token, cdr("C1", "cpo1-st-000", "cpo1-ch-000")).headers["Location"]
    _emsp, emsp_token = registered_partner(row.operator)
    stored = ReceivedCdr.objects.get()
    imported = ReceivedCdr.objects.create(
        **{f.attname: getattr(stored, f.attname) for f in ReceivedCdr._meta.concrete_fields
           if f.attname not in ("id", "partner_id", "source", "cdr_id")},
        partner=None, source="file", cdr_id="F1",
    )  # fmt: skip
    for url in (location, f"{CDRS}/{imported.pk}"):
        refused = client.get(url, headers=auth(emsp_token))
        assert refused.status_code == 404 and refused.json()["status_code"] == 2000, url
    assert client.get(location, headers=auth(token)).json()["data"]["id"] == "C1"
    assert client.get(f"{CDRS}/{imported.pk}", headers=auth(token)).status_code == 404


def test_a_cdr_pushed_again_answers_the_same_location(client, partner):
    """OCPI 2.2.1 status_codes: a server receiving a valid OCPI object SHOULD answer HTTP
    201 Created when the object is new to it, and 200 OK when it already had it."""
    _row, token = partner
    sent = cdr("C1", "cpo1-st-000", "cpo1-ch-000")
    first, again = push(client, token, sent), push(client, token, sent)
    assert first.status_code == 201 and first.json()["status_code"] == 1000
    assert again.status_code == 200 and again.json()["status_code"] == 1000
    assert first.headers["Location"] == again.headers["Location"]
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 1


def test_a_refused_cdr_gets_an_ocpi_error_that_says_why(client, partner):
    _row, token = partner
    sent = cdr("C1", "cpo1-st-009", "cpo1-ch-000")
    reply = push(client, token, sent)
    body = reply.json()
    assert reply.status_code == 200 and body["status_code"] == 2001  # reached OCPI: no HTTP error
    assert body["status_message"] == 'cdr_location.id "cpo1-st-009" is not one of our stations'
    broken = client.post(CDRS, "{not json", content_type="application/json",
                         headers=auth(token))  # fmt: skip
    assert broken.status_code == 400 and broken.json()["status_code"] == 2001
    assert not ReceivedCdr.objects.exists()


def test_a_partner_never_reads_or_writes_another_operators_cdrs(client, partner):
    _row, token = partner
    _other, other_token = registered_partner(network("cpo2.example", stations=1), **CSMS)
    push(client, token, cdr("C1", "cpo1-st-000", "cpo1-ch-000"))
    stored = ReceivedCdr.objects.get()
    hidden = client.get(f"{CDRS}/{stored.pk}", headers=auth(other_token))
    assert hidden.status_code == 404 and hidden.json()["status_code"] == 2000
    # the other operator's partner cannot file a CDR at our station
    refused = push(client, other_token, cdr("C2", "cpo1-st-000", "cpo1-ch-000"))
    assert refused.json()["status_code"] == 2001
    assert ReceivedCdr.objects.count() == 1


def test_without_a_token_nothing_is_taken(client, partner):
    reply = client.post(CDRS, dumps(cdr("C1", "cpo1-st-000", "cpo1-ch-000")),
                        content_type="application/json")  # fmt: skip
    assert reply.status_code == 401 and reply.json()["status_code"] == 2000
    assert not ReceivedCdr.objects.exists()


def test_the_version_details_list_the_cdrs_receiver(client, partner):
    _row, token = partner
    details = client.get("/ocpi/2.2.1", headers=auth(token)).json()["data"]["endpoints"]
    assert {"identifier": "cdrs", "role": "RECEIVER",
            "url": "http://testserver/ocpi/2.2.1/cdrs"} in details  # fmt: skip


def test_a_party_written_in_lower_case_is_the_same_party(client, partner):
    """country_code and party_id are OCPI CiStrings: "in"/"cpo" is IN*CPO (it was a 2001,
    "does not match '^[A-Z0-9]{3}$'"), stored upper-cased, so pushed again in upper case it
    is the same CDR."""
    _row, token = partner
    lower = push(client, token, cdr("C1", "cpo1-st-000", "cpo1-ch-000", party=("in", "cpo")))
    assert lower.status_code == 201 and lower.json()["status_code"] == 1000, lower.json()
    upper = push(client, token, cdr("C1", "cpo1-st-000", "cpo1-ch-000"))
    assert upper.headers["Location"] == lower.headers["Location"]
    row = ReceivedCdr.objects.get()
    assert (row.country_code, row.party_id) == ("IN", "CPO")


@pytest.mark.parametrize("party", [("NL", "EMS"), ("IN", "CPX"), ("DE", "CPO")])
def test_a_cdr_naming_another_party_than_the_pusher_is_refused(client, partner, party):
    """OCPI 2.2.1 mod_cdrs: a CDR's country_code and party_id are its sender's. The
    charging system registered as IN*CPO cannot file another party's CDR."""
    _row, token = partner
    reply = push(client, token, cdr("C1", "cpo1-st-000", "cpo1-ch-000", party=party))
    body = reply.json()
    assert reply.status_code == 200 and body["status_code"] == 2001
    assert body["status_message"] == (
        f"country_code/party_id {party[0]}*{party[1]} is not the sending partner's own "
        "(IN*CPO): a partner pushes only the CDRs it issued itself"
    )
    assert not ReceivedCdr.objects.exists() and not NoOfferSession.objects.exists()
    # the same CDR under the partner's own party is taken
    taken = push(client, token, cdr("C1", "cpo1-st-000", "cpo1-ch-000", party=("IN", "CPO")))
    assert taken.json()["status_code"] == 1000
    assert ReceivedCdr.objects.get().party_id == "CPO"


def test_another_partners_cdr_already_taken_is_not_answered_to_a_pusher_of_another_party(
    client, partner
):
    """A CDR that a file brought in (no partner) is not read back to a partner that names
    that party without being it: the party check comes first."""
    from roaming.services import cdr_intake

    row, token = partner
    cdr_intake.take(row.operator, [(1, cdr("C9", "cpo1-st-000", "cpo1-ch-000",
                                           party=("NL", "EMS")))])  # fmt: skip
    reply = push(client, token, cdr("C9", "cpo1-st-000", "cpo1-ch-000", party=("NL", "EMS")))
    assert reply.json()["status_code"] == 2001 and "Location" not in reply.headers
    assert ReceivedCdr.objects.count() == 1


def test_a_cdr_is_kept_and_read_back_with_the_partners_own_digits(client, partner):
    """The CDR as received is the partner's: its numbers are kept and answered digit for
    digit (they went through a float: 12.345678901234567, 232.21, 0.30000000000000004)."""
    _row, token = partner
    reply = client.post(CDRS, exact_cdr(), content_type="application/json", headers=auth(token))
    assert reply.json()["status_code"] == 1000, reply.json()
    stored = ReceivedCdr.objects.get()
    assert digits(stored.data) == EXACT
    got = client.get(reply.headers["Location"], headers=auth(token))
    assert got.status_code == 200
    answered = json.loads(got.content, parse_float=Decimal)
    assert answered["status_code"] == 1000
    assert digits(answered["data"]) == EXACT
    assert stored.energy_kwh == Decimal("12.346")  # what we count: to the Wh, half-up


# Every mark an OCPI id may hold (cpo_portal.db.values.OCPI_ID), in one id.
EVERY_MARK = "C-1._~!$&'()*+,;=:@z"


def test_a_cdr_whose_id_holds_every_allowed_mark_is_read_back(client, partner):
    _row, token = partner
    sent = cdr(EVERY_MARK, "cpo1-st-000", "cpo1-ch-000")
    sent["session_id"] = sent["authorization_reference"] = EVERY_MARK
    reply = push(client, token, sent)
    assert reply.json()["status_code"] == 1000, reply.json()
    got = client.get(reply.headers["Location"], headers=auth(token)).json()
    assert got["status_code"] == 1000
    assert (got["data"]["id"], got["data"]["session_id"]) == (EVERY_MARK, EVERY_MARK)
    assert ReceivedCdr.objects.get().cdr_id == EVERY_MARK
    again = push(client, token, sent)  # the same CDR: the same Location
    assert again.headers["Location"] == reply.headers["Location"]


def test_a_cdr_sent_again_with_its_id_in_another_case_is_the_same_cdr(client, partner):
    """OCPI's CDR.id is a CiString(39): "CDR-A1" and "cdr-a1" are one CDR of a party. It
    was stored twice, its session counted twice in the analytics; now the second push
    answers the first's Location, and a file naming it in both cases takes it once."""
    from roaming.services import cdr_intake

    row, token = partner
    first = push(client, token, cdr("CDR-A1", "cpo1-st-000", "cpo1-ch-000"))
    again = push(client, token, cdr("cdr-a1", "cpo1-st-000", "cpo1-ch-000"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["status_code"] == 1000
    assert again.headers["Location"] == first.headers["Location"]
    batch = [(1, cdr("Cdr-B2", "cpo1-st-001", "cpo1-ch-001")),
             (2, cdr("CDR-b2", "cpo1-st-001", "cpo1-ch-001")),
             (3, cdr("CDR-a1", "cpo1-st-000", "cpo1-ch-000"))]  # fmt: skip
    outcome = cdr_intake.take(row.operator, batch)
    assert [r.cdr_id for r in outcome.stored] == ["Cdr-B2"] and len(outcome.duplicates) == 2
    assert ReceivedCdr.objects.count() == NoOfferSession.objects.count() == 2
