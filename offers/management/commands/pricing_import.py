"""Import a pricing document into an operator, or show what importing it would do.

manage.py pricing_import FILE --operator CODE [--dry-run] [--prune] [--all]

Prints the plan (created, changed field by field, retired, left alone); on any problem,
prints one line per problem naming its place in the document, changes nothing and exits
with status 1.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from cpo_portal.management.product_command import ProductCommand
from cpo_portal.models import Operator
from offers.services.config.format import MAX_BYTES, FormatError, load
from offers.services.config.importing import import_pricing


class Command(ProductCommand):
    help = "Import a pricing document (JSON or YAML) into an operator, all or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--operator", required=True, metavar="CODE")
        parser.add_argument("--dry-run", action="store_true", help="Show the plan; change nothing.")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Retire rows the document does not name: deactivate tariffs, pause surge "
            "rules and active offers (nothing is deleted).",
        )
        parser.add_argument("--all", action="store_true", help="List unchanged rows too.")

    def handle(self, *args, **options) -> None:
        operator = Operator.objects.filter(code=options["operator"]).first()
        if operator is None:
            raise CommandError(f"Unknown operator {options['operator']!r}.")
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)  # load() refuses anything larger
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            document = load(raw)
        except FormatError as exc:
            raise CommandError(f"{path}: {exc}.") from exc
        plan = import_pricing(
            operator, document, dry_run=options["dry_run"], prune=options["prune"]
        )
        if plan.errors:
            for line in plan.errors:
                self.stderr.write(line)
            raise CommandError(f"{len(plan.errors)} problem(s); nothing was changed.")
        for line in plan.lines(unchanged=options["all"]):
            self.stdout.write(line)
        verb = "Would apply" if options["dry_run"] else "Applied"
        self.stdout.write(f"{verb} to {operator.code}: {plan.summary()}.")
