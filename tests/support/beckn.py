"""Answering and reading the BPP's Beckn answers in tests."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.management import call_command

from beckn import processing
from beckn.models import Outbox
from beckn.protocol.tags import tag_values
from beckn.simulator.loopback import Reply
from beckn.simulator.receiver import CallbackReceiver


def answer_one(now: dt.datetime | None = None) -> int | None:
    """What a worker runs, once (processing.answer_in_turn: the waiting message whose turn
    comes first, answered): the id of the message it answered, None when none waits."""
    answered = processing.answer_in_turn(now)
    return None if answered is None else answered.inbound_id


def answer(inbound_id: int | None = None) -> Outbox | None:
    """What a worker runs, once (answer_one); its reply's first callback (an on_search in
    parts has one per part), or None when no message waits. Given `inbound_id`, the message
    taken must be that one."""
    taken = answer_one()
    if taken is None:
        return None
    assert inbound_id is None or taken == inbound_id, f"took message {taken}, not {inbound_id}"
    return Outbox.objects.filter(inbound_id=taken).order_by("part", "pk").first()


def breakup(body: dict) -> list[tuple[str, str]]:
    """An on_select/on_init/on_confirm body's quote lines as (title, value) pairs."""
    return [(b["title"], b["price"]["value"]) for b in body["message"]["order"]["quote"]["breakup"]]


def surge_notices(provider) -> dict[str, dict[str, str]]:
    """The surge notices defined in provider.tags, by code (the group with values)."""
    groups = [g for g in provider.get("tags", []) if g["descriptor"]["code"] == "surge-notice"]
    found = [tag_values([g], "surge-notice") for g in groups]
    return {v["code"]: v for v in found if "code" in v}


def money_2_0(body: dict) -> tuple[str, list[tuple[str, str]]]:
    """(total, [(title, amount)]) of a 2.0 callback's order value: titles without the
    base we add to a percentage ("...: 25% of energy ₹90.00")."""
    value = body["message"]["contract"]["consideration"][0]["considerationAttributes"]
    lines = [
        (c["description"].split(": ")[0], f"{Decimal(str(c['value'])):.2f}")
        for c in value["components"]
    ]
    return f"{Decimal(str(value['value'])):.2f}", lines


def money_1_1(body: dict) -> tuple[str, list[tuple[str, str]]]:
    """(total, [(title, amount)]) of a 1.1 callback's quote."""
    return body["message"]["order"]["quote"]["price"]["value"], breakup(body)


def play(server, *extra: str) -> str:
    """`manage.py beckn_bap` against the live `server`, its session booked as it books one
    (to have started minutes ago: its end is sent as it is played, now): what it printed."""
    out = io.StringIO()
    call_command(
        "beckn_bap", "--bpp-url", server.url + "/beckn", "--wait", "60", *extra, stdout=out
    )
    return out.getvalue()


@dataclass
class ScriptedReceiver(CallbackReceiver):
    """A CallbackReceiver that keeps every callback as it does, then answers with the next
    of `script`'s canned (status, body) answers while any is left: a 3xx is a redirect
    to an address a BPP must not follow."""

    script: list[tuple[int, Any]] = field(default_factory=list)

    def answer(self, path: str, raw: bytes, headers: dict[str, str]) -> Reply:
        reply = super().answer(path, raw, headers)
        with self.changed:
            if not self.script:
                return reply
            status, body = self.script.pop(0)
        if status in (301, 302, 307, 308):
            return Reply(status, body, {"Location": "http://169.254.169.254/latest/meta-data/"})
        return Reply(status, body)
