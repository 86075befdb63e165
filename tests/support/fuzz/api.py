"""Schemathesis against the DRF API (the analytics API and the grid-signal API), through
the WSGI application, as a signed-in operator's token: never a 5xx, and every answer of
the documented content type.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

FAIL = "FAIL"


def api_schema(app: Any):
    import schemathesis

    # The Beckn endpoints in the schema have a fuzz of their own (bench/fuzz.py), with
    # signed requests; this one covers the DRF API.
    return schemathesis.openapi.from_wsgi("/api/schema/", app).exclude(path_regex=r"^/beckn/")


@contextlib.contextmanager
def kept_connections() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request; Django's own
    test client stops that, and so must we when calling the application in a test's
    transaction (or every later request would find the connection closed)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def api_cases(schema) -> st.SearchStrategy:
    from schemathesis import GenerationMode

    operations = [result.ok() for result in schema.get_all_operations()]
    pairs = [(op, mode) for op in operations for mode in (GenerationMode.POSITIVE,
             GenerationMode.NEGATIVE)]  # fmt: skip
    return st.sampled_from(pairs).flatmap(lambda pair: pair[0].as_strategy(generation_mode=pair[1]))


@dataclass
class ApiTarget:
    tokens: dict[str, str]  # label -> DRF token
    tally: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def fire(self, case: Any, who: str) -> str:
        headers = {"Authorization": f"Token {self.tokens[who]}"} if who != "anonymous" else {}
        response = case.call(headers=headers)
        status = response.status_code
        label = f"{case.method.upper()} {case.path} -> {status // 100}xx"
        if status >= 500:
            label = f"{FAIL} {label} ({status})"
        elif status != 204 and "json" not in (response.headers.get("content-type") or [""])[0]:
            label = f"{FAIL} {label}: not JSON ({response.headers.get('content-type')})"
        self.tally[label] += 1
        if label.startswith(FAIL):
            self.failures.append((label, f"{case.method} {case.formatted_path} {case.query}"))
        return label
