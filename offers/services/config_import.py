"""Import a pricing document (offers.services.config_format) into an operator.

Every row goes through its model's own checks (full_clean: field validators, clean(),
constraints) and the services the admin forms call (band overlap, surge notice, code
batches), so a value the admin refuses is refused here with the same message. The whole
import runs in one transaction and is all-or-nothing: with any problem, or for a dry
run, it is rolled back, and the plan (what was or would be created, changed field by
field, left alone) is what the run found. Rows are matched by code.

Rows the operator has and the document does not name are left alone, or with `prune`
taken out of service, never deleted: tariffs deactivated, surge rules paused, active
offers paused. A tariff's bands are part of the tariff: they become the document's.
Code batches are only ever added (new codes are generated here; a batch's codes are
never copied between environments).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cpo_portal.models import Operator
from offers.models import CodeBatch, Offer, OfferStatus
from pricing.engine.ocpi import OcpiTariffError, parse_tariff
from pricing.models import SurgeRule, Tariff, TariffBand
from pricing.schedule import Window, first_overlap
from pricing.services.advance import needs_notice, notice_error

from .codes import generate_batch
from .config_diff import (
    CREATE,
    DEACTIVATE,
    LEFT_ALONE,
    PAUSE,
    UNCHANGED,
    UPDATE,
    ImportPlan,
    RowPlan,
    compare,
)
from .config_export import offer_codes_document, row_document
from .config_format import BANDS, BATCHES, OFFERS, SURGES, TARIFFS, TOP_KEYS
from .config_rows import RowContext, assign, clean, rows_of
from .config_sections import offer_codes, write_row


def import_pricing(
    operator: Operator,
    document: dict[str, Any],
    *,
    dry_run: bool = False,
    prune: bool = False,
    user=None,
) -> ImportPlan:
    """Apply the document to the operator (or, with dry_run, only find what that would
    do). The plan's errors are empty when it applied."""
    run = _Import(operator, prune, user, dry_run)
    with transaction.atomic():
        run.check_top(document)
        if not run.problems.lines:
            run.tariffs(document)
            run.surges(document)
            run.offers(document)
        if run.problems.lines or dry_run:
            transaction.set_rollback(True)
    order = {TARIFFS.key: 0, SURGES.key: 1, OFFERS.key: 2}
    run.plan.rows.sort(key=lambda r: (order[r.section], r.code))
    run.plan.errors = run.problems.lines
    return run.plan


class _Import(RowContext):
    def __init__(self, operator: Operator, prune: bool, user, dry_run: bool) -> None:
        super().__init__(operator)
        self.operator, self.prune, self.user, self.dry_run = operator, prune, user, dry_run
        self.plan = ImportPlan()

    def check_top(self, document: dict[str, Any]) -> None:
        for key in sorted(str(k) for k in document if k not in TOP_KEYS):
            self.problems.add(key, "not part of a pricing document")
        currency = document.get("currency", self.operator.currency)
        if currency != self.operator.currency:
            self.problems.add(
                "currency",
                f"the document prices in {currency}; {self.operator.code} uses "
                f"{self.operator.currency}",
            )

    def _record(self, section: str, code: str, before, after, created: bool, note="") -> None:
        changes = compare(before, after)
        action = CREATE if created else UPDATE if changes else UNCHANGED
        self.plan.rows.append(RowPlan(section, code, action, changes, note))

    def _absent(self, section: str, rows, named: set[str], retire) -> None:
        """Rows the document does not name: left alone, or retired with prune."""
        for row in rows:
            if row.code in named:
                continue
            if not self.prune:
                self.plan.rows.append(RowPlan(section, row.code, LEFT_ALONE, note="not in the "
                                              "document; --prune would retire it"))  # fmt: skip
                continue
            change = retire(row)
            if change is None:
                note = "not in the document; already out of service"
                self.plan.rows.append(RowPlan(section, row.code, UNCHANGED, note=note))
            else:
                action, changes = change
                self.plan.rows.append(RowPlan(section, row.code, action, changes,
                                              note="not in the document"))  # fmt: skip

    # -- tariffs and their bands ---------------------------------------------------------------

    def tariffs(self, document: dict[str, Any]) -> None:
        rows = rows_of(document, TARIFFS, self.problems)
        named = {r["code"] for _, r in rows}
        existing = {t.code: t for t in self.operator.tariffs.all()}
        # Out of service first, so a tariff the document activates finds its scope free.
        self._absent(TARIFFS.key, existing.values(), named, self._deactivate)
        rows.sort(key=lambda ir: ir[1].get("active", True) is not False)
        for i, row in rows:
            self._tariff(i, row, existing.get(row["code"]))

    def _deactivate(self, tariff: Tariff):
        if not tariff.active:
            return None
        tariff.active = False
        tariff.save(update_fields=["active", "updated_at"])
        return DEACTIVATE, compare({"active": True}, {"active": False})

    def _tariff_document(self, tariff: Tariff) -> dict[str, Any]:
        doc = row_document(TARIFFS, tariff, self.tz)
        bands = sorted(tariff.bands.all(), key=lambda b: b.code)
        doc["bands"] = [row_document(BANDS, b, self.tz) for b in bands]
        return doc

    def _tariff(self, i: int, row: dict[str, Any], tariff: Tariff | None) -> None:
        path = f"tariffs[{i}]"
        before = self._tariff_document(tariff) if tariff is not None else None
        created = tariff is None
        tariff = tariff or Tariff(operator=self.operator)
        if not self._ocpi_readable(row.get("ocpi"), f"{path}.ocpi"):
            return
        if not write_row(self, TARIFFS, tariff, row, path, before):
            return
        if not self._bands(tariff, row, path):
            return
        self._record(TARIFFS.key, tariff.code, before, self._tariff_document(tariff), created)

    def _ocpi_readable(self, ocpi: Any, path: str) -> bool:
        """A kept OCPI tariff prices sessions: it must pass the OCPI import's parser."""
        if ocpi is None:
            return True
        try:
            parsed = parse_tariff(ocpi)
        except OcpiTariffError as exc:
            where = f"{path}.{exc.path}" if exc.path else path
            self.problems.add(where, f"not valid OCPI 2.2.1: {exc.message}")
            return False
        if parsed.currency != self.operator.currency:
            self.problems.add(f"{path}.currency", f"{self.operator.code} uses "
                              f"{self.operator.currency}, not {parsed.currency}")  # fmt: skip
            return False
        return True

    def _bands(self, tariff: Tariff, row: dict[str, Any], path: str) -> bool:
        bands = rows_of(row, BANDS, self.problems, f"{path}.")
        existing = {b.code: b for b in tariff.bands.all()}
        olds = {code: row_document(BANDS, b, self.tz) for code, b in existing.items()}
        wanted, ok = [], True
        for j, data in bands:
            band = existing.get(data["code"]) or TariffBand(tariff=tariff)
            here = f"{path}.bands[{j}]"
            if assign(BANDS, band, data, here, self.places, self.problems) is None:
                ok = False
            elif clean(band, here, self.problems):
                wanted.append(band)
            else:
                ok = False
        if not ok or len(wanted) != len(row.get("bands") or []):
            return False
        overlap = first_overlap([Window(b.label, b.start, b.end, tuple(b.days)) for b in wanted])
        if overlap:
            self.problems.add(f"{path}.bands", overlap)
            return False
        for code, band in existing.items():
            if code not in {b.code for b in wanted}:
                band.delete()
        for band in wanted:
            if band.pk is None or olds[band.code] != row_document(BANDS, band, self.tz):
                band.save()
        return True

    # -- surge rules ---------------------------------------------------------------------------

    def surges(self, document: dict[str, Any]) -> None:
        rows = rows_of(document, SURGES, self.problems)
        existing = {r.code: r for r in self.operator.surge_rules.prefetch_related("stations")}
        for i, row in rows:
            rule = existing.get(row["code"])
            before = row_document(SURGES, rule, self.tz) if rule is not None else None
            target = rule or SurgeRule(operator=self.operator)
            if write_row(self, SURGES, target, row, f"surge_rules[{i}]", before, self._notice):
                after = row_document(SURGES, target, self.tz)
                self._record(SURGES.key, target.code, before, after, rule is None)
        self._absent(SURGES.key, existing.values(), {r["code"] for _, r in rows}, self._pause)

    def _notice(self, rule: SurgeRule, before, wanted, path: str) -> bool:
        """The advance-notice rule the admin form applies to new and price-changing rules."""
        changed = [k for k in wanted if before is None or before.get(k) != wanted[k]]
        old = {"valid_until": None if before is None else self._old_until(rule)}
        new = {"paused": rule.paused, "valid_until": rule.valid_until}
        changes = needs_notice(changed, new=before is None, old_values=old, new_values=new)
        message = notice_error(self.operator, rule.effective_from) if changes else None
        if message:
            what = "A new surge rule" if before is None else f"Changing {', '.join(changes)}"
            self.problems.add(f"{path}.effective_from", f"{what} needs notice. {message}")
            return False
        return True

    def _old_until(self, rule: SurgeRule):
        return SurgeRule.objects.filter(pk=rule.pk).values_list("valid_until", flat=True).first()

    def _pause(self, rule: SurgeRule):
        if rule.paused:
            return None
        rule.paused = True
        rule.save(update_fields=["paused", "updated_at"])
        return PAUSE, compare({"paused": False}, {"paused": True})

    # -- offers, their multi-use code and code batches -----------------------------------------

    def offers(self, document: dict[str, Any]) -> None:
        rows = rows_of(document, OFFERS, self.problems)
        existing = {o.code: o for o in Offer.objects.filter(operator=self.operator)}
        for i, row in rows:
            offer = existing.get(row["code"])
            before = self._offer_document(offer) if offer is not None else None
            target = offer or Offer(operator=self.operator)
            path = f"offers[{i}]"
            if not write_row(self, OFFERS, target, row, path, before):
                continue
            if not offer_codes(self, target, row, path):
                continue
            note = self._batches(target, row, path)
            if note is None:
                continue
            self._record(OFFERS.key, target.code, before, self._offer_document(target),
                         offer is None, note)  # fmt: skip
        self._absent(OFFERS.key, existing.values(), {r["code"] for _, r in rows}, self._pause_offer)

    def _offer_document(self, offer: Offer) -> dict[str, Any]:
        doc = row_document(OFFERS, offer, self.tz)
        multi = offer.codes.filter(batch__isnull=True)
        doc.update(offer_codes_document(multi, offer.batches.all()))
        return doc

    def _pause_offer(self, offer: Offer):
        if offer.status != OfferStatus.ACTIVE:
            return None
        offer.status = OfferStatus.PAUSED
        offer.save(update_fields=["status", "updated_at"])
        return PAUSE, compare({"status": "active"}, {"status": "paused"})

    def _batches(self, offer: Offer, row: dict[str, Any], path: str) -> str | None:
        """Batches the document has and the offer lacks are generated (in a dry run, only
        their definition is written); batches the offer has beyond it are kept."""
        have = [(b.prefix, b.count) for b in offer.batches.all()]
        missing = []
        items = row.get("code_batches") or []
        if not isinstance(items, list):
            self.problems.add(f"{path}.code_batches", "expected a list")
            return None
        for j, item in enumerate(items):
            here = f"{path}.code_batches[{j}]"
            if not isinstance(item, dict) or set(item) - {"prefix", "count"}:
                self.problems.add(here, "expected {prefix, count}")
                return None
            batch = CodeBatch(offer=offer)
            if assign(BATCHES, batch, item, here, self.places, self.problems) is None:
                return None
            if not clean(batch, here, self.problems, exclude=["created_by"]):
                return None
            key = (batch.prefix, batch.count)
            if key in have:
                have.remove(key)
            else:
                missing.append(key)
        for prefix, count in missing:
            if self.dry_run:
                CodeBatch.objects.create(offer=offer, prefix=prefix, count=count)
            else:
                generate_batch(offer, count, prefix, user=self.user)
        if have:
            return f"{len(have)} code batch(es) not in the document are kept"
        return ""
