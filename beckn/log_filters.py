"""Logging filters for the protocol's requests (named in cpo_portal.settings' LOGGING).

Django logs every 4xx answer through `django.request` at WARNING and every 5xx at ERROR.
A Beckn 429 or 503 is a message declined for now: a rate or backlog limit, or no worker
that could answer it in time (services.admission.note_declined logs those, at most once
every LOG_EVERY seconds with a count), or a database that could not take the message
(services.intake logs its exception): a line per refused request on top would bury the
log in a flood of them.
"""

from __future__ import annotations

import logging


class DeclinedBecknRequests(logging.Filter):
    """Drops `django.request`'s line for a 429 or 503 answered on a Beckn endpoint."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) not in (429, 503):
            return True
        match = getattr(getattr(record, "request", None), "resolver_match", None)
        return match is None or match.app_name != "beckn"
