"""Fire fuzz shots at the BPP in-process and sort the answers (bench/fuzz.py, tests/fuzz).

Every answer must be an ACK (HTTP 200) or a NACK whose error code is one of BECKN-005's
(or our two ONDC borrowings) with a 4xx status; anything else, and any 5xx, is counted
as a failure (its label starts with FAIL). An ACKed message is then processed the way a
worker would, and its on_<action> callback checked against the core schema: a crash or a
callback the BAP could not accept is a failure too. Replays check the duplicate rules: the
same request again is ACKed without a second row; an old message_id with a new body is
refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from tests.support.fuzz.cases import ORDER, Shot, World

FAIL = "FAIL"


@dataclass
class Keys:
    bap_key_id: str
    bap_private: str
    other_bap_id: str
    other_key_id: str
    other_private: str


@dataclass
class Sent:
    action: str
    raw: bytes
    header: str
    message_id: str
    version: str = "1.1"


@dataclass
class Target:
    """The BPP behind a django.test.Client, and what the fuzzer learnt while firing."""

    client: Any
    world: World
    keys: Keys
    process: bool = True
    seed: int = 0
    tally: Counter = field(default_factory=Counter)  # answers
    processed: Counter = field(default_factory=Counter)  # callbacks of the ACKed messages
    failures: list[tuple[str, Shot, str]] = field(default_factory=list)
    acked: list[Sent] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    last_inbound: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # -- firing --------------------------------------------------------------------------

    def fire(self, shot: Shot) -> str:
        sent = self._prepare(shot)
        before = self._rows(sent.message_id) if shot.replay else None
        base = "/beckn/v2" if shot.version == "2.0" else "/beckn"
        response = self.client.post(
            f"{base}/{sent.action}",
            data=sent.raw,
            content_type="application/json",
            **({"HTTP_AUTHORIZATION": sent.header} if sent.header else {}),
        )
        outcome, _ = judge(response) if shot.version != "2.0" else judge_v2(response)
        if shot.replay:
            outcome = self._check_replay(shot, sent, outcome, before)
        self._count(outcome, shot, response.content[:300].decode("utf-8", "replace"))
        if outcome.startswith("ACK") and not shot.replay:
            self.acked.append(sent)
        if self.process:
            self._process_new(shot)
        return outcome

    def _acked(self, version: str) -> list[Sent]:
        return [sent for sent in self.acked if sent.version == version]

    def _prepare(self, shot: Shot) -> Sent:
        acked = self._acked(shot.version)
        if shot.replay == "same" and acked:
            earlier = self.rng.choice(acked)
            return Sent(
                earlier.action, earlier.raw, earlier.header, earlier.message_id, shot.version
            )
        raw = shot.raw
        if ORDER.encode() in raw:
            unknown = (
                str(uuid.UUID(int=self.rng.getrandbits(128)))
                if shot.version == "2.0"
                else "ord-unknown"
            )
            order_id = self.rng.choice(self.order_ids) if self.order_ids else unknown
            raw = raw.replace(ORDER.encode(), order_id.encode())
        message_id = shot.message_id or ""
        if shot.replay == "reuse-id" and acked and message_id:
            old = self.rng.choice(acked).message_id
            raw = raw.replace(message_id.encode(), old.encode())
            message_id = old
        return Sent(shot.action, raw, self._sign(raw, shot.signing), message_id, shot.version)

    def _sign(self, raw: bytes, how: str) -> str:
        from beckn.protocol.signing import generate_keypair, sign_request

        world, keys = self.world, self.keys
        if how == "none":
            return ""
        if how == "garbage":
            return 'Signature keyId="x|y|ed25519",signature="%%%"'
        subscriber, key_id, private = world.bap_id, keys.bap_key_id, keys.bap_private
        created: int | None = None
        expires: int | None = None
        if how == "other-key":
            private = generate_keypair()[0]
        elif how == "other-bap":
            subscriber, key_id, private = keys.other_bap_id, keys.other_key_id, keys.other_private
        elif how == "expired":
            now = int(dt.datetime.now(dt.UTC).timestamp())
            created, expires = now - 7200, now - 3600
        return sign_request(
            raw,
            subscriber_id=subscriber,
            key_id=key_id,
            private_key_b64=private,
            created=created,
            expires=expires,
        )

    # -- checks ---------------------------------------------------------------------------

    def _rows(self, message_id: str) -> int:
        from beckn.models import InboundMessage

        return InboundMessage.objects.filter(
            bap_id=self.world.bap_id, message_id=message_id
        ).count()

    def _check_replay(self, shot: Shot, sent: Sent, outcome: str, before: int | None) -> str:
        after = self._rows(sent.message_id)
        acked = self._acked(shot.version)
        if shot.replay == "same" and acked:
            if after != before:
                return f"{FAIL} replay stored twice ({outcome}, rows {before} -> {after})"
            if outcome.endswith(" 30022"):  # the original's ttl ran out meanwhile
                return "replay after its ttl: NACK 30022, no second row"
            if not outcome.startswith("ACK"):
                return f"{FAIL} replay not answered as a duplicate ({outcome}, rows {after})"
            return "replay: ACK, no second row"
        if shot.replay == "reuse-id" and acked and sent.message_id != shot.message_id:
            if outcome.startswith("ACK") or after != before:
                return f"{FAIL} reused message_id accepted ({outcome}, rows {after})"
            return f"reused message_id: {outcome}"
        return outcome

    def _count(self, outcome: str, shot: Shot, detail: str, tally: Counter | None = None) -> None:
        (self.tally if tally is None else tally)[outcome] += 1
        if outcome.startswith(FAIL):
            self.failures.append((outcome, shot, detail))

    def _process_new(self, shot: Shot) -> None:
        """As many answers as messages were stored since the last shot, each what a worker
        runs (processing.answer_in_turn: the waiting message whose turn comes first)."""
        from beckn.models import InboundMessage
        from tests.support.beckn import answer_one

        fresh = list(
            InboundMessage.objects.filter(pk__gt=self.last_inbound)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for new in fresh:
            self.last_inbound = max(self.last_inbound, new)
            pk = answer_one()
            label = "processed: nothing to do" if pk is None else self._process_one(pk)
            self._count(label, shot, f"inbound {new if pk is None else pk}", self.processed)

    def _process_one(self, pk: int) -> str:
        from beckn.models import InboundMessage, Outbox
        from beckn.services import fastschema

        row = Outbox.objects.filter(inbound_id=pk).order_by("part", "pk").first()
        if row is None:  # answer_in_turn logged the crash and gave the message back
            error = InboundMessage.objects.filter(pk=pk).values_list("error", flat=True).first()
            return f"{FAIL} processing crashed: {(error or '')[:120]}"
        body = json.loads(row.payload)
        message = body.get("message") or {}
        if (body.get("context") or {}).get("version") == "2.0.0":
            issues = fastschema.issues_v2(body["context"]["action"], body)
            order_id = (message.get("contract") or {}).get("id")
            error = body.get("error")
            code = error.get("errorCode") if error else None
            label = f"callback {row.action} (2.0) " + (f"error {code}" if error else "ok")
        else:
            issues = fastschema.issues(row.action, body)
            order_id = (message.get("order") or {}).get("id")
            error = body.get("error")
            label = f"callback {row.action} " + (f"error {error['code']}" if error else "ok")
        if issues:
            return f"{FAIL} {row.action} breaks its version's schema: {issues[0].path}"
        if row.action == "on_confirm" and isinstance(order_id, str) and not error:
            self.order_ids.append(order_id)
        return label


def _answer(response) -> tuple[int, Any, str]:
    """The status and parsed body of an answer, or why it is no Beckn answer at all."""
    status = response.status_code
    if status >= 500:
        return status, None, f"{FAIL} HTTP {status}"
    try:
        return status, json.loads(response.content), ""
    except ValueError:
        return status, None, f"{FAIL} HTTP {status}, not JSON"


def judge(response) -> tuple[str, dict | None]:
    """ACK, NACK <status> <code>, or FAIL <why>."""
    from beckn.protocol.errors import ALL_ERRORS

    status, body, failed = _answer(response)
    if failed:
        return failed, None
    ack = body.get("message", {}).get("ack", {}) if isinstance(body, dict) else {}
    state = ack.get("status") if isinstance(ack, dict) else None
    if state == "ACK" and status == 200 and "error" not in body:
        return "ACK", body
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if state == "NACK" and code in {e.code for e in ALL_ERRORS} and 400 <= status < 500:
        return f"NACK {status} {code}", body
    return f"{FAIL} HTTP {status}, not a Beckn ACK/NACK", body


def judge_v2(response) -> tuple[str, dict | None]:
    """A 2.0 answer: ACK (a counter-signed Ack, HTTP 200) or NACK <status> <errorCode>
    (a BECKN-005 code, 4xx), each valid against 2.0's Ack schema; else FAIL <why>."""
    from beckn.protocol.errors import ALL_ERRORS
    from beckn.protocol.v2 import schema as v2_schema

    status, body, failed = _answer(response)
    if failed:
        return failed, None
    if not isinstance(body, dict) or v2_schema.ack_issues(body):
        return f"{FAIL} HTTP {status}, not a 2.0 Ack", None
    if body.get("status") == "ACK" and status == 200:
        return "ACK (2.0)", body
    code = (body.get("error") or {}).get("errorCode")
    if body.get("status") == "NACK" and code in {e.code for e in ALL_ERRORS} and status < 500:
        return f"NACK (2.0) {status} {code}", body
    return f"{FAIL} HTTP {status}, not a Beckn 2.0 ACK/NACK", body


@contextlib.contextmanager
def quiet_queues() -> Iterator[list[int]]:
    """Nothing goes to a broker: processing is done in-process by the Target, deliveries
    are not attempted (the callbacks are checked where they are written)."""
    from beckn import tasks

    queued: list[int] = []
    with (
        mock.patch.object(tasks.process_inbound, "delay", queued.append),
        mock.patch.object(tasks.deliver, "delay", lambda pk: None),
    ):
        yield queued


def _table(title: str, tally: Counter) -> list[str]:
    lines = [f"{title:<64} {'count':>7}"]
    for label, count in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {label[:62]:<62} {count:>7}")
    return lines


def report(target: Target, seconds: float, families: Counter | None = None) -> str:
    total = sum(target.tally.values())
    lines = _table("answers by outcome", target.tally)
    lines += _table("callbacks of the ACKed messages", target.processed)
    if families:
        lines += _table("requests by family", families)
    five = sum(n for k, n in target.tally.items() if k.startswith(f"{FAIL} HTTP 5"))
    lines += [
        "",
        f"{total} requests in {seconds:.1f}s ({total / max(seconds, 1e-9):.0f}/s); "
        f"{len(target.failures)} failures; 5xx answers: {five}",
    ]
    return "\n".join(lines)
