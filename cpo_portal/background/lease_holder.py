"""The name this process holds leases under.

A worker that takes a row (a Beckn message to answer, an outgoing message to send) leases
it for a while and writes this name beside the lease. Once the process is known dead (its
heartbeat went stale: beckn.services.heartbeat, registered by `known_by`), the sweep
releases what it held at once, rather than when each lease runs out: a worker killed
among live siblings (several worker processes on one host, each a node of its own) no
longer makes its rows wait out their lease.

The name is "" until the process has written its first heartbeat, so that nothing is
released for want of a heartbeat not yet written, in a process that writes none (a web
server, a command), and in a child just forked (it inherits its parent's name, which is
not its own): such leases run out as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from datetime import datetime

from django.db.models import Q

_name = ""
_alive: Callable[[datetime], Collection[str]] | None = None


def of(host: str, pid: int) -> str:
    """The holder name of the process `pid` of worker node `host`."""
    return f"{host} {pid}"


def current() -> str:
    """This process's holder name ("" when it has none yet)."""
    return _name


def become(host: str) -> None:
    """From now on this process holds leases as the process of worker node `host` whose
    heartbeat row was just written; "" to hold none."""
    global _name
    _name = of(host, os.getpid()) if host else ""


def alive(now: datetime) -> Collection[str] | None:
    """The names of the processes known to be alive at `now`, as the workers' heartbeats
    tell (`known_by`); None where nothing tells: then only leases that ran out are
    released."""
    return None if _alive is None else _alive(now)


def held_by_the_dead(field: str, now: datetime) -> Q | None:
    """The rows whose lease holder `field` names a process that is not alive at `now`
    (a name, and not among the live ones); None where nothing tells who is alive. The
    one rule by which every sweep (Beckn messages, outgoing messages) releases a dead
    process's leases before they run out."""
    live = alive(now)
    if live is None:
        return None
    return ~Q(**{field: ""}) & ~Q(**{f"{field}__in": live})


def known_by(source: Callable[[datetime], Collection[str]]) -> None:
    """`source(now)` names the live processes from now on (beckn registers its heartbeats:
    beckn.services.heartbeat.live_holders)."""
    global _alive
    _alive = source


def _forked() -> None:
    global _name
    _name = ""


os.register_at_fork(after_in_child=_forked)
