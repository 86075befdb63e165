"""A Catalog Discovery Service's answers to our publishes (Beckn 2.0
`/catalog/on_publish`): verified against its registry entry, matched to the publish they
answer (services.cds), each catalog's result recorded, each rejection with its reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from beckn import conf
from beckn.models import CatalogPublish, PublishStatus, SubscriberType
from beckn.protocol import errors
from beckn.protocol.signing import SignatureError
from beckn.services import registry
from beckn.services.answers import Answer, Refusal, parsed, said_message_id

ON_PUBLISH = "catalog/on_publish"


def _nack(status: int, error: errors.BecknError, message: str) -> Answer:
    return Answer(status, errors.nack(error, message))


class NotACds(Exception):
    """The body is signed, but not by a registered Catalog Discovery Service."""


def _verified_cds(raw: bytes, headers: Mapping[str, str], now: datetime) -> str | None:
    """The CDS that signed the body (a registered subscriber of type CDS); None when
    signatures are not checked (development only). SignatureError, NotACds."""
    if not conf.get("BECKN_VERIFY_SIGNATURES"):
        return None
    entry = registry.signer_of(raw, headers.get("Authorization", ""), now)
    if entry.type != SubscriberType.CDS:
        raise NotACds(f"{entry.subscriber_id} is not a registered CDS")
    return entry.subscriber_id


def _reasons(result: Mapping[str, Any]) -> str:
    given = result.get("errors")
    said = []
    for error in given if isinstance(given, list) else []:
        if isinstance(error, dict):
            code = error.get("errorCode") or error.get("code") or ""
            text = error.get("errorMessage") or error.get("message") or ""
            said.append(f"{code} {text}".strip())
    return "; ".join(said) or "no reason given"


def record_results(publish_row: CatalogPublish, results: list[Any], now: datetime) -> None:
    """The CDS's per-catalog results on the publish they answer: its status (accepted,
    partly, rejected) and each rejected or partial catalog with its reasons."""
    statuses, rejections = [], []
    for result in results:
        if not isinstance(result, dict):
            continue
        status = str(result.get("status", "")).upper()
        statuses.append(status)
        if status in {"REJECTED", "PARTIAL"}:
            what = "rejected" if status == "REJECTED" else "partly accepted"
            rejections.append(f"{result.get('catalogId', '?')} {what}: {_reasons(result)}")
    if statuses and all(s == "ACCEPTED" for s in statuses):
        overall = PublishStatus.ACCEPTED
    elif statuses and all(s == "REJECTED" for s in statuses):
        overall = PublishStatus.REJECTED
    else:
        overall = PublishStatus.PARTIAL
    publish_row.status = overall
    publish_row.results = results
    publish_row.rejections = "\n".join(rejections)
    publish_row.answered_at = now
    publish_row.save(update_fields=["status", "results", "rejections", "answered_at"])


def receive_on_publish(raw: bytes, headers: Mapping[str, str], now: datetime) -> Answer:
    """A CDS's `/catalog/on_publish`: verified, matched to our publish by its message id
    (from the CDS it was sent to), recorded. Anything wrong is a NACK with its reason."""
    try:
        cds_id = _verified_cds(raw, headers, now)
    except (SignatureError, NotACds) as exc:
        return _nack(401, errors.INVALID_SIGNATURE, f"signature refused: {exc}")
    try:
        body = parsed(raw)
    except Refusal as refusal:
        return refusal.answer
    answer = _recorded(body, cds_id, now)
    return replace(answer, message_id=said_message_id(body.get("context")))


def _recorded(body: dict[str, Any], cds_id: str | None, now: datetime) -> Answer:
    context = body.get("context")
    message = body.get("message")
    results = message.get("results") if isinstance(message, dict) else None
    if not isinstance(context, dict) or not isinstance(results, list):
        return _nack(400, errors.INVALID_REQUEST, "context and message.results are required")
    if context.get("action") not in (ON_PUBLISH, "on_catalog_publish"):
        return _nack(400, errors.INVALID_REQUEST, f"action must be {ON_PUBLISH!r}")
    found = CatalogPublish.objects.filter(message_id=str(context.get("messageId", "")))
    if cds_id is not None:
        found = found.filter(cds_id=cds_id)
    publish_row = found.first()
    if publish_row is None:
        message = "no catalog publish of ours has this messageId"
        return _nack(404, errors.INVALID_REQUEST, message)
    record_results(publish_row, results, now)
    return Answer(200, errors.ack())
