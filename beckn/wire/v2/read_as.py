"""What a 2.0 request is read as (beckn.wire.v2.reading, discover_reading): the message
the handlers read (1.1's), and where each part of it was read in the request (`Read`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

PARENT = re.compile(r"(?:\.[^.\[]+|\[\d+\])$")  # a path's last step: `.key` or `[n]`


@dataclass
class Read:
    """A 2.0 request's message read into the handlers' (1.1's), and where each part of
    it was read: `paths`, a path in `message` -> the path in the request."""

    message: dict[str, Any]
    paths: dict[str, str] = field(default_factory=dict)

    def request_path(self, path: str) -> str:
        """Where in the request is what the handlers' `path` names: its own entry, else
        that of the nearest part holding it, else the message. A path outside the
        message (`$.context...`) is the same in both."""
        if not path.startswith("$.message"):
            return path
        while path not in self.paths:
            parent = PARENT.sub("", path)
            if parent == path:
                return "$.message"
            path = parent
        return self.paths[path]


def number_text(number: Any) -> str | None:
    """A JSON number (or numeric text) as 1.1 writes one: plain decimal text."""
    if isinstance(number, bool) or not isinstance(number, int | float | str):
        return None
    try:
        return format(Decimal(str(number)).normalize(), "f")
    except InvalidOperation:
        return None
