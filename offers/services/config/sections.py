"""Writing one document row: validate it as the admin form would, save it only when it
differs, set its places; and an offer's multi-use code. Each write is in a savepoint,
so a refusal from the database becomes one error line and the import goes on to find
the next problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, models, transaction

from offers.models import Offer, OfferCode
from offers.models.codes import normalise_code
from offers.services.config.exporting import row_document
from offers.services.config.format import Section
from offers.services.config.rows import RowContext, assign, clean

Check = Callable[[Any, dict[str, Any] | None, dict[str, Any], str], bool]


def _save(run: RowContext, path: str, write: Callable[[], None]) -> bool:
    try:
        with transaction.atomic():
            write()
    except ValidationError as exc:
        run.problems.add_validation(path, exc)
        return False
    except (IntegrityError, DataError) as exc:  # a rule only the database knows
        run.problems.add(path, f"refused by the database: {' '.join(str(exc).split())}")
        return False
    return True


def write_row(
    run: RowContext,
    section: Section,
    instance: models.Model,
    row: dict[str, Any],
    path: str,
    before: dict[str, Any] | None,
    check: Check | None = None,
) -> bool:
    """Read `row` onto `instance`, run the model's checks (and `check`, a service rule the
    admin form also applies), and save it when it is new or changed."""
    places = assign(section, instance, row, path, run.places, run.problems)
    if places is None or not clean(instance, path, run.problems):
        return False
    wanted = row_document(section, instance, run.tz, places)
    if check is not None and not check(instance, before, wanted, path):
        return False
    if before is not None and all(before.get(k) == v for k, v in wanted.items()):
        return True

    def write() -> None:
        instance.save()
        for name, codes in places.items():
            kind = run.places.by_kind[name.removesuffix("s")]
            getattr(instance, name).set([kind[c] for c in codes])

    return _save(run, path, write)


def offer_codes(run: RowContext, offer: Offer, row: dict[str, Any], path: str) -> bool:
    """The offer's public multi-use code becomes the document's (none: removed)."""
    here = f"{path}.multi_use_code"
    raw = row.get("multi_use_code")
    if raw is not None and not isinstance(raw, str):
        run.problems.add(here, "expected a code (text) or null")
        return False
    current = offer.codes.filter(batch__isnull=True).first()
    if raw is None:
        if current is None:
            return True
        removed = current
        return _save(run, here, lambda: _delete(removed))
    if current is not None and current.code == normalise_code(raw):
        return True
    code = current or OfferCode(offer=offer, operator=offer.operator)
    code.code = raw
    try:
        code.full_clean()
    except ValidationError as exc:
        for message in exc.messages:
            run.problems.add(here, message)
        return False
    return _save(run, here, code.save)


def _delete(row: models.Model) -> None:
    row.delete()
