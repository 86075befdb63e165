"""The OCPI response envelope and status codes (status_codes.asciidoc).

Every answer, errors included, is `{data, status_code, status_message, timestamp}`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

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
    """A request we answer with an OCPI error: the status code, the HTTP status, words."""

    def __init__(self, status_code: int, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.http_status = http_status


def timestamp(at: dt.datetime | None = None) -> str:
    """OCPI DateTime: UTC, seconds, 'Z'."""
    at = (at or timezone.now()).astimezone(dt.UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


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
