"""What an import does, row by row and field by field: the plan a dry run shows and a
real run carries out. Both sides are compared in the document's own canonical form
(offers.services.config.format), so "18.50" and "18.5" are the same price."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
DEACTIVATE, PAUSE, LEFT_ALONE = "deactivate", "pause", "left alone"
SIGNS = {CREATE: "+", UPDATE: "~", UNCHANGED: "=", DEACTIVATE: "-", PAUSE: "-", LEFT_ALONE: "?"}
# Nested lists, compared item by item: the key that names an item.
ITEM_KEYS = {"bands": "code"}


@dataclass(frozen=True)
class Change:
    path: str  # within the row: "amount", "bands[peak].rate_per_kwh", "code_batches"
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.path}: {_text(self.old)} → {_text(self.new)}"


@dataclass
class RowPlan:
    section: str
    code: str
    action: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""

    def lines(self) -> list[str]:
        head = f"{SIGNS[self.action]} {self.section}[{self.code}] {self.action}"
        if self.note:
            head += f" ({self.note})"
        return [head, *(f"    {c}" for c in self.changes)]


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def changes_anything(self) -> bool:
        return any(r.action not in (UNCHANGED, LEFT_ALONE) for r in self.rows)

    def summary(self) -> str:
        parts = [f"{self.count(a)} {a}" for a in SIGNS if self.count(a)]
        return ", ".join(parts) or "nothing"

    def lines(self, *, unchanged: bool = False) -> list[str]:
        """The diff, one row per line (field changes indented below it)."""
        out: list[str] = []
        for row in self.rows:
            if row.action != UNCHANGED or unchanged:
                out.extend(row.lines())
        return out


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value or '""'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def compare(before: dict[str, Any] | None, after: dict[str, Any]) -> list[Change]:
    """The fields that differ between a row as it is and as the document wants it."""
    if before is None:
        return []
    changes: list[Change] = []
    for name in [*after, *(n for n in before if n not in after)]:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in ITEM_KEYS:
            changes.extend(_compare_items(name, ITEM_KEYS[name], old or [], new or []))
        else:
            changes.append(Change(name, old, new))
    return changes


def _compare_items(name: str, key: str, old: list, new: list) -> list[Change]:
    olds = {item[key]: item for item in old}
    news = {item[key]: item for item in new}
    out: list[Change] = []
    for code in sorted(set(olds) | set(news)):
        if code not in olds:
            out.append(Change(f"{name}[{code}]", None, "added"))
        elif code not in news:
            out.append(Change(f"{name}[{code}]", "present", None))
        else:
            for sub in compare(olds[code], news[code]):
                out.append(Change(f"{name}[{code}].{sub.path}", sub.old, sub.new))
    return out
