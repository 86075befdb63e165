"""Soak of `make run`: its own Procfile under honcho (runserver for the pages, another for
the Beckn endpoints, a Celery worker, beat) on the embedded defaults (SQLite and the
filesystem broker in a fresh var/), with several BAPs sending signed Beckn requests at once
(to the Beckn endpoints' server) and waiting for their callbacks.

`make soak` runs it at length (bench/soak.py); tests/integration/test_soak.py runs a short
one in the suite. Figures: requests sent,
ACKs and NACKs, ACKed messages answered, callbacks received, time, and processes that
stopped (honcho restarts nothing: a process that stops takes the others down, so a
restart count would hide nothing here; it is the number of exits before the end).
Every process is started here and ended by its own process group.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.procs import HONCHO_STEP, PROCFILE_LINES, ROOT, free_port, wait_until

PASSED_THROUGH = ("HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_RUNTIME_DIR")
ACTIONS = ("search", "status", "support")  # in turn: a catalog, an error answer, a message
TTL = "PT2M"
HONCHO_STOPPED = re.compile(r"^\S+ \S+ \| (\S+) stopped \(rc=(-?\d+)\)", re.M)
FATAL = ("Unrecoverable error", "CRITICAL", "Traceback")


@dataclass
class Figures:
    requests: int = 0
    acks: int = 0
    nacks: list[str] = field(default_factory=list)
    answered: int = 0  # ACKed messages with at least one callback
    callbacks: int = 0  # callback POSTs received (a catalog may come in parts)
    unanswered: list[str] = field(default_factory=list)
    load_seconds: float = 0.0
    total_seconds: float = 0.0
    exits: list[str] = field(default_factory=list)  # "worker.1 rc=1" before the end
    fatal_lines: list[str] = field(default_factory=list)
    quarantined: int = 0

    def lines(self) -> list[str]:
        return [
            f"requests {self.requests}, ACK {self.acks}, NACK {len(self.nacks)}",
            f"ACKed messages answered {self.answered} of {self.acks} "
            f"({self.callbacks} callbacks received)",
            f"load {self.load_seconds:.1f} s, until the last callback {self.total_seconds:.1f} s",
            f"processes stopped before the end: {len(self.exits)} {self.exits or ''}",
            f"fatal log lines: {len(self.fatal_lines)}; quarantined broker messages: "
            f"{self.quarantined}",
        ]


# the protocol process (Beckn's endpoints, cpo_portal/settings/protocol_pool.py) is the
# Procfile's second line, so honcho gives it the port one step above the web's, as `make run`
PROTOCOL_OFFSET = HONCHO_STEP


def environment(var_dir: Path, port: int) -> dict[str, str]:
    """A new shell's, plus what `make run` gives its processes (var/dev.env's DEBUG and
    private callbacks): no DATABASE_URL or CELERY_BROKER_URL, so the embedded defaults."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return {
        **env,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "VAR_DIR": str(var_dir),
        "DEBUG": "1",
        "BECKN_ALLOW_PRIVATE_CALLBACKS": "1",
        "BECKN_SUBSCRIBER_URI": f"http://127.0.0.1:{port + PROTOCOL_OFFSET}/beckn",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


class Bap:
    """One BAP: its keys, its callback receiver, its client; sends `count` requests while
    keeping at most `window` of them unanswered (a BAP's backlog limit is 200)."""

    def __init__(self, number: int, bpp_url: str, bpp_id: str, public_keys: dict) -> None:
        from beckn.protocol.signing import generate_keypair
        from beckn.simulator.receiver import CallbackReceiver

        self.subscriber_id = f"soak-{number}.bap.local"
        self.private, self.public = generate_keypair()
        self.receiver = CallbackReceiver(lookup=lambda s, k: public_keys.get((s, k))).start()
        self.bpp_url, self.bpp_id = bpp_url, bpp_id
        self.acked: list[str] = []
        self.nacks: list[str] = []

    def register(self, env: dict[str, str]) -> None:
        manage(
            env, "beckn_subscriber", "add", "--subscriber-id", self.subscriber_id,
            "--type", "BAP", "--url", f"{self.receiver.url}/beckn", "--key-id", "k1",
            "--signing-public-key", self.public, "--rate-limit", "0",
        )  # fmt: skip

    def answered(self) -> set[str]:
        received = list(self.receiver.received)  # appended to by the receiver's threads
        return {str(item.body.get("context", {}).get("message_id")) for item in received}

    def send(self, count: int, window: int) -> None:
        try:
            self._send(count, window)
        except Exception:  # the figures show it; the thread must not die silently
            self.nacks.append(traceback.format_exc())

    def _send(self, count: int, window: int) -> None:
        from beckn.simulator.bap_client import BapClient, Refused
        from beckn.simulator.journey import Plan, search_message

        client = BapClient(
            bpp_url=self.bpp_url, bpp_id=self.bpp_id, subscriber_id=self.subscriber_id,
            key_id="k1", private_key=self.private, callback_url=f"{self.receiver.url}/beckn",
            ttl=TTL, timeout=30,
        )  # fmt: skip
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=5)
        search = search_message(Plan(), start, start + dt.timedelta(hours=1))
        for number in range(count):
            wait_until(
                lambda: len(self.acked) - len(self.answered() & set(self.acked)) < window,
                600, "the BAP's backlog to shrink", every=0.05,
            )  # fmt: skip
            action = ACTIONS[number % len(ACTIONS)]
            order = f"soak-order-{number}"
            message = {
                "search": search,
                "status": {"order_id": order},
                "support": {"support": {"ref_id": order}},
            }[action]
            client.transaction_id = str(uuid.uuid4())
            try:
                self.acked.append(client.send(action, message))
            except Refused as exc:
                self.nacks.append(str(exc))


def run(
    requests: int, baps: int, window: int, workdir: Path, seed: bool = True,
    migrated: Path | None = None,
) -> Figures:  # fmt: skip
    """The soak; `seed` runs `seed_demo` as `make run` does (a catalog to search), else only
    the BPP's signing key is made (searches then find no station). `migrated`, a SQLite
    file with the migrations applied, starts var/'s database (then `migrate` has nothing to
    do); without it the database is migrated from scratch."""
    port = free_port(lines=PROCFILE_LINES)
    env = environment(workdir / "var", port)
    if migrated is not None:
        (workdir / "var").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated, workdir / "var" / "db.sqlite3")
    manage(env, "migrate", "--noinput")
    manage(env, *(["seed_demo"] if seed else ["beckn_keys", "generate"]))
    shown = manage(env, "beckn_keys", "show")
    values = dict(line.split("  ", 1) for line in shown.splitlines() if "  " in line)
    bpp_id, key_id = values["subscriber"].strip(), values["key id"].strip()
    public_keys = {(bpp_id, key_id): values["public key"].strip()}
    bpp_url = f"http://127.0.0.1:{port + PROTOCOL_OFFSET}/beckn"  # the protocol process
    senders = [Bap(n, bpp_url, bpp_id, public_keys) for n in range(baps)]
    # one manage.py process per BAP, side by side (each is mostly Django starting up)
    with ThreadPoolExecutor(len(senders)) as pool:
        list(pool.map(lambda bap: bap.register(env), senders))  # raises what a command raised

    log_path = workdir / "honcho.log"
    figures = Figures(requests=requests)
    with log_path.open("w") as log:
        honcho = subprocess.Popen(
            [str(Path(sys.executable).parent / "honcho"), "--procfile", "Procfile", "start",
             "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_until(lambda: running(honcho, log_path) and healthy(port), 300, "make run's web")
        wait_until(
            lambda: running(honcho, log_path) and healthy(port + PROTOCOL_OFFSET),
            300, "make run's protocol server",
        )  # fmt: skip
        wait_until(
            lambda: running(honcho, log_path) and " ready." in log_path.read_text(),
            300, "the Celery worker",
        )  # fmt: skip
        started = time.monotonic()
        per_bap = [requests // baps + (1 if n < requests % baps else 0) for n in range(baps)]
        threads = [
            threading.Thread(target=bap.send, args=(count, window))
            for bap, count in zip(senders, per_bap, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        figures.load_seconds = time.monotonic() - started

        def all_answered() -> bool:
            return all(set(bap.acked) <= bap.answered() for bap in senders)

        with contextlib.suppress(TimeoutError):
            wait_until(all_answered, 300, "every callback", every=0.5)
        figures.total_seconds = time.monotonic() - started
        time.sleep(1)  # anything about to stop has stopped
        alive = honcho.poll() is None
    finally:
        stop(honcho)
        for bap in senders:
            bap.receiver.stop()
    output = log_path.read_text(errors="replace").partition("SIGINT received")[0]
    figures.exits = [f"{name} rc={rc}" for name, rc in HONCHO_STOPPED.findall(output)]
    if not alive and not figures.exits:
        figures.exits = [f"honcho rc={honcho.returncode}"]
    figures.fatal_lines = [line for line in output.splitlines() if any(f in line for f in FATAL)]
    figures.quarantined = len(list((workdir / "var" / "broker" / "quarantine").iterdir()))
    for bap in senders:
        answered = bap.answered()
        figures.acks += len(bap.acked)
        figures.nacks += bap.nacks
        figures.answered += len(set(bap.acked) & answered)
        figures.callbacks += len(bap.receiver.received)
        figures.unanswered += [m for m in bap.acked if m not in answered]
    return figures


def running(honcho: subprocess.Popen, log_path: Path) -> bool:
    """True while honcho runs; once it has stopped (a process of the Procfile stopped, which
    stops the others), an error holding the end of its log."""
    if honcho.poll() is None:
        return True
    tail = log_path.read_text(errors="replace")[-4000:]
    raise RuntimeError(f"make run's processes stopped (honcho rc={honcho.returncode}):\n{tail}")


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C to honcho's process group (it stops its children), then a kill."""
    for sig, grace in ((signal.SIGINT, 30), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
