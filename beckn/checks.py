"""System checks of the Beckn settings (`manage.py check`, runserver, migrate).

W001: a worker holds an outbox row for its lease (BECKN_CALLBACK_LEASE) while it sends one
callback, which may take up to its deadline (BECKN_CALLBACK_DEADLINE: connect, request and
the whole answer), and more (signing and the attempt's own writes come on top). When the
lease runs out first, `beckn.requeue_stuck` gives the row, still in flight, to a second
worker and the BAP gets the callback twice. The lease must be at least LEASE_MARGIN times
one attempt.

W002 (deploy): BECKN_ALLOW_PRIVATE_CALLBACKS lets callbacks go to private, loopback and
link-local addresses (cloud metadata included): a development convenience that, with
DEBUG off, turns every registered BAP URL into a way into our own network.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from . import conf

LEASE_MARGIN = 2  # lease >= 2 x the callback deadline
TIMINGS = (
    "BECKN_CALLBACK_LEASE",
    "BECKN_CALLBACK_DEADLINE",
    "BECKN_CALLBACK_CONNECT_TIMEOUT",
    "BECKN_CALLBACK_READ_TIMEOUT",
)


@register("beckn")
def check_callback_lease(app_configs, **kwargs) -> list[CheckMessage]:
    try:
        lease, attempt, _connect, _read = (float(conf.get(name)) for name in TIMINGS)
    except (TypeError, ValueError) as exc:
        return [
            Error(
                f"The callback timings ({', '.join(TIMINGS)}) must be numbers of seconds: {exc}.",
                id="beckn.E001",
            )
        ]
    needed = LEASE_MARGIN * attempt
    if lease >= needed:
        return []
    return [
        Warning(
            f"BECKN_CALLBACK_LEASE ({lease:g} s) is shorter than {LEASE_MARGIN} x one callback "
            f"attempt (BECKN_CALLBACK_DEADLINE {attempt:g} s).",
            hint=(
                f"Set BECKN_CALLBACK_LEASE to at least {needed:g} s, or lower the deadline. "
                "A lease that can run out while a worker is still sending lets the requeue "
                "sweep (beckn.requeue_stuck) hand the row to a second worker: the BAP gets "
                "the callback twice. The margin covers what the deadline does not bound "
                "(signing, the attempt's own writes)."
            ),
            id="beckn.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_private_callbacks(app_configs, **kwargs) -> list[CheckMessage]:
    if settings.DEBUG or not conf.get("BECKN_ALLOW_PRIVATE_CALLBACKS"):
        return []
    return [
        Warning(
            "BECKN_ALLOW_PRIVATE_CALLBACKS is on with DEBUG off: callbacks may go to private, "
            "loopback and link-local addresses (cloud metadata included).",
            hint=(
                "Unset BECKN_ALLOW_PRIVATE_CALLBACKS in production. It exists for BAPs "
                "simulated on this machine; a registered callback URL that resolves into "
                "our own network would otherwise be refused."
            ),
            id="beckn.W002",
        )
    ]
