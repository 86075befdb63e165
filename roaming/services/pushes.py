"""Pushing Tariffs and Locations to partners' receiver interfaces (client-owned objects:
PUT {receiver}/{our country}/{our party}/{id}), on the one delivery
(cpo_portal.outbound.courier: claim, lease, attempts, backoff, sweep).

`enqueue` writes one pending Push per registered partner and object (a change made while
one waits joins it: a unique constraint, INSERT ... ON CONFLICT DO NOTHING). `send_due`
claims a partner's due rows, builds each object as it is now and sends it with the
partner's token: PUT while it is published, DELETE for a retired tariff, and a PATCH
`publish: false` for a station that is gone (Locations have no DELETE). A partner's 4xx or
OCPI 2xxx is final; a timeout, 5xx or 3xxx is tried again with backoff up to
MAX_ATTEMPTS. Every attempt is a PushAttempt row; each call is cut at OCPI_CALL_DEADLINE.
Sending the object as it is now makes a retry, a duplicate or an out-of-order delivery
harmless: each leaves the partner with the current object (and a retry behind a newer
pending row of its object is superseded by it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from cpo_portal.outbound import courier, senders, sweep, transport
from roaming.models import Module, Partner, PartnerState, Push, PushAttempt, PushState
from roaming.services import client, locations, parties, published_tariffs, tokens

from .envelope import timestamp

MAX_ATTEMPTS = 10
BACKOFF_BASE = 60.0  # seconds: the 2nd attempt comes 30 to 60 s after the 1st; doubling
BACKOFF_CAP = 3600.0
LEASE = 120.0  # seconds
BATCH = 20


class Pushes(senders.Sender):
    """An OCPI push: the object as it is now, with the partner's token, its envelope read."""

    model = Push
    attempt_model = PushAttempt
    row_field = "push"
    max_attempts = MAX_ATTEMPTS

    def __init__(self) -> None:
        self._partners: dict[int, Partner] = {}

    def options(self) -> senders.Options:
        call = client.options()
        return senders.Options(
            lease=LEASE,
            backoff_base=BACKOFF_BASE,
            backoff_cap=BACKOFF_CAP,
            **call,
        )

    def partner(self, push: Push) -> Partner:
        if push.partner_id not in self._partners:
            self._partners[push.partner_id] = Partner.objects.select_related("operator").get(
                pk=push.partner_id
            )
        return self._partners[push.partner_id]

    def target(self, push: Push) -> str | None:
        partner = self.partner(push)
        base = partner.endpoint(push.module)
        if partner.state != PartnerState.REGISTERED or not base:
            return None
        country, party = parties.country_code(), parties.party_id(partner.operator)
        return f"{base.rstrip('/')}/{country}/{party}/{push.object_id}"[:600]

    def unregistered(self, push: Push) -> str:
        return "not sent: the partner is not registered (or receives no such module)"

    def request(self, push: Push) -> senders.Request:
        partner = self.partner(push)
        method, payload = request_for(push, partner.operator_id)
        try:
            token = tokens.unseal(partner.outbound_token)
        except tokens.TokenError as exc:
            raise senders.NotReady(str(exc)) from exc
        route = parties.routing_headers(partner.operator, partner.country_code, partner.party_id)
        body, headers = client.prepare(token, payload, route)
        sent = "" if body is None else body.decode()
        return senders.Request(method, body, headers, extra={"body": sent})

    def judge(self, row: Push, response: transport.Response) -> tuple[str, str]:
        """(state, error); the error in our words (the partner's text is kept in the
        attempt's response excerpt only)."""
        answer = client.answer(response)
        if answer.ok:
            return PushState.DELIVERED, ""
        if _final(answer):
            return PushState.REJECTED, answer.summary()
        return PushState.PENDING, answer.summary()

    def answer_fields(self, response: transport.Response) -> dict[str, Any]:
        return {"ocpi_status": client.answer(response).status_code}


def _final(answer: client.Answer) -> bool:
    """The partner refused the object itself: sending it again will not help."""
    if 400 <= answer.http_status < 500 and answer.http_status not in (408, 429):
        return True
    return answer.status_code is not None and 2000 <= answer.status_code < 3000


class Courier(courier.Courier):
    def __init__(self) -> None:
        super().__init__(Pushes())


def enqueue_all(objects: Mapping[tuple[int, str], Iterable[str]]) -> list[int]:
    """Pending pushes of the objects, given by (operator, module), to every registered
    partner of their operator that receives the module: one read of the partners and one
    insert, whatever the number of objects. Returns the partner ids to send to, each once."""
    wanted = {key: sorted(set(ids)) for key, ids in objects.items()}
    wanted = {key: ids for key, ids in wanted.items() if ids}
    if not wanted:
        return []
    operators = {operator_id for operator_id, _module in wanted}
    partners = Partner.objects.filter(operator_id__in=operators, state=PartnerState.REGISTERED)
    now = timezone.now()
    rows: list[Push] = []
    for partner in partners:
        for (operator_id, module), ids in wanted.items():
            if operator_id == partner.operator_id and partner.endpoint(module):
                rows += [
                    Push(partner=partner, module=module, object_id=oid, next_attempt_at=now)
                    for oid in ids
                ]
    Push.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return sorted({row.partner_id for row in rows})


def _claim(partner_id: int) -> list[Push]:
    """Up to BATCH of the partner's due pushes, leased to this worker."""
    now = timezone.now()
    due = sweep.due(Pushes(), now).filter(partner_id=partner_id)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
    return courier.claim_many(Pushes(), ids, now)


def send_due(partner_id: int) -> int:
    """Send the partner's due pushes; returns how many were tried."""
    tried = 0
    sender = Courier()
    while batch := _claim(partner_id):
        try:
            sender.send_held(batch)
        finally:
            sender.record()
        tried += len(batch)
    return tried


def requeue_stuck() -> list[int]:
    """Rows whose sender died mid-send go back to pending; the partners with due rows."""
    now = timezone.now()
    sweep.release_stuck(Pushes(), now)
    due = sweep.due(Pushes(), now)
    return sorted(set(due.values_list("partner_id", flat=True)))


def request_for(push: Push, operator_id: int) -> tuple[str, dict[str, Any] | None]:
    """(method, body) that leaves the partner with the object as it is now."""
    if push.module == Module.TARIFFS:
        tariff = published_tariffs.find(operator_id, push.object_id)
        return ("PUT", published_tariffs.tariff_object(tariff)) if tariff else ("DELETE", None)
    station = locations.find(operator_id, push.object_id)
    if station is None:
        return "PATCH", {"publish": False, "last_updated": timestamp()}
    return "PUT", locations.objects([station])[0]
