"""Test hosts on this machine: Linux network namespaces on a bridge of their own.

    lab = Lab.make()              # a bridge 10.251.N.1/24 in this (the root) namespace
    web1 = lab.host("web1")       # a namespace with 10.251.N.11, routed through the bridge
    web1.argv(["gunicorn", ...])  # a command to run there ("ip netns exec")
    lab.close()                   # namespaces, links and bridge removed

Each host sees only its own address and the bridge's: services that listen on the root
namespace's loopback (PostgreSQL, Redis) are reached through a relay on the bridge address
(bench/multihost.py runs haproxy for that). Needs root and iproute2; `unavailable()` says
why a lab cannot be made here, for a test to skip with. Every name carries a random tag,
so two labs can exist at once, and close() removes only what make() made.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from dataclasses import dataclass, field

PREFIX = "10.251"


def _ip(*args: str, ns: str = "") -> None:
    argv = ["ip", *(["-n", ns] if ns else []), *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    if done.returncode != 0:
        raise OSError(f"{' '.join(argv)}: {done.stderr.strip()}")


def unavailable() -> str:
    """Why no lab can be made here ("" when it can)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed"
    probe = f"mhprobe{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except OSError as exc:
        return f"cannot make a network namespace: {exc}"
    _ip("netns", "del", probe)
    return ""


@dataclass
class Host:
    name: str
    namespace: str
    address: str

    def argv(self, command: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.namespace, *command]


@dataclass
class Lab:
    tag: str
    subnet: str  # "10.251.N"
    hosts: list[Host] = field(default_factory=list)

    @property
    def bridge(self) -> str:
        return f"mhbr{self.tag}"

    @property
    def gateway(self) -> str:
        """The root namespace's address on the bridge: where relays and receivers listen."""
        return f"{self.subnet}.1"

    @classmethod
    def make(cls) -> Lab:
        used = subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True).stdout
        free = [n for n in range(1, 255) if f" {PREFIX}.{n}." not in used]
        lab = cls(tag=f"{random.randrange(16**4):04x}", subnet=f"{PREFIX}.{random.choice(free)}")
        try:
            _ip("link", "add", lab.bridge, "type", "bridge")
            _ip("addr", "add", f"{lab.gateway}/24", "dev", lab.bridge)
            _ip("link", "set", lab.bridge, "up")
        except OSError:
            lab.close()
            raise
        return lab

    def host(self, name: str) -> Host:
        number = len(self.hosts) + 1
        host = Host(name, f"mh{self.tag}{name}", f"{self.subnet}.{10 + number}")
        outer, inner = f"mh{self.tag}v{number}", f"mh{self.tag}p{number}"
        self.hosts.append(host)
        _ip("netns", "add", host.namespace)
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", host.namespace)
        _ip("link", "set", outer, "master", self.bridge)
        _ip("link", "set", outer, "up")
        _ip("link", "set", "lo", "up", ns=host.namespace)
        _ip("addr", "add", f"{host.address}/24", "dev", inner, ns=host.namespace)
        _ip("link", "set", inner, "up", ns=host.namespace)
        _ip("route", "add", "default", "via", self.gateway, ns=host.namespace)
        return host

    def close(self) -> None:
        """Remove the namespaces (their ends of the links go with them) and the bridge."""
        for host in self.hosts:
            subprocess.run(["ip", "netns", "del", host.namespace], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
