"""Calls to a partner's OCPI endpoints: the token in the header, the envelope read back.

Partner URLs come from the partner (a versions URL typed in the admin, endpoints their
server lists), so every call goes through the one guarded outbound client
(cpo_portal.outbound): http(s) only, no credentials in the URL, the host resolved once and
only its public addresses connected to (every IPv6 form of a private IPv4 address refused
too), unless OCPI_ALLOW_PRIVATE_PARTNERS (development, tests) is on; no redirect followed;
the answer read up to MAX_RESPONSE_BYTES; and the whole call (connect, request, headers and
body) cut at OCPI_CALL_DEADLINE seconds. A failure is told in our own words (the status,
the reason), never with what the partner sent: the text of an answer stays in
`Answer.text` for the caller's record, not in an error message.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from cpo_portal.outbound import transport

from . import tokens

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 10
MAX_RESPONSE_BYTES = 4 * 1024 * 1024


class PartnerCallError(Exception):
    """The partner could not be reached, or did not answer as OCPI asks."""


@dataclass(frozen=True)
class Answer:
    http_status: int
    status_code: int | None  # OCPI status_code, None when the body is no envelope
    data: Any
    text: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return (
            200 <= self.http_status < 300
            and self.status_code is not None
            and (1000 <= self.status_code < 2000)
        )

    def summary(self) -> str:
        """What went wrong, without the partner's words: the HTTP and OCPI status."""
        return f"HTTP {self.http_status}, OCPI status {self.status_code}"


def prepare(
    token: str, payload: Any = None, extra: dict[str, str] | None = None
) -> tuple[bytes | None, dict[str, str]]:
    """The body (the payload as JSON, None without one) and the headers of a call with our
    token (and the routing headers given)."""
    headers = {
        "Authorization": tokens.header(token),
        "X-Request-ID": str(uuid.uuid4()),
        "X-Correlation-ID": str(uuid.uuid4()),
        **(extra or {}),
    }
    if payload is None:
        return None, headers
    body = json.dumps(payload, separators=(",", ":")).encode()
    return body, {**headers, "Content-Type": "application/json"}


def options() -> dict[str, Any]:
    """The guarded client's arguments for a call to a partner."""
    return {
        "allow_private": bool(settings.OCPI_ALLOW_PRIVATE_PARTNERS),
        "deadline": float(settings.OCPI_CALL_DEADLINE),
        "connect_timeout": CONNECT_TIMEOUT,
        "read_timeout": READ_TIMEOUT,
        "max_bytes": MAX_RESPONSE_BYTES,
    }


def call(
    method: str,
    url: str,
    token: str,
    payload: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request to a partner. Raises PartnerCallError when no HTTP answer came."""
    data, sent = prepare(token, payload, headers)
    started = time.monotonic()
    try:
        response = transport.request(method, url, body=data, headers=sent, **options())
    except transport.FAILURES as exc:
        raise PartnerCallError(f"{method} {url}: {transport.reason(exc)}") from exc
    return answer(response, int((time.monotonic() - started) * 1000))


def answer(response: transport.Response, duration_ms: int = 0) -> Answer:
    """A partner's answer, its OCPI envelope read (when it is one)."""
    text = response.body.decode("utf-8", "replace")
    code, content = None, None
    parsed = response.json_body()
    if isinstance(parsed, dict) and isinstance(parsed.get("status_code"), int):
        code, content = parsed["status_code"], parsed.get("data")
    return Answer(response.status, code, content, text, duration_ms)


def get_data(url: str, token: str) -> Any:
    """The `data` of a successful GET, or PartnerCallError saying (in our words) what came
    instead."""
    answer = call("GET", url, token)
    if not answer.ok:
        raise PartnerCallError(f"GET {url}: {answer.summary()}")
    return answer.data
