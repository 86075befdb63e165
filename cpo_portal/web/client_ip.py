"""The client's address for login throttling, behind a known number of reverse proxies.

Behind nginx or a load balancer REMOTE_ADDR is the nearest proxy, so every client would
share one lockout bucket. Each trusted proxy appends the address it saw to
X-Forwarded-For; with N proxies the client is the N-th entry from the right. Entries
further left were written by the client and are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        return remote  # not the proxy chain we were told about: the socket is all we know
    candidate = hops[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate
