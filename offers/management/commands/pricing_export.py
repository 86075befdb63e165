"""Print or write an operator's whole pricing as one versioned document.

manage.py pricing_export --operator CODE [--format yaml|json] [-o FILE]
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from cpo_portal.management.product_command import ProductCommand
from cpo_portal.models import Operator
from offers.services.config.exporting import export_pricing
from offers.services.config.format import dump


class Command(ProductCommand):
    help = "Export an operator's tariffs, surge rules and offers as a pricing document."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--operator", required=True, metavar="CODE")
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument("-o", "--output", metavar="FILE", help="Write here, not stdout.")

    def handle(self, *args, **options) -> None:
        operator = Operator.objects.filter(code=options["operator"]).first()
        if operator is None:
            raise CommandError(f"Unknown operator {options['operator']!r}.")
        text = dump(export_pricing(operator), options["format"])
        if not options.get("output"):
            self.stdout.write(text, ending="")
            return
        path = Path(options["output"])
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from exc
        self.stderr.write(f"Wrote {operator.code}'s pricing to {path}.")
