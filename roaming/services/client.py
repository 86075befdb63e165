"""Calls to a partner's OCPI endpoints: the token in the header, the envelope read back.

Partner URLs come from the partner (a versions URL typed in the admin, endpoints their
server lists), so they are checked before each call: http(s) only, no credentials in the
URL, and every address the host resolves to public, unless OCPI_ALLOW_PRIVATE_PARTNERS
(development, tests) is on. Redirects are not followed. The check resolves the name
before requests does: a DNS answer that changes in between is not caught (Beckn's
callback client connects to the checked address; this one stays minimal).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

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


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise PartnerCallError(f"only http and https partner URLs are allowed: {url!r}")
    if not parts.hostname or parts.username or parts.password:
        raise PartnerCallError(f"a partner URL needs a host and no credentials: {url!r}")
    if getattr(settings, "OCPI_ALLOW_PRIVATE_PARTNERS", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise PartnerCallError(f"cannot resolve {parts.hostname}: {exc}") from exc
    private = sorted({str(i[4][0]) for i in infos if not _public(str(i[4][0]))})
    if private:
        raise PartnerCallError(
            f"{parts.hostname} resolves to non-public addresses ({', '.join(private)})"
        )


def call(
    method: str,
    url: str,
    token: str,
    payload: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request to a partner. Raises PartnerCallError when no HTTP answer came."""
    check_url(url)
    sent = {
        "Authorization": tokens.header(token),
        "X-Request-ID": str(uuid.uuid4()),
        "X-Correlation-ID": str(uuid.uuid4()),
        **(headers or {}),
    }
    data = None
    if payload is not None:
        sent["Content-Type"] = "application/json"
        data = json.dumps(payload, separators=(",", ":")).encode()
    started = time.monotonic()
    try:
        with requests.request(
            method,
            url,
            data=data,
            headers=sent,
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = response.raw.read(MAX_RESPONSE_BYTES + 1, decode_content=True)
            status = response.status_code
    except requests.RequestException as exc:
        raise PartnerCallError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
    duration = int((time.monotonic() - started) * 1000)
    text = raw[:MAX_RESPONSE_BYTES].decode("utf-8", "replace")
    code, content = None, None
    try:
        parsed = json.loads(text) if len(raw) <= MAX_RESPONSE_BYTES else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("status_code"), int):
        code, content = parsed["status_code"], parsed.get("data")
    return Answer(status, code, content, text, duration)


def get_data(url: str, token: str) -> Any:
    """The `data` of a successful GET, or PartnerCallError saying what came instead."""
    answer = call("GET", url, token)
    if not answer.ok:
        raise PartnerCallError(
            f"GET {url}: HTTP {answer.http_status}, OCPI status {answer.status_code}: "
            f"{answer.text[:200]}"
        )
    return answer.data
