"""manage.py import_customers customers.csv --operator cpo1.com"""

from __future__ import annotations

import io

from django.core.management.base import CommandError

from cpo_portal.management.product_command import ProductCommand
from cpo_portal.models import Operator
from offers.services.customer_import import import_customers, text_of


class Command(ProductCommand):
    help = (
        "Import customers from CSV (phone and/or email, segment, tier, member, referred, "
        "joined_on). Contacts are hashed with CUSTOMER_KEY_SALT and never stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header row.")
        parser.add_argument("--operator", required=True, help="Operator (provider id).")

    def handle(self, *args, **options):
        try:
            operator = Operator.objects.get(code=options["operator"])
        except Operator.DoesNotExist:
            raise CommandError(f"No operator {options['operator']!r}.") from None
        try:
            with open(options["file"], "rb") as handle:
                text = text_of(handle.read())
            result = import_customers(operator, io.StringIO(text, newline=""))
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(self.style.SUCCESS(f"{operator.code}: {result}"))
