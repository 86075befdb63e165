"""The hosts of the multi-host scenario (scenario.py): a lab of network namespaces (netns.py)
with two web hosts (gunicorn) and two worker hosts (Celery), beat and haproxy on the root
namespace (balancing HTTP over the web hosts, relaying PostgreSQL and Redis to the bridge),
and a Django console on web host 1 that makes changes there. Every process is started here
and ended by its own process group."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.support.multihost.netns import Host, Lab
from tests.support.procs import ROOT, Process, free_port, wait_until

WEB_PORT = 8000


def over(url: str, host: str) -> str:
    """`url` with its host replaced (a service on the root namespace's loopback, reached
    from the lab through the relay on the bridge address)."""
    parts = urlsplit(url)
    auth = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{auth}@{host}" if auth else host))


class Cluster:
    """The lab, haproxy, the web and worker hosts and beat, around one database."""

    def __init__(self, database_url: str, broker_url: str, workdir: Path) -> None:
        self.workdir = workdir
        self.broker_url = broker_url
        self.lab = Lab.make()
        self.processes: list[Process] = []
        try:
            self.web_hosts = [self.lab.host("web1"), self.lab.host("web2")]
            self.worker_hosts = [self.lab.host("wrk1"), self.lab.host("wrk2")]
            gw = self.lab.gateway
            self.balancer = f"http://{gw}:{free_port()}"
            pg, redis = urlsplit(database_url), urlsplit(broker_url)
            self.relays = {"pg": (pg.hostname, pg.port or 5432), "redis": (redis.hostname,
                           redis.port or 6379)}  # fmt: skip
            self.ports = {"pg": free_port(), "redis": free_port()}
            self.env = self._env(
                over(database_url, f"{gw}:{self.ports['pg']}"),
                over(broker_url, f"{gw}:{self.ports['redis']}"),
            )
            self.haproxy = self._start(self._haproxy(), "haproxy")
        except BaseException:
            self.close()
            raise
        self.webs = {h.name: self._web(h) for h in self.web_hosts}
        self.console = self._console(self.web_hosts[0])
        self.workers = {h.name: self._worker(h) for h in self.worker_hosts}
        self.beat = self._beat()

    def _env(self, database_url: str, broker_url: str) -> dict[str, str]:
        passed = ("HOME", "LANG", "LC_ALL", "PATH", "TMPDIR")
        addresses = [self.lab.gateway, *(h.address for h in self.web_hosts)]
        return {
            **{k: os.environ[k] for k in passed if k in os.environ},
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "cpo_portal.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CACHE_URL": broker_url,  # the cache's keys have a prefix of their own
            "CELERY_KEY_PREFIX": f"multihost-{self.lab.tag}:",
            "SECRET_KEY": f"multi-host-secret-{uuid.uuid4().hex}",
            "DEBUG": "1",  # plain HTTP inside the lab (no TLS proxy): cookies without Secure
            "ALLOWED_HOSTS": ",".join(addresses),
            "BECKN_ALLOW_PRIVATE_CALLBACKS": "1",
            "BECKN_SUBSCRIBER_URI": f"{self.balancer}/beckn",
            "BECKN_REQUEUE_EVERY": "2",
            "BECKN_CALLBACK_LEASE": "8",
            "BECKN_MAX_PENDING_PER_BAP": "0",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "LOG_LEVEL": "WARNING",
        }

    def _haproxy(self) -> list[str]:
        gw = self.lab.gateway
        servers = "\n".join(
            f"    server {h.name} {h.address}:{WEB_PORT} check inter 500 fall 2 rise 2"
            for h in self.web_hosts
        )
        relays = "\n".join(
            f"listen {name}\n    mode tcp\n    bind {gw}:{self.ports[name]}\n"
            f"    timeout client 1h\n    timeout server 1h\n    server {name} {host}:{port}\n"
            for name, (host, port) in self.relays.items()
        )
        config = f"""global
    maxconn 4000
    stats socket {self.workdir / "haproxy.sock"} level admin
defaults
    timeout connect 2s
    timeout check 5s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch
{relays}
frontend web
    mode http
    bind {urlsplit(self.balancer).netloc}
    default_backend webs
backend webs
    mode http
    balance roundrobin
    retry-on conn-failure empty-response
    option httpchk GET /healthz
    http-check expect status 200
{servers}
"""
        path = self.workdir / "haproxy.cfg"
        path.write_text(config)
        return ["haproxy", "-db", "-f", str(path)]

    def _start(self, argv: list[str], name: str, ready: str = "", **extra: str) -> Process:
        process = Process(name, argv, {**self.env, **extra}, self.workdir / f"{name}.log", ready)
        self.processes.append(process.start())
        return process

    def _web(self, host: Host) -> Process:
        argv = host.argv([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"])
        bind = f"{host.address}:{WEB_PORT}"
        return self._start(argv, host.name, "", GUNICORN_BIND=bind,
                           VAR_DIR=str(self.workdir / host.name))  # fmt: skip

    def _console(self, host: Host) -> subprocess.Popen:
        """A Django console on `host`: it reads one JSON object a line (a management
        command's arguments, or Python code), runs it and prints "done" (or the error): a
        change made on that host without a process start per change."""
        code = (
            "import django, io, json, sys\n"
            "django.setup()\n"
            "from django.core.management import call_command\n"
            "print('ready', flush=True)\n"
            "for line in sys.stdin:\n"
            "    ask = json.loads(line)\n"
            "    try:\n"
            "        if ask['python']:\n"
            "            exec(ask['python'], {})\n"
            "        else:\n"
            "            call_command(*ask['command'], stdout=io.StringIO())\n"
            "        print('done', flush=True)\n"
            "    except Exception as exc:\n"
            "        print('error', repr(exc).replace(chr(10), ' '), flush=True)\n"
        )
        env = {**self.env, "VAR_DIR": str(self.workdir / host.name)}
        return subprocess.Popen(host.argv([sys.executable, "-c", code]), cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                start_new_session=True)  # fmt: skip

    def on_web1(self, *args: str, python: str = "") -> None:
        """Run a management command (or Python code) on web host 1, through its console."""
        assert self.console.stdin is not None and self.console.stdout is not None
        self.console.stdin.write(json.dumps({"command": args, "python": python}) + "\n")
        self.console.stdin.flush()
        answer = self.console.stdout.readline().strip()
        if answer != "done":
            raise RuntimeError(f"{' '.join(args) or python} on web1: {answer or 'no answer'}")

    def set_web(self, name: str, enabled: bool) -> None:
        """Take a web host out of the balancer or put it back (haproxy's admin socket)."""
        import socket

        with socket.socket(socket.AF_UNIX) as admin:
            admin.connect(str(self.workdir / "haproxy.sock"))
            admin.sendall(f"{'enable' if enabled else 'disable'} server webs/{name}\n".encode())
            admin.recv(4096)

    def _worker(self, host: Host) -> Process:
        argv = host.argv([sys.executable, "-m", "celery", "-A", "cpo_portal", "worker",
                          "--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
                          "--without-mingle", "--hostname", f"{host.name}@%h"])  # fmt: skip
        return self._start(argv, host.name, "ready.", VAR_DIR=str(self.workdir / host.name))

    def _beat(self) -> Process:
        argv = [sys.executable, "-m", "celery", "-A", "cpo_portal", "beat", "--pidfile=",
                "--loglevel", "INFO", "-s", str(self.workdir / "beat-schedule")]  # fmt: skip
        return self._start(argv, "beat", "beat: Starting", VAR_DIR=str(self.workdir / "beat"))

    def restart(self, name: str) -> Process:
        host = next(h for h in [*self.web_hosts, *self.worker_hosts] if h.name == name)
        process = self.webs.get(name) or self.workers[name]
        process.kill()
        fresh = self._web(host) if name in self.webs else self._worker(host)
        (self.webs if name in self.webs else self.workers)[name] = fresh
        return fresh

    def healthy(self, name: str) -> bool:
        import requests

        host = next(h for h in self.web_hosts if h.name == name)
        try:
            return requests.get(f"http://{host.address}:{WEB_PORT}/healthz", timeout=2).ok
        except requests.RequestException:
            return False

    def wait_ready(self, timeout: float = 120) -> None:
        for process in [*self.webs.values(), *self.workers.values(), self.beat]:
            process.wait_ready(timeout)
        for name in self.webs:
            wait_until(functools.partial(self.healthy, name), timeout, f"{name}'s /healthz")
        assert self.console.stdout is not None
        if self.console.stdout.readline().strip() != "ready":
            raise RuntimeError("the console on web1 did not start")

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.tail(15)}" for p in self.processes)

    def close(self) -> None:
        if getattr(self, "console", None) is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.console.pid, signal.SIGKILL)
            self.console.wait()
        for process in reversed(self.processes):
            process.kill()
        hosts = {**getattr(self, "webs", {}), **getattr(self, "workers", {})}
        for process in hosts.values():
            process.kill()
        self.lab.close()
        with contextlib.suppress(Exception):  # the lab's queues and cache keys in Redis
            import redis

            client = redis.Redis.from_url(self.broker_url, socket_timeout=5)
            prefix = self.env["CELERY_KEY_PREFIX"]
            for key in client.scan_iter(match=f"{prefix}*", count=1000):
                client.delete(key)
