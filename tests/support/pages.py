"""Reading a figure off a rendered page: the text of the element with its id (a bold
figure's too), as a person reads it."""

from __future__ import annotations

import re


def figure(html: str, element_id: str) -> str:
    """The text of the element `element_id` (inside its <strong>, if it has one)."""
    match = re.search(rf'id="{re.escape(element_id)}">(?:<strong>)?([^<]*)<', html)
    assert match, element_id
    return match.group(1)
