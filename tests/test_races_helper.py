"""tests/races.py never runs a race narrower than asked: too few connections on the server
fail the test on CI (REQUIRE_POSTGRES=1) and skip it, with the numbers, elsewhere."""

from __future__ import annotations

import fcntl
import re

import pytest

from tests import races


@pytest.mark.parametrize(
    ("room", "says"),
    [
        ((100, 3), "opens 200 connections at once (plus the test's own) but PostgreSQL allows 100"),
        ((300, 150), "only 150 of 300 are free now (150 in use"),
    ],
)
def test_too_few_connections_skip_locally_and_fail_on_ci(monkeypatch, room, says):
    monkeypatch.setattr(races, "connection_room", lambda: room)
    monkeypatch.delenv("REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match=re.escape(says)):
        races.require_connections(200)
    monkeypatch.setenv("REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match=re.escape(says)):
        races.require_connections(200)


def test_enough_connections_pass(monkeypatch):
    monkeypatch.setattr(races, "connection_room", lambda: (300, 50))
    races.require_connections(200)


def test_races_on_one_server_take_turns_across_processes():
    """Another process (here: another open file, which flock treats alike) cannot take the
    turn while a race holds it, and can once it is over."""
    with races.turn_lock_path().open("a") as other:
        with races.server_turn(), pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_UN)
