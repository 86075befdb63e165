"""Import an OCPI 2.2.1 Tariff JSON file as a tariff, or export a tariff as OCPI JSON.

manage.py ocpi_tariff import FILE --operator CODE [--station CODE] [--charger CODE]
manage.py ocpi_tariff export --tariff ID [--operator CODE] [--output FILE]
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError

from cpo_portal.formatting.number_inputs import whole_number
from cpo_portal.management.product_command import ProductCommand
from cpo_portal.models import Charger, Operator, Station
from pricing.models import Tariff
from pricing.services.ocpi import MAX_BYTES, OcpiError, export_ocpi, import_ocpi, read_json


class Command(ProductCommand):
    help = "Import or export OCPI 2.2.1 Tariff objects."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a Tariff JSON file.")
        imp.add_argument("file")
        imp.add_argument("--operator", required=True, metavar="CODE")
        imp.add_argument("--station", metavar="CODE")
        imp.add_argument("--charger", metavar="CODE")
        imp.add_argument("--code", help="Tariff code (default: the OCPI id).")
        exp = sub.add_parser("export", help="Print a tariff as OCPI JSON.")
        exp.add_argument("--tariff", required=True, metavar="ID", help="Tariff id or code.")
        exp.add_argument("--operator", metavar="CODE", help="Needed when a code is ambiguous.")
        exp.add_argument("--output", metavar="FILE", help="Write here instead of stdout.")
        exp.add_argument(
            "--convert-tax-inclusive",
            action="store_true",
            help="Export a tax-inclusive tariff with prices divided by (1 + GST rate).",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "import":
            self._import(options)
        else:
            self._export(options)

    def _import(self, options) -> None:
        operator = Operator.objects.filter(code=options["operator"]).first()
        if operator is None:
            raise CommandError(f"Unknown operator {options['operator']!r}.")
        station = charger = None
        if options.get("station"):
            station = Station.objects.filter(operator=operator, code=options["station"]).first()
            if station is None:
                raise CommandError(f"Unknown station {options['station']!r} at {operator.code}.")
        if options.get("charger"):
            charger = Charger.objects.filter(operator=operator, code=options["charger"]).first()
            if charger is None:
                raise CommandError(f"Unknown charger {options['charger']!r} at {operator.code}.")
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)  # read_json refuses anything larger
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            result = import_ocpi(
                read_json(raw), operator=operator, station=station, charger=charger,
                code=options.get("code"),
            )  # fmt: skip
        except OcpiError as exc:
            raise CommandError(" ".join(str(exc).split())) from exc
        tariff = result.tariff
        verb = "Created" if result.created else "Updated"
        self.stdout.write(f"{verb} tariff {tariff.code} (id {tariff.pk}, {tariff.scope_label}).")
        if result.replaced is not None:
            self.stdout.write(f"Deactivated {result.replaced.code}.")
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if result.kept_ocpi:
            self.stdout.write("Kept the OCPI JSON: sessions are priced by the OCPI calculator.")

    def _export(self, options) -> None:
        key = options["tariff"]
        tariffs = Tariff.objects.select_related("operator")
        if options.get("operator"):
            tariffs = tariffs.filter(operator__code=options["operator"])
        pk = whole_number(key)
        found = list(tariffs.filter(pk=pk) if pk is not None else tariffs.filter(code=key))
        if not found:
            raise CommandError(f"Unknown tariff {key!r}.")
        if len(found) > 1:
            raise CommandError(
                f"Tariff code {key!r} is used by several operators: give --operator."
            )
        try:
            data = export_ocpi(found[0], convert_tax_inclusive=options["convert_tax_inclusive"])
        except OcpiError as exc:
            raise CommandError(" ".join(str(exc).split())) from exc
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if options.get("output"):
            path = Path(options["output"])
            try:
                path.write_text(text + "\n", encoding="utf-8")
            except OSError as exc:  # as pricing_export words it
                raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
            self.stdout.write(f"Wrote {options['output']}.")
        else:
            self.stdout.write(text)
