"""A BAP keeping our catalog (ONDC 1.x catalog refresh, docs/beckn.md): asks for it whole
(`catalog_full`), for the changes of the last minutes (`catalog_inc` window), or starts a
push, prints what each unsolicited on_search brings, and stops it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beckn.protocol.tags import tag_group
from beckn.protocol.timefmt import format_timestamp
from beckn.simulator.journey import Journey


def refresh_message(code: str, **values: str) -> dict[str, Any]:
    return {"intent": {"tags": [tag_group(code, values)]}}


def summary(message: dict[str, Any]) -> str:
    """Per provider: its items and locations shown, and those disabled (removed)."""
    lines = []
    for provider in (message.get("catalog") or {}).get("providers") or []:
        said = []
        for key in ("locations", "items", "offers"):
            pieces = provider.get(key) or []
            gone = [p["id"] for p in pieces if (p.get("time") or {}).get("label") == "disable"]
            if pieces:
                removed = f", removed {', '.join(gone)}" if gone else ""
                said.append(f"{len(pieces) - len(gone)} {key}{removed}")
        lines.append(f"   {provider['id']}: " + ("; ".join(said) or "its own fields"))
    return "\n".join(lines) or "   no change"


class Refreshing(Journey):
    def full(self, wait: float) -> None:
        message = self.call("search", refresh_message("catalog_full", payload_type="inline"), wait)
        self.say(summary(message))

    def window(self, minutes: float, wait: float) -> None:
        now = dt.datetime.now(dt.UTC)
        start = format_timestamp(now - dt.timedelta(minutes=minutes))
        tags = refresh_message("catalog_inc", start_time=start, end_time=format_timestamp(now))
        self.say(summary(self.call("search", tags, wait)))

    def push(self, wait: float) -> int:
        """Start the push, print what arrives for `wait` seconds, stop it; how many came."""
        self.say(summary(self.call("search", refresh_message("catalog_inc", mode="start"), wait)))
        self.say(f"   waiting {wait:.0f} s for changes (edit a tariff or an offer meanwhile)")
        answer = self.sent["search"]  # a push is any other on_search, come before or after
        try:
            got = self.receiver.wait_for_all("on_search", None, 1, wait, other_than=answer)
        except TimeoutError:
            got = []
        for item in got:
            self.say(f"<- on_search pushed, signed by {item.signer}")
            self.say(summary(self.checked("search", item).get("message") or {}))
        self.call("search", refresh_message("catalog_inc", mode="stop"), wait)
        return len(got)
