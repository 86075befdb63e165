"""Run as a script (tests/beckn/test_heartbeat_fork.py): a process beating as a worker's
consumer forks `count` children while its heartbeat thread beats; each child writes to
the database once, as a pool process's first beat does. Prints how many children failed."""

from __future__ import annotations

import os
import sys
import time

import django


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpo_portal.settings")
    django.setup()
    from django.db import connection

    from beckn.models import WorkerHeartbeat
    from beckn.services import heartbeat

    heartbeat.start("forking@h", "prefork", consumer=True)
    failed = 0
    for number in range(count):
        time.sleep(0.002 * (number % 7))
        pid = os.fork()
        if pid == 0:  # a pool process: its first write
            try:
                WorkerHeartbeat.objects.filter(host="child@h").delete()
                connection.close()
            except Exception:
                os._exit(1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        failed += status != 0
    heartbeat.stop()
    print(f"failed {failed} of {count}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
