"""One module per Beckn action, each with `handle(request) -> Reply`."""

from __future__ import annotations

from importlib import import_module

from beckn.messages import Handler

ACTIONS = (
    "search",
    "select",
    "init",
    "confirm",
    "status",
    "track",
    "update",
    "cancel",
    "rating",
    "support",
)


def handler_for(action: str) -> Handler:
    if action not in ACTIONS:
        raise KeyError(f"no handler for {action!r}")
    return import_module(f"beckn.handlers.{action}").handle
