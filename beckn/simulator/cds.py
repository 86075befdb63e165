"""A stand-in Catalog Discovery Service for development (`manage.py cds_standin`, which
`make run` starts) and the tests: a threaded http.server on loopback that

- takes `POST /catalog/publish`: checks the BPP's signature (when it has a key lookup),
  answers ACK at once (NACK when the body is not a catalog publish at all);
- then checks each catalog against the Beckn 2.0.0 schema and calls the BPP back on
  `<bppUri>/catalog/on_publish`, signed with its own key: ACCEPTED with its counts, or
  REJECTED with each schema issue as the reason.

It indexes nothing and answers no discover: it is there so a publish can be seen to go
out, be judged and come back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from beckn.protocol.signing import SignatureError, sign_request, verify_request
from beckn.protocol.timefmt import format_timestamp
from beckn.simulator.loopback import LoopbackServer, Reply
from cpo_portal.outbound import transport
from cpo_portal.web import jsonlimits

KeyLookup = Callable[[str, str], str | None]
Validate = Callable[[dict[str, Any]], list[str]]
ACK = {"status": "ACK"}
ANSWER_MAX_BYTES = 1_000_000  # a BPP's Ack to the results


def no_check(body: dict[str, Any]) -> list[str]:
    return []


def _catalog_issues(validate: Validate, context: dict[str, Any], catalog: Any) -> list[str]:
    """The schema's issues with one catalog, judged as a publish of it alone."""
    return validate({"context": context, "message": {"catalogs": [catalog]}})


def results_for(body: dict[str, Any], validate: Validate) -> list[dict[str, Any]]:
    """One CatalogProcessingResult per catalog published."""
    context = body.get("context") or {}
    out: list[dict[str, Any]] = []
    for index, catalog in enumerate(body["message"]["catalogs"]):
        catalog_id = str(catalog.get("id", f"#{index}")) if isinstance(catalog, dict) else "?"
        issues = _catalog_issues(validate, context, catalog)
        if issues:
            errors = [{"errorCode": "40001", "errorMessage": text} for text in issues[:20]]
            out.append({"catalogId": catalog_id, "status": "REJECTED", "errors": errors})
            continue
        resources = catalog.get("resources") or []
        offers = catalog.get("offers") or []
        stats = {"itemCount": len(resources) + len(offers), "providerCount": 1}
        out.append({"catalogId": catalog_id, "status": "ACCEPTED", "stats": stats})
    return out


@dataclass
class StandInCds(LoopbackServer):
    """`private_key` (base64 ed25519 seed) signs its callbacks as `subscriber_id` /
    `key_id`; `lookup` finds the BPP's public key (None: publishes are not checked)."""

    subscriber_id: str
    key_id: str
    private_key: str
    lookup: KeyLookup | None = None
    validate: Validate = no_check
    answered: list[dict[str, Any]] = field(default_factory=list)  # on_publish bodies sent
    max_body: ClassVar[int] = 50_000_000

    def answer(self, path: str, raw: bytes, headers: dict[str, str]) -> Reply:
        status, answer, body = self.take(path, raw, headers)
        if body is None:
            return Reply(status, answer)
        # answered; the results follow, as a CDS's would
        return Reply(status, answer, then=lambda: self.call_back(body))

    def take(
        self, path: str, raw: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, Any] | None]:
        """(status, answer, the publish to call back on or None)."""
        if path.rstrip("/") != "/catalog/publish":
            return 404, _nack("this CDS has only /catalog/publish"), None
        if self.lookup is not None:
            try:
                verify_request(raw, headers.get("Authorization", ""), lookup=self.lookup,
                               now=int(datetime.now(UTC).timestamp()))  # fmt: skip
            except SignatureError as exc:
                return 401, _nack(f"signature refused: {exc}"), None
        try:
            body = jsonlimits.loads(raw, max_bytes=self.max_body)
        except ValueError as exc:  # not JSON, or past the bounded parser's limits
            return 400, _nack(f"body is not JSON within limits: {exc}"), None
        try:
            catalogs = body["message"]["catalogs"]
            body["context"]["bppUri"]
        except (ValueError, KeyError, TypeError):
            return 400, _nack("not a catalog publish: context.bppUri and message.catalogs"), None
        if not isinstance(catalogs, list) or not catalogs:
            return 400, _nack("message.catalogs must list at least one catalog"), None
        return 200, ACK, body

    def on_publish_body(self, body: dict[str, Any]) -> dict[str, Any]:
        context = body["context"]
        reply = {
            "domain": context.get("domain"),
            "action": "catalog/on_publish",
            "version": context.get("version", "2.0.0"),
            "bppId": context.get("bppId"),
            "bppUri": context["bppUri"],
            "transactionId": context.get("transactionId"),
            "messageId": context.get("messageId"),
            "timestamp": format_timestamp(datetime.now(UTC)),
        }
        return {"context": reply, "message": {"results": results_for(body, self.validate)}}

    def call_back(self, body: dict[str, Any]) -> None:
        """POST the results, signed, to <bppUri>/catalog/on_publish (loopback in
        development; whatever the BPP answers is kept with what was sent)."""
        answer = self.on_publish_body(body)
        raw = json.dumps(answer, separators=(",", ":")).encode()
        header = sign_request(
            raw, subscriber_id=self.subscriber_id, key_id=self.key_id,
            private_key_b64=self.private_key,
        )  # fmt: skip
        url = body["context"]["bppUri"].rstrip("/") + "/catalog/on_publish"
        try:
            response = transport.request(
                "POST",
                url,
                body=raw,
                headers={"Content-Type": "application/json", "Authorization": header},
                allow_private=True,  # the BPP in development: this machine
                deadline=10,
                connect_timeout=10,
                read_timeout=10,
                max_bytes=ANSWER_MAX_BYTES,
            )
            status = response.status
        except transport.FAILURES as exc:
            status = 0
            answer = {**answer, "error": transport.reason(exc)}
        with self.changed:
            self.answered.append({**answer, "bpp_status": status})
            self.changed.notify_all()


def _nack(message: str) -> dict[str, Any]:
    return {"status": "NACK", "error": {"errorCode": "40000", "errorMessage": message}}
