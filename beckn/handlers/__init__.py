"""One module per Beckn action, each with `handle(request) -> Reply`."""

from __future__ import annotations

from importlib import import_module

from beckn.messages import Handler
from beckn.protocol.schema import REQUEST_ACTIONS


def handler_for(action: str) -> Handler:
    if action not in REQUEST_ACTIONS:
        raise KeyError(f"no handler for {action!r}")
    return import_module(f"beckn.handlers.{action}").handle
