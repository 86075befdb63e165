"""Import customers from CSV: contacts are hashed on the way in and never stored.

Columns (header row, any order): phone and/or email (at least one per row), and
optionally segment, tier, member, referred, joined_on (YYYY-MM-DD). Columns that are
absent leave existing values alone. Error messages name the line, never the contact.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cpo_portal.models import Operator
from offers.customers import ContactError, customer_key
from offers.models import Customer

TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f", ""}
MAX_ERRORS = 50


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.skipped} skipped" + (
            f"; {len(self.errors)} errors" if self.errors else ""
        )


def _flag(value: str, line: int, name: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError(f"line {line}: {name} must be yes or no")


def _values(row: dict[str, str], line: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in ("segment", "tier"):
        if name in row:
            out[name] = (row[name] or "").strip()[:32]
    for name in ("member", "referred"):
        if name in row:
            out[name] = _flag(row[name] or "", line, name)
    if "joined_on" in row:
        raw = (row["joined_on"] or "").strip()
        try:
            out["joined_on"] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise ValueError(f"line {line}: joined_on must be a date like 2024-01-31") from None
    return out


def parse(lines: Iterable[str]) -> tuple[dict[str, dict[str, object]], ImportResult]:
    result = ImportResult()
    reader = csv.DictReader(lines)
    headers = {h.strip().lower() for h in reader.fieldnames or ()}
    if not headers & {"phone", "email"}:
        raise ValueError("the CSV needs a phone or an email column")
    found: dict[str, dict[str, object]] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
        try:
            key = customer_key(phone=row.get("phone"), email=row.get("email"))
            found[key] = {**found.get(key, {}), **_values(row, line)}
        except ContactError:
            result.skipped += 1
            result.errors.append(f"line {line}: no valid phone number or e-mail address")
        except ValueError as exc:
            result.skipped += 1
            result.errors.append(str(exc))
    del result.errors[MAX_ERRORS:]
    return found, result


@transaction.atomic
def import_customers(operator: Operator, lines: Iterable[str]) -> ImportResult:
    found, result = parse(lines)
    existing = {c.key: c for c in Customer.objects.filter(operator=operator, key__in=list(found))}
    new, changed, touched = [], [], set()
    for key, values in found.items():
        customer = existing.get(key)
        if customer is None:
            new.append(Customer(operator=operator, key=key, **values))
            continue
        for name, value in values.items():
            if getattr(customer, name) != value:
                setattr(customer, name, value)
                touched.add(name)
                changed.append(customer)
    changed = list({c.pk: c for c in changed}.values())
    if new:
        bulk_create_with_history(new, Customer, batch_size=1000)
    if changed:
        bulk_update_with_history(changed, Customer, sorted(touched), batch_size=1000)
    result.created, result.updated = len(new), len(changed)
    return result
