"""Import customers from CSV: contacts are hashed on the way in and never stored.

Columns (header row, any order): phone and/or email (at least one per row), and
optionally segment, tier, member, referred, joined_on (YYYY-MM-DD). Columns that are
absent leave existing values alone. Error messages name the line, never the contact.

Each row passes the Customer model's own field checks (as the admin form does); a row
that fails is skipped with a message naming the line and the field. A file the CSV
reader cannot read (a cell over the csv module's 128 KiB limit, a broken quote) is
refused whole, naming the line, before anything is written. Rows are written in batches
of BATCH, each in its own transaction: an import stopped half-way is finished by running
it again (rows are matched by customer key).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cpo_portal.db.validation import describe
from cpo_portal.models import Operator
from offers.customer_keys import ContactError, customer_key
from offers.models import Customer


def text_of(raw: bytes) -> str:
    """A file's text: UTF-8, its byte-order mark dropped. ValueError naming the first line
    that is not UTF-8 (a Latin-1 "é" was read as "\ufffd" and saved so, and UTF-16 read as
    a file with no phone column)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"the file is not UTF-8 text (line {line}): save it as CSV UTF-8 and upload it again"
        ) from None


TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f", ""}
MAX_ERRORS = 50
BATCH = 1000

Progress = Callable[[int, int, int], None]  # (lines read, customers saved, to save)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    merged: int = 0  # lines naming a customer an earlier line named
    rows: int = 0  # data lines read
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        merged = f", {self.merged} merged into an earlier line" if self.merged else ""
        return f"{self.created} created, {self.updated} updated, {self.skipped} skipped" + (
            merged + (f"; {len(self.errors)} errors" if self.errors else "")
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
            out[name] = (row[name] or "").strip()
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


def _check(key: str, values: dict[str, object], line: int) -> None:
    """The model's field checks for the columns given (length, control characters)."""
    try:
        Customer(key=key, **values).full_clean(
            exclude=["operator"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise ValueError(f"line {line}: {describe(exc, Customer)}") from None


def parse(
    lines: Iterable[str],
    progress: Progress | None = None,
    keep: Callable[[str, int], bool] | None = None,
) -> tuple[dict[str, dict[str, object]], ImportResult]:
    """The customers of the file, and what was read and skipped. `keep(key, line)` (a
    part of an import in parallel, customer_import_parts.py) takes the rows it returns
    True for, by customer key ("" for a row with no valid contact) and line."""
    result = ImportResult()
    reader = csv.DictReader(lines)
    try:
        headers = {h.strip().lower() for h in reader.fieldnames or ()}
    except csv.Error as exc:
        raise ValueError(f"line 1: not a readable CSV header ({exc})") from None
    if not headers & {"phone", "email"}:
        raise ValueError("the CSV needs a phone or an email column")
    found: dict[str, dict[str, object]] = {}
    first_line: dict[str, int] = {}  # the line that first named each customer
    line = 1
    rows = iter(reader)
    while True:
        try:
            raw = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            why = str(exc)
            if why.startswith("field larger than field limit"):
                why = f"a cell is longer than {csv.field_size_limit():,} characters"
            raise ValueError(f"line {line + 1}: the CSV cannot be read: {why}") from None
        line += 1
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
        try:
            key = customer_key(phone=row.get("phone"), email=row.get("email"))
            if keep is not None and not keep(key, line):
                continue
            values = _values(row, line)
            _check(key, values, line)
            if key in found:  # one customer, two lines: accounted for, the later one wins
                result.merged += 1
                result.errors.append(
                    f"line {line}: the same customer as line {first_line[key]}; "
                    "this line's values replace that one's"
                )
            first_line.setdefault(key, line)
            found[key] = {**found.get(key, {}), **values}
        except ContactError:
            if keep is not None and not keep("", line):
                continue
            result.skipped += 1
            result.errors.append(f"line {line}: no valid phone number or e-mail address")
        except ValueError as exc:
            result.skipped += 1
            result.errors.append(str(exc))
        if progress is not None and line % BATCH == 0:
            progress(line - 1, 0, 0)
    result.rows = line - 1
    del result.errors[MAX_ERRORS:]
    return found, result


@transaction.atomic
def _save_batch(operator: Operator, batch: dict[str, dict[str, object]]) -> tuple[int, int]:
    existing = {c.key: c for c in Customer.objects.filter(operator=operator, key__in=list(batch))}
    new, changed, touched = [], {}, set()
    for key, values in batch.items():
        customer = existing.get(key)
        if customer is None:
            new.append(Customer(operator=operator, key=key, **values))
            continue
        for name, value in values.items():
            if getattr(customer, name) != value:
                setattr(customer, name, value)
                touched.add(name)
                changed[customer.pk] = customer
    if new:
        bulk_create_with_history(new, Customer, batch_size=BATCH)
    if changed:
        bulk_update_with_history(
            list(changed.values()), Customer, sorted(touched), batch_size=BATCH
        )
    return len(new), len(changed)


def import_customers(
    operator: Operator,
    lines: Iterable[str],
    progress: Progress | None = None,
    keep: Callable[[str, int], bool] | None = None,
) -> ImportResult:
    """Read every row (those `keep` keeps, see parse), then write them in batches;
    `progress(read, saved, to_save)` is called every BATCH rows when given."""
    found, result = parse(lines, progress, keep)
    items = iter(found.items())
    saved = 0
    while batch := dict(islice(items, BATCH)):
        created, updated = _save_batch(operator, batch)
        result.created += created
        result.updated += updated
        saved += len(batch)
        if progress is not None:
            progress(result.rows, saved, len(found))
    return result
