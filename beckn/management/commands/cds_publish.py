"""`manage.py cds_publish [--operator CODE]`: publish every catalog of the operators (one
per station) to their Catalog Discovery Services now (every operator with an active CDS
by default)."""

from __future__ import annotations

from django.core.management.base import CommandError

from beckn.models import CatalogService
from beckn.services import cds
from cpo_portal.management.product_command import ProductCommand


class Command(ProductCommand):
    help = "Publish every catalog to each operator's Catalog Discovery Service now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--operator", help="Only this operator (its provider id).")

    def handle(self, *args, **options) -> None:
        services = CatalogService.objects.select_related("operator").filter(active=True)
        if options["operator"]:
            services = services.filter(operator__code=options["operator"])
            if not services.exists():
                raise CommandError(
                    f"operator {options['operator']!r} has no active CDS: configure one in "
                    "the admin (Catalog discovery services)"
                )
        for service in services:
            try:
                sent = cds.publish_now(service.operator)
            except Exception as exc:  # one operator's catalog could not be rendered
                raise CommandError(f"{service.operator.code}: not published: {exc}") from None
            catalogs = sum(len(one.catalog_ids) for one in sent)
            self.stdout.write(
                f"{service.operator.code}: {catalogs} catalog(s) queued for "
                f"{service.cds_id} in {len(sent)} publish(es)"
            )
        if not services:
            self.stdout.write("No operator has an active CDS: nothing published.")
