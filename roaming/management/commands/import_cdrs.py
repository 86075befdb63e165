"""Import the CDRs (OCPI 2.2.1) an operator's charging system exported: JSON lines or a
JSON array. Each CDR is validated, matched to a station and charger, priced by our tariff
and counted in the session facts; a refused one is reported with its line and reason
(a line that is not UTF-8 text too), and the others are imported.

manage.py import_cdrs sessions.jsonl --operator cpo1.example
"""

from __future__ import annotations

from django.core.management.base import CommandError

from cpo_portal.management.product_command import ProductCommand
from cpo_portal.models import Operator
from roaming.services.cdr_imports import ENCODING, ERRORS, import_file


class Command(ProductCommand):
    help = "Import OCPI 2.2.1 CDRs (JSON lines or a JSON array) into an operator's sessions."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The file of CDRs.")
        parser.add_argument("--operator", required=True, help="The operator's code.")

    def handle(self, *args, file: str, operator: str, **options) -> None:
        row = Operator.objects.filter(code=operator).first()
        if row is None:
            raise CommandError(f"no operator with code {operator!r}")

        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{done} read")

        try:
            with open(file, encoding=ENCODING, errors=ERRORS) as lines:
                totals = import_file(row, lines, progress)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
        for error in totals.errors:
            self.stderr.write(error)
        if totals.refused > len(totals.errors):
            self.stderr.write(f"... and {totals.refused - len(totals.errors)} more refused")
        self.stdout.write(totals.summary())
