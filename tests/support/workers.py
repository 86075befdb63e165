"""Worker processes as their heartbeats show them (beckn.models.WorkerHeartbeat), for the
tests of what a dead worker's leases become (cpo_portal.background.lease_holder)."""

from __future__ import annotations

import datetime as dt

from beckn.models import WorkerHeartbeat
from cpo_portal.background import lease_holder


def one_dead_one_live(now: dt.datetime, node: str, pool: str = "threads") -> tuple[str, str]:
    """Two processes of worker nodes `node`-1@h (pid 1, its last beat a minute before
    `now`: killed) and `node`-2@h (pid 2, beating at `now`); their lease holder names,
    the dead one's first."""
    names = []
    for number, ago in ((1, 60), (2, 0)):
        host = f"{node}-{number}@h"
        WorkerHeartbeat.objects.create(
            host=host, pid=number, pool=pool, consumer=pool != "prefork",
            beat_at=now - dt.timedelta(seconds=ago),
        )  # fmt: skip
        names.append(lease_holder.of(host, number))
    return names[0], names[1]
