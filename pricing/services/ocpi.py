"""OCPI 2.2.1 Tariff import and export for the admin and `manage.py ocpi_tariff`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from cpo_portal.db.validation import describe
from cpo_portal.db.values import ocpi_id_of
from cpo_portal.models import Charger, Operator, Station
from cpo_portal.web import jsonlimits
from pricing.engine.ocpi import OcpiTariffError, parse_tariff, tariff_to_json
from pricing.engine.ocpi.convert import OcpiExportError, from_ocpi, to_ocpi
from pricing.engine.schedule import LabelledWindow, first_overlap
from pricing.models import Tariff, TariffBand
from pricing.models.validators import slug_code

from .convert import engine_tariff

MAX_BYTES = 1_000_000
MAX_DEPTH = 10


class OcpiError(ValueError):
    """The file is not an OCPI tariff we can import, or the tariff cannot be exported."""


@dataclass
class ImportResult:
    tariff: Tariff
    created: bool
    kept_ocpi: bool
    warnings: list[str] = field(default_factory=list)
    replaced: Tariff | None = None


def read_json(raw: bytes | str) -> dict[str, Any]:
    """The Tariff object in an upload, refused before parsing when it is larger than
    MAX_BYTES or nested deeper than MAX_DEPTH (an OCPI Tariff needs 5 levels)."""
    if len(raw) > MAX_BYTES:
        raise OcpiError(f"the file is larger than {MAX_BYTES // 1000} kB")
    try:
        data = jsonlimits.loads(raw, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
    except jsonlimits.JsonLimitError as exc:
        raise OcpiError(f"the file is {exc}") from exc
    except ValueError as exc:
        raise OcpiError(jsonlimits.not_json(exc)) from exc
    if isinstance(data, dict) and "data" in data and "status_code" in data:
        data = data["data"]  # an OCPI response envelope
    if not isinstance(data, dict):
        raise OcpiError("expected one OCPI Tariff object")
    return data


def _code(value: str) -> str:
    code = re.sub(r"[^A-Za-z0-9._\-]+", "-", value).strip("-._")[:64] or "ocpi-tariff"
    try:
        slug_code(code)
    except ValidationError as exc:
        raise OcpiError(f"cannot make a tariff code from {value!r}") from exc
    return code


def _tax_name(name: str, currency: str) -> str:
    """OCPI calls every tax VAT; in India it is GST (unless the tariff named it)."""
    return "GST" if name == "VAT" and currency == "INR" else name[:16]


def _name(data: dict[str, Any], code: str) -> str:
    for text in data.get("tariff_alt_text") or ():
        if isinstance(text, dict) and text.get("language") == "en" and text.get("text"):
            return str(text["text"]).splitlines()[0][:200]
    return f"OCPI tariff {code}"


@transaction.atomic
def import_ocpi(
    data: dict[str, Any],
    *,
    operator: Operator,
    station: Station | None = None,
    charger: Charger | None = None,
    code: str | None = None,
) -> ImportResult:
    """Create (or update, by code) the operator's tariff for an OCPI Tariff object and make
    it the active tariff of its scope, deactivating the one it replaces."""
    try:
        ocpi = parse_tariff(data)
    except OcpiTariffError as exc:
        raise OcpiError(f"not a valid OCPI 2.2.1 Tariff: {exc}") from exc
    if ocpi.currency != operator.currency:
        raise OcpiError(
            f"the tariff is in {ocpi.currency}; {operator.code} uses {operator.currency}"
        )
    for place in (station, charger):
        if place is not None and place.operator_id != operator.pk:
            raise OcpiError(f"{place.code} belongs to another operator")
    if station is not None and charger is not None:
        raise OcpiError("give a station or a charger, not both")
    mapped, warnings = from_ocpi(ocpi)
    windows = [LabelledWindow(b.label, b.window.start, b.window.end, tuple(b.window.days))
               for b in mapped.bands]  # fmt: skip
    overlap = first_overlap(windows)
    if overlap:
        warnings.append(f"{overlap} (OCPI: the first listed wins)")
    code = _code(code or ocpi.id)
    kept = bool(warnings)
    fields = {
        "name": _name(data, code),
        "station": station,
        "charger": charger,
        "currency": mapped.currency,
        "energy_rate_per_kwh": mapped.energy_rate_per_kwh,
        "service_fee": mapped.service_fee,
        "idle_fee_per_minute": mapped.idle_fee_per_minute,
        "idle_grace_minutes": mapped.idle_grace_minutes,
        "min_price": mapped.min_price,
        "max_price": mapped.max_price,
        "tax_rate": mapped.tax_rate,
        "tax_name": _tax_name(mapped.tax_name, mapped.currency),
        "prices_include_tax": mapped.tax_included,
        "ocpi": tariff_to_json(ocpi) if kept else None,
        "active": True,
    }
    _check_component_vat(ocpi)
    replaced = (
        Tariff.objects.select_for_update()
        .filter(operator=operator, active=True, station=station, charger=charger)
        .exclude(code=code)
        .first()
    )
    if replaced is not None:
        replaced.active = False
        replaced.save(update_fields=["active", "updated_at"])
    tariff = Tariff.objects.filter(operator=operator, code=code).first()
    created = tariff is None
    if tariff is None:
        tariff = Tariff(operator=operator, code=code)
    for name, value in fields.items():
        setattr(tariff, name, value)
    _valid(tariff, "the tariff")
    tariff.save()
    tariff.bands.all().delete()
    for band in mapped.bands:
        row = TariffBand(
            tariff=tariff,
            code=_code(band.code),
            label=band.label[:100],
            start=band.window.start,
            end=band.window.end,
            days=sorted(band.window.days),
            rate_per_kwh=band.rate_per_kwh,
        )
        _valid(row, f"band {row.code}")
        row.save()
    return ImportResult(tariff, created, kept, warnings, replaced)


def _valid(row: Tariff | TariffBand, what: str) -> None:
    """The model's own checks, as for a form; the whole import is rolled back on failure."""
    try:
        row.full_clean()
    except ValidationError as exc:
        raise OcpiError(f"{what} would be invalid: {describe(exc, type(row))}") from exc


def _check_component_vat(ocpi) -> None:
    """Kept OCPI JSON is priced with each component's own VAT: each must pass the same
    rule as the tariff's GST rate (a fraction 0 to 1, so 0 to 100 %)."""
    field = Tariff._meta.get_field("tax_rate")
    for i, element in enumerate(ocpi.elements):
        for j, component in enumerate(element.price_components):
            if component.vat is None:
                continue
            try:
                field.run_validators(component.vat / 100)
            except ValidationError as exc:
                raise OcpiError(
                    f"elements[{i}].price_components[{j}].vat: {component.vat}% is not a "
                    f"valid {field.verbose_name} ({' '.join(exc.messages)})"
                ) from exc


def party_id(operator: Operator) -> str:
    """OCPI party ids are three letters/digits: derived from the provider id (cpo1.com -> CPO)."""
    letters = re.sub(r"[^A-Za-z0-9]", "", operator.code).upper()
    return (letters + "XXX")[:3]


def export_ocpi(tariff: Tariff, *, convert_tax_inclusive: bool = False) -> dict[str, Any]:
    """The OCPI Tariff object for a tariff: the kept JSON when it was imported as such."""
    if tariff.ocpi:
        return tariff.ocpi
    try:
        return to_ocpi(
            engine_tariff(tariff, tariff.bands.all()),
            id=ocpi_id_of(tariff.code),
            country_code=getattr(settings, "OCPI_COUNTRY_CODE", "IN"),
            party_id=party_id(tariff.operator),
            last_updated=tariff.updated_at,
            convert_tax_inclusive=convert_tax_inclusive,
        )
    except OcpiExportError as exc:
        raise OcpiError(f"Tariff {tariff.code} cannot be exported to OCPI: {exc}") from exc
