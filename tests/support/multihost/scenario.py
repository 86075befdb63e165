"""The product on several hosts: two web hosts and two worker hosts in network namespaces of
their own (tests/support/multihost/netns.py), PostgreSQL and Redis on the root namespace
(the data host, reached through haproxy's TCP relays on the bridge), and haproxy balancing
HTTP over the web hosts with health checks on /healthz. Celery beat runs once, on the data
host.

    python -m bench.multihost                 # the whole scenario, with figures (root)
    python -m bench.multihost --seconds 60    # a longer load phase

tests/integration/test_multihost.py runs a short scenario in the suite (marker `multihost`;
it skips, saying why, where namespaces cannot be made). The scenario:

1. staff sign in through the balancer; pricing and the registry are changed on web host 1
   (management commands run there) and read on web host 2 within their documented bounds
   (a price: from its commit; a key: BECKN_REGISTRY_CHECK_MS);
2. BAPs send signed selects through the balancer while web host 1 is killed (SIGKILL) and
   started again, then worker host 1 likewise; the staff session is used while web host
   1 is down;
3. every ACKed select must get exactly one signed on_select within its ttl.

Figures: selects ACKed per second and the ACK's p99 through the balancer, refusals while a
host was down, callbacks lost, late or duplicated, and how long each change took to show.
The hosts are in tests/support/multihost/hosts.py, the BAPs in
tests/support/multihost/baps.py; every process is started there and ended by its own process
group, and the lab is removed."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.faults.harness import count_arrivals
from tests.support.multihost.baps import PROVIDER, TTL_SECONDS, Baps
from tests.support.multihost.hosts import WEB_PORT, Cluster
from tests.support.procs import wait_until

STAFF_PASSWORD = "multi-host-staff-1"
CHECK_MS = 250  # BECKN_REGISTRY_CHECK_MS, the registry's documented bound


@dataclass
class Figures:
    acks: int = 0
    refused: list[str] = field(default_factory=list)  # no ACK: host down, balancer busy
    latencies: list[float] = field(default_factory=list)  # seconds, ACKed requests
    load_seconds: float = 0.0
    lost: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    duplicates: int = 0  # repeats byte-identical to the first copy
    mixed_duplicates: list[str] = field(default_factory=list)  # ids that came with other bodies
    bad_signatures: list[str] = field(default_factory=list)
    price_before: str = ""
    price_after: str = ""
    stale_prices: list[str] = field(default_factory=list)
    search_before: str = ""  # the flagship charger's price in an on_search
    search_after: str = ""
    stale_searches: list[str] = field(default_factory=list)  # sent CHECK_MS after the change
    key_seen_after: float | None = None  # seconds from the command's end to web 2 taking it
    old_key_refused: bool = False
    staff_pages: list[int] = field(default_factory=list)  # statuses while web 1 was down
    staff_signed_in: bool = False
    events: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.acks / self.load_seconds if self.load_seconds else 0.0

    def p99(self) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[98]

    def lines(self) -> list[str]:
        return [
            f"selects ACKed {self.acks} in {self.load_seconds:.1f} s ({self.throughput:.1f}/s), "
            f"ACK p99 {self.p99() * 1000:.0f} ms; not ACKed {len(self.refused)}",
            f"callbacks: lost {len(self.lost)}, late {len(self.late)}, exact duplicates "
            f"{self.duplicates}, non-identical duplicates {len(self.mixed_duplicates)}, "
            f"bad signatures {len(self.bad_signatures)}",
            f"price {self.price_before} -> {self.price_after}, stale answers after the change "
            f"{len(self.stale_prices)}",
            f"searched price {self.search_before} -> {self.search_after}, stale searches "
            f"{CHECK_MS} ms after the change {len(self.stale_searches)}",
            f"new key taken by web 2 {self.key_seen_after:.2f} s after the command ended; "
            f"removed key refused: {self.old_key_refused}"
            if self.key_seen_after is not None
            else "new key never taken by web 2",
            f"staff pages while web 1 was down: {self.staff_pages}, "
            f"still signed in: {self.staff_signed_in}",
            *self.events,
        ]


def prepare() -> tuple[str, tuple[str, str]]:
    """The demo's network, tariffs and offers (no sessions) and our signing key; (our
    subscriber id, ("id|key id", public key))."""
    from django.core.management import call_command

    from beckn import conf
    from beckn.services import keys

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", "--no-progress", "--sessions", "0", "--stations", "2",
                     stdout=quiet, stderr=quiet)  # fmt: skip
    key = keys.active_key()
    return conf.bpp_id(), (f"{conf.bpp_id()}|{key.key_id}", key.public_key)


def sign_in(base: str):
    import requests

    session = requests.Session()
    page = session.get(f"{base}/admin/login/", timeout=20)
    page.raise_for_status()
    answer = session.post(
        f"{base}/admin/login/?next=/admin/",
        data={"username": "multihost-staff", "password": STAFF_PASSWORD, "next": "/admin/",
              "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        headers={"Referer": f"{base}/admin/login/"}, timeout=20,
    )  # fmt: skip
    answer.raise_for_status()
    return session


def signed_in(session, base: str) -> int:
    import requests

    try:
        page = session.get(f"{base}/admin/", timeout=20, allow_redirects=False)
    except requests.RequestException:
        return 0
    if page.status_code == 200 and "multihost-staff" not in page.text:
        return 0  # a page, but not the signed-in one
    return page.status_code


def change_price(cluster: Cluster) -> None:
    """On web host 1: the flagship's tariff energy rate up by ₹5/kWh, saved as staff save
    it (model save: the pricing stamp is renewed in the same transaction)."""
    script = (
        "from pricing.models import Tariff, TariffBand\n"
        f"for t in Tariff.objects.filter(operator__code={PROVIDER!r}):\n"
        "    t.energy_rate_per_kwh += 5\n"
        "    t.save()\n"
        f"for b in TariffBand.objects.filter(tariff__operator__code={PROVIDER!r}):\n"
        "    b.rate_per_kwh += 5\n"
        "    b.save()\n"
    )
    cluster.on_web1(python=script)


def propagation(cluster: Cluster, baps: Baps, figures: Figures) -> None:
    """Pricing and the registry changed on web host 1, read through web host 2."""
    direct = {h.name: f"http://{h.address}:{WEB_PORT}" for h in cluster.web_hosts}
    before = [baps.select(baps.client(direct[h])) for h in ("web1", "web2", "web1", "web2")]
    figures.price_before = baps.price(before[-1] or "")
    figures.search_before = baps.item_price(baps.search(baps.client(direct["web2"])))
    change_price(cluster)
    after = [baps.select(baps.client(direct[h])) for h in ("web2", "web1", "web2", "web1")]
    prices = [baps.price(m or "") for m in after]
    figures.price_after = prices[0]
    figures.stale_prices = [p for p in prices if p == figures.price_before]
    # the published catalog: a search sent CHECK_MS after the change, to either web host and
    # answered by either worker host, shows the new rate
    time.sleep(CHECK_MS / 1000)
    searched = [baps.search(baps.client(direct[h])) for h in ("web2", "web1", "web2", "web1")]
    shown = [baps.item_price(m) for m in searched]
    figures.search_after = shown[0]
    figures.stale_searches = [p for p in shown if p == figures.search_before]
    # the registry: a second key added on web host 1, the first removed there
    public = baps.keys["k2"][1]
    cluster.on_web1("beckn_subscriber", "add", "--subscriber-id", baps.subscriber_id,
                    "--type", "BAP", "--url", f"{baps.receiver.address}/beckn", "--key-id", "k2",
                    "--signing-public-key", public, "--rate-limit", "0")  # fmt: skip
    ended = time.monotonic()
    time.sleep(CHECK_MS / 1000)
    with contextlib.suppress(TimeoutError):
        wait_until(lambda: baps.select(baps.client(direct["web2"], "k2")), 5, "k2", every=0.05)
        figures.key_seen_after = time.monotonic() - ended
    cluster.on_web1("beckn_subscriber", "remove", "--subscriber-id", baps.subscriber_id,
                    "--key-id", "k1")  # fmt: skip
    time.sleep(CHECK_MS / 1000)
    refused_before = len(baps.refused)
    baps.select(baps.client(direct["web2"], "k1"))
    figures.old_key_refused = len(baps.refused) == refused_before + 1
    cluster.on_web1("beckn_subscriber", "add", "--subscriber-id", baps.subscriber_id,
                    "--type", "BAP", "--url", f"{baps.receiver.address}/beckn", "--key-id", "k1",
                    "--signing-public-key", baps.keys["k1"][1], "--rate-limit", "0")  # fmt: skip
    time.sleep(CHECK_MS / 1000)
    del baps.refused[refused_before:]  # the refusal asked for, not a failure of the load


def failover(cluster: Cluster, baps: Baps, staff, figures: Figures, seconds: float) -> None:
    """Selects through the balancer while web host 1, then worker host 1, is killed and
    started again."""
    stop = threading.Event()
    load = threading.Thread(target=baps.load, args=(cluster.balancer, 4, stop, 4), daemon=True)
    began = time.monotonic()
    acked_before = len(baps.acked)
    load.start()
    step = seconds / 5

    def event(text: str) -> None:
        figures.events.append(f"{time.monotonic() - began:5.1f} s  {text}")

    try:
        time.sleep(step)
        cluster.webs["web1"].kill()
        event("web1 killed")
        figures.staff_pages = [signed_in(staff, cluster.balancer) for _ in range(3)]
        time.sleep(step)
        cluster.restart("web1").wait_ready()
        wait_until(lambda: cluster.healthy("web1"), 60, "web1 back")
        event("web1 back")
        time.sleep(step)
        cluster.workers["wrk1"].kill()
        event("wrk1 killed")
        time.sleep(step)
        cluster.restart("wrk1").wait_ready()
        event("wrk1 back")
        time.sleep(step)
    finally:
        stop.set()
        load.join()
    figures.load_seconds = time.monotonic() - began
    figures.acks = len(baps.acked) - acked_before
    figures.staff_signed_in = signed_in(staff, cluster.balancer) == 200


def settle(baps: Baps, figures: Figures) -> None:
    """Wait out the ttl of every ACKed select, then count what arrived, as the fault rigs
    count (tests/support/faults/harness.py)."""
    with contextlib.suppress(TimeoutError):
        wait_until(lambda: set(baps.acked) <= set(baps.arrivals()), TTL_SECONDS + 5,
                   "every on_select", every=0.5)  # fmt: skip
    ttl = dt.timedelta(seconds=TTL_SECONDS)
    expires = {message_id: at + ttl for message_id, at in baps.acked.items()}
    tally = count_arrivals(expires, baps.receiver.snapshot(), baps.signer)
    figures.lost, figures.late, figures.bad_signatures = (
        tally.lost,
        tally.late,
        tally.bad_signatures,
    )
    figures.duplicates, figures.mixed_duplicates = tally.exact_duplicates, tally.mixed_duplicates
    figures.refused = list(baps.refused)
    figures.latencies = list(baps.latencies)


def capacity(cluster: Cluster, baps: Baps, seconds: float, threads: int = 8) -> list[str]:
    """Selects ACKed per second and the ACK's p99 through the balancer with one web host,
    then two (no window: the ACK path's capacity; the answers queue up behind)."""
    lines = []
    for hosts in (1, 2):
        cluster.set_web("web2", hosts == 2)
        time.sleep(1.5)
        first, began = len(baps.latencies), time.monotonic()
        stop = threading.Event()
        load = threading.Thread(target=baps.load, args=(cluster.balancer, threads, stop))
        load.start()
        time.sleep(seconds)
        stop.set()
        load.join()
        took, latencies = time.monotonic() - began, baps.latencies[first:]
        p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else 0.0
        median = statistics.median(latencies) if latencies else 0.0
        lines.append(
            f"{hosts} web host(s), {threads} BAP clients: {len(latencies) / took:.1f} selects "
            f"ACKed/s, ACK p99 {p99 * 1000:.0f} ms, median {median * 1000:.0f} ms "
            f"({len(latencies)} ACKs in {took:.1f} s)"
        )
    return lines


def run(
    database_url: str, broker_url: str, workdir: Path, seconds: float = 20, capacity_s: float = 0
) -> Figures:
    """The whole scenario against `database_url` (migrated, empty: the demo is seeded
    here, while the hosts start); `broker_url` names the Redis database to use (with a key
    prefix of its own). With `capacity_s`, the balancer's capacity with one and two web
    hosts is measured afterwards (Figures.events)."""
    figures = Figures()
    cluster = Cluster(database_url, broker_url, workdir)
    baps = None
    try:
        bpp_id, bpp_key = prepare()
        baps = Baps(cluster.lab.gateway, bpp_id, bpp_key)
        baps.register()
        cluster.wait_ready()
        # made on a web host: its password hashed with the hosts' hashers
        cluster.on_web1(
            python="from django.contrib.auth.models import User\n"
            f"User.objects.create_superuser('multihost-staff', '', {STAFF_PASSWORD!r})"
        )
        staff = sign_in(cluster.balancer)
        if signed_in(staff, cluster.balancer) != 200:
            raise RuntimeError("staff could not sign in through the balancer")
        propagation(cluster, baps, figures)
        failover(cluster, baps, staff, figures, seconds)
        settle(baps, figures)
        if capacity_s:
            figures.events += capacity(cluster, baps, capacity_s)
    except BaseException:
        print(cluster.logs(), file=sys.stderr)
        raise
    finally:
        if baps is not None:
            baps.close()
        cluster.close()
    return figures
