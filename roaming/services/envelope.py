"""The OCPI response envelope and status codes (status_codes.asciidoc).

Every answer, errors included, is `{data, status_code, status_message, timestamp}`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pricing.engine import format_datetime

SUCCESS = 1000
CLIENT_ERROR = 2000
INVALID_PARAMETERS = 2001
NOT_ENOUGH_INFORMATION = 2002
UNKNOWN_LOCATION = 2003
SERVER_ERROR = 3000
UNABLE_TO_USE_CLIENT_API = 3001
UNSUPPORTED_VERSION = 3002
NO_MATCHING_ENDPOINTS = 3003


class OcpiProblem(Exception):
    """A request we answer with an OCPI error: the status code, the HTTP status, words.
    A request that reached the OCPI layer (JSON we could read, from a partner we know, to
    a resource that exists) gets no HTTP error, whatever its OCPI status
    (status_codes.asciidoc: "an HTTP error status code MUST NOT be returned"): HTTP 200
    unless the caller names another (401, 404, 405, or 400 for a body we could not read)."""

    def __init__(self, status_code: int, message: str, http_status: int = 200) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.http_status = http_status


def timestamp(at: dt.datetime | None = None) -> str:
    """OCPI DateTime of `at` (now when not given): UTC, seconds, 'Z'."""
    return format_datetime(at or timezone.now())


def body(data: Any = None, status_code: int = SUCCESS, message: str = "Success") -> dict:
    out: dict[str, Any] = {
        "data": data,
        "status_code": status_code,
        "status_message": message,
        "timestamp": timestamp(),
    }
    if data is None:
        del out["data"]
    return out
