"""The credentials module, both directions (credentials.asciidoc).

A partner registers with us: staff add the partner and hand over a registration token
(`issue_registration_token`, token A) and our versions URL; the partner POSTs its token
and versions URL (`register_partner`), we fetch its endpoints with its token and answer
with a fresh token (C) that replaces A. PUT updates (`register_partner(update=True)`),
DELETE unregisters (`unregister_partner`).

We register with a partner: staff enter its versions URL and the token it gave us (A);
`register_with` fetches its endpoints, POSTs our credentials with a fresh token (B) and
keeps the token it answers with (C). `unregister_from` DELETEs our credentials there;
when the partner cannot be told (unreachable, or gone), `unregister_here` ends the
registration on our side only.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from roaming.models import Partner, PartnerRole, PartnerState

from . import client, parties, tokens
from .envelope import (
    CLIENT_ERROR,
    INVALID_PARAMETERS,
    NO_MATCHING_ENDPOINTS,
    UNABLE_TO_USE_CLIENT_API,
    UNSUPPORTED_VERSION,
    OcpiProblem,
)

PARTY_ID = re.compile(parties.PARTY_ID)  # one any CDR of the partner's can name
COUNTRY_CODE = re.compile(parties.COUNTRY_CODE)


class RegistrationError(Exception):
    """Registering with a partner failed; the message says where."""


class PartnerNotTold(RegistrationError):
    """Our DELETE at the partner failed (no connection, no answer in time, or a refusal):
    the registration stands on both sides."""


def takes_registration_token(partner: Partner) -> bool:
    """Whether a new token A may be issued to the partner: not while it is registered."""
    return partner.state != PartnerState.REGISTERED


def issue_registration_token(partner: Partner) -> str:
    """A new token A for the partner to register with; shown once, kept as a hash.

    Refused (RegistrationError) while the partner is registered: A replaces the token it
    works with (its C, or our B), and A opens only the credentials module, so the
    partner's Tariffs, Locations and CDRs would stop. Unregister first; the row is
    locked, so a registration that lands meanwhile is refused the same way."""
    with transaction.atomic():
        current = Partner.objects.select_for_update().get(pk=partner.pk)
        if not takes_registration_token(current):
            raise RegistrationError(
                "it is registered, and a registration token would replace the token it works "
                "with; unregister it first, then issue a new registration token"
            )
        token = tokens.new_token()
        partner.inbound_token_hash = tokens.digest(token)
        partner.inbound_token_final = False
        partner.save(update_fields=["inbound_token_hash", "inbound_token_final", "updated_at"])
    return token


def unknown_token() -> OcpiProblem:
    """The answer to a token no partner holds, or no longer (transport_and_format: "the
    server SHALL respond with an HTTP 401")."""
    return OcpiProblem(CLIENT_ERROR, "Unknown or missing credentials token.", http_status=401)


def _check_registered(partner: Partner, registered: bool, method: str) -> None:
    """credentials.asciidoc: POST when registered, PUT or DELETE when not, "MUST return
    a HTTP status code 405"."""
    if (partner.state == PartnerState.REGISTERED) != registered:
        how = {"POST": ": use PUT", "PUT": ": use POST"}.get(method, "")
        word = (
            "already registered" if partner.state == PartnerState.REGISTERED else "not registered"
        )
        raise OcpiProblem(CLIENT_ERROR, f"You are {word}{how}.", http_status=405)


def partner_for(authorization: str) -> Partner | None:
    """The partner a request's Authorization header names (one query), or None."""
    found = tokens.candidates(authorization)
    if not found:
        return None
    hashes = [tokens.digest(t) for t in found]
    return (
        Partner.objects.select_related("operator")
        .filter(inbound_token_hash__in=hashes)
        .exclude(state=PartnerState.UNREGISTERED)
        .first()
    )


# -- reading the other side's objects ------------------------------------------------------


def read_credentials(data: Any) -> dict[str, Any]:
    """A Credentials object, checked; OcpiProblem 2001 naming what is wrong."""
    if not isinstance(data, dict):
        raise OcpiProblem(INVALID_PARAMETERS, "expected a Credentials object")
    if not tokens.valid_token(data.get("token")):
        raise OcpiProblem(INVALID_PARAMETERS, "token: 1 to 64 printable ASCII characters")
    if not isinstance(data.get("url"), str) or not data["url"].startswith(("http://", "https://")):
        raise OcpiProblem(INVALID_PARAMETERS, "url: the URL of your versions endpoint")
    most = cast(int, Partner._meta.get_field("versions_url").max_length)  # the column's
    if len(data["url"]) > most:
        raise OcpiProblem(INVALID_PARAMETERS, f"url: at most {most} characters")
    roles = data.get("roles")
    if not isinstance(roles, list) or not roles:
        raise OcpiProblem(INVALID_PARAMETERS, "roles: at least one CredentialsRole")
    for i, role in enumerate(roles):
        ok = (
            isinstance(role, dict)
            and role.get("role") in PartnerRole.values
            and isinstance(role.get("party_id"), str)
            and PARTY_ID.fullmatch(role["party_id"]) is not None
            and isinstance(role.get("country_code"), str)
            and COUNTRY_CODE.fullmatch(role["country_code"]) is not None
        )
        if not ok:
            raise OcpiProblem(
                INVALID_PARAMETERS,
                f"roles[{i}]: role, party_id (3 letters or digits) and country_code (2 letters)",
            )
    return data


def _main_role(partner: Partner, roles: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The role we deal with: the one staff chose when they added the partner (an eMSP by
    default; a CPO, the operator's own charging system, may push CDRs). A partner's
    credentials never widen it: None when they name no such role (the caller refuses)."""
    return next((r for r in roles if r["role"] == partner.role), None)


def fetch_endpoints(versions_url: str, token: str) -> tuple[str, list[dict[str, Any]]]:
    """Their 2.2.1 version details: (version, endpoints). Raises OcpiProblem 3001/3002."""
    try:
        versions = client.get_data(versions_url, token)
        if not isinstance(versions, list):
            raise client.PartnerCallError("the versions endpoint answered no list")
        url = next(
            (v.get("url") for v in versions
             if isinstance(v, dict) and v.get("version") == parties.VERSION),
            None,
        )  # fmt: skip
        if not isinstance(url, str):
            raise OcpiProblem(UNSUPPORTED_VERSION, f"no OCPI {parties.VERSION} in {versions_url}")
        details = client.get_data(url, token)
    except client.PartnerCallError as exc:
        raise OcpiProblem(UNABLE_TO_USE_CLIENT_API, f"cannot use your API: {exc}") from exc
    endpoints = details.get("endpoints") if isinstance(details, dict) else None
    if not isinstance(endpoints, list):
        raise OcpiProblem(UNABLE_TO_USE_CLIENT_API, f"{url}: no endpoints in the version details")
    kept = [
        {"identifier": str(e["identifier"]), "role": str(e.get("role", "")), "url": str(e["url"])}
        for e in endpoints
        if isinstance(e, dict) and e.get("identifier") and isinstance(e.get("url"), str)
    ]
    return parties.VERSION, kept


def _store(
    partner: Partner, their: dict[str, Any], role: dict[str, Any], endpoints: list[dict[str, Any]]
) -> None:
    partner.outbound_token = tokens.seal(their["token"])
    partner.versions_url = their["url"]
    partner.version = parties.VERSION
    partner.endpoints = endpoints
    partner.role = role["role"]
    partner.country_code = role["country_code"].upper()
    partner.party_id = role["party_id"].upper()
    details = role.get("business_details")
    if isinstance(details, dict) and isinstance(details.get("name"), str):
        partner.business_name = details["name"][:100]
    partner.state = PartnerState.REGISTERED
    partner.registered_at = timezone.now()


# -- a partner registers with us -----------------------------------------------------------


def register_partner(partner: Partner, data: Any, *, update: bool) -> dict[str, Any]:
    """POST (update False) or PUT (True) on our credentials endpoint: our Credentials
    object with the partner's new token. OcpiProblem on any refusal."""
    method = "PUT" if update else "POST"
    _check_registered(partner, update, method)
    their = read_credentials(data)
    role = _main_role(partner, their["roles"])
    if role is None:
        raise OcpiProblem(
            INVALID_PARAMETERS,
            f"roles: {partner.operator} registered you as {partner.role}, and your "
            f"credentials name no {partner.role} role; ask them to change it",
        )
    _version, endpoints = fetch_endpoints(their["url"], their["token"])
    if not endpoints:
        raise OcpiProblem(NO_MATCHING_ENDPOINTS, "your version details list no endpoints")
    token = tokens.new_token()
    try:
        with transaction.atomic():
            current = Partner.objects.select_for_update().get(pk=partner.pk)
            # Another request changed the registration while we read the partner's API:
            # answered as if it came after that one (no HTTP 409 in OCPI)
            if current.inbound_token_hash != partner.inbound_token_hash:
                raise unknown_token()  # the token presented was replaced or forgotten
            _check_registered(current, update, method)
            _store(current, their, role, endpoints)
            current.inbound_token_hash = tokens.digest(token)
            current.inbound_token_final = True
            current.save()
    except IntegrityError:
        raise OcpiProblem(
            CLIENT_ERROR, "This party is already registered with this operator."
        ) from None
    return parties.credentials(partner.operator, token)


def unregister_partner(partner: Partner) -> None:
    """DELETE on our credentials endpoint: both tokens forgotten, no more pushes."""
    _check_registered(partner, True, "DELETE")
    held = Partner.objects.filter(
        pk=partner.pk, state=PartnerState.REGISTERED, inbound_token_hash=partner.inbound_token_hash
    )
    if not _forget_tokens(held):  # another request changed it meanwhile: as if after it
        raise unknown_token()


def _forget_tokens(rows: QuerySet[Partner]) -> int:
    """The partners `rows` unregistered, both tokens and the endpoints forgotten (no more
    pushes); how many there were."""
    return rows.update(
        state=PartnerState.UNREGISTERED,
        inbound_token_hash=None,
        outbound_token="",
        endpoints=[],
        updated_at=timezone.now(),
    )


# -- we register with a partner ------------------------------------------------------------


def set_their_token(partner: Partner, token: str) -> None:
    """The token the partner gave us out of band (their A), sealed at once."""
    if not tokens.valid_token(token):
        raise RegistrationError("a token is 1 to 64 printable ASCII characters")
    partner.outbound_token = tokens.seal(token)


def register_with(partner: Partner) -> Partner:
    """Register with the partner (POST), or update the registration (PUT) when we are
    registered already. Raises RegistrationError."""
    if not partner.versions_url or not partner.outbound_token:
        raise RegistrationError("give the partner's versions URL and the token it gave us")
    their_token = tokens.unseal(partner.outbound_token)
    try:
        _version, endpoints = fetch_endpoints(partner.versions_url, their_token)
    except OcpiProblem as exc:
        raise RegistrationError(exc.message) from exc
    url = Partner(endpoints=endpoints).endpoint("credentials", role=None)
    if url is None:
        raise RegistrationError("the partner lists no credentials endpoint")
    method = "PUT" if partner.state == PartnerState.REGISTERED else "POST"
    previous = (partner.inbound_token_hash, partner.inbound_token_final)
    ours = tokens.new_token()
    # The partner calls our versions endpoint with this token before it answers.
    Partner.objects.filter(pk=partner.pk).update(
        inbound_token_hash=tokens.digest(ours), inbound_token_final=True
    )
    try:
        answer = client.call(method, url, their_token, parties.credentials(partner.operator, ours))
        if not answer.ok:
            raise RegistrationError(f"{method} {url}: {answer.summary()}")
        their = read_credentials(answer.data)
        role = _main_role(partner, their["roles"])
        if role is None:
            raise RegistrationError(
                f"its credentials name no {partner.role} role, the role it has here: "
                "change its role, or ask the partner to add that role"
            )
        partner.refresh_from_db()
        _store(partner, their, role, endpoints)
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction goes on
                partner.save()
        except IntegrityError:
            raise RegistrationError(
                f"its credentials name {partner.country_code}*{partner.party_id} "
                f"({partner.role}), a party already registered with this operator"
            ) from None
    except (client.PartnerCallError, OcpiProblem, RegistrationError) as exc:
        Partner.objects.filter(pk=partner.pk).update(
            inbound_token_hash=previous[0], inbound_token_final=previous[1]
        )
        partner.refresh_from_db()  # as it was: nothing of the answer kept
        raise RegistrationError(str(exc)) from exc
    return partner


def unregister_from(partner: Partner) -> None:
    """DELETE our credentials at the partner, then forget both tokens here. PartnerNotTold
    when the DELETE fails: nothing changes here (`unregister_here` ends it here only)."""
    if partner.state != PartnerState.REGISTERED:
        raise RegistrationError("not registered with this partner")
    url = partner.endpoint("credentials", role=None)
    why = "it lists no credentials endpoint"
    if url:
        try:
            answer = client.call("DELETE", url, tokens.unseal(partner.outbound_token))
        except (client.PartnerCallError, tokens.TokenError) as exc:
            why = str(exc)
        else:
            why = "" if answer.ok else f"DELETE {url}: {answer.summary()}"
    if why:
        raise PartnerNotTold(f"the partner could not be told ({why}); it is still registered")
    _forget_tokens(Partner.objects.filter(pk=partner.pk))


def unregister_here(partner: Partner) -> None:
    """End the registration on our side only, the partner not told (its server cannot be
    reached, or is gone): as its own DELETE does (`unregister_partner`), both tokens and its
    endpoints are forgotten, so its token gets 401 at once and pushes stop."""
    if partner.state != PartnerState.REGISTERED:
        raise RegistrationError("not registered with this partner")
    try:
        unregister_partner(partner)
    except OcpiProblem:  # another request changed the registration meanwhile
        raise RegistrationError("its registration changed meanwhile; look again") from None
