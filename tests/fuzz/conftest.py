"""A BPP to fuzz: the fuzz world (tests/support/fuzz/world.py) behind the test client, with queues
replaced by in-process processing."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache

from tests.support.fuzz.run import Target, quiet_queues
from tests.support.fuzz.world import build_world

# The CI slice; `bench/fuzz.py` runs the 10,000-case version.
CASES = int(os.environ.get("FUZZ_CASES", "300"))


@pytest.fixture
def target(db, settings, client):
    settings.BECKN_SUBSCRIBER_ID = "bpp.fuzz.example"
    settings.BECKN_SUBSCRIBER_URI = "https://bpp.fuzz.example/beckn"
    settings.BECKN_VERIFY_SIGNATURES = True
    settings.BECKN_ALLOW_PRIVATE_CALLBACKS = False
    settings.BECKN_REGISTRY_URL = ""
    cache.clear()
    world, keys = build_world()
    with quiet_queues():
        yield Target(client, world, keys, seed=7)


def failures_text(target: Target, limit: int = 8) -> str:
    lines = [f"{len(target.failures)} failures; first {limit}:"]
    for outcome, shot, detail in target.failures[:limit]:
        detail = " ".join(detail.split())[:200]
        lines.append(f"- {outcome} [{shot.family} /{shot.action} {shot.signing}] {detail}")
        lines.append(f"  body: {shot.raw[:300]!r}")
    return "\n".join(lines)
