"""`manage.py cds_standin`: a stand-in Catalog Discovery Service on loopback (development:
`make run` starts it). It registers itself in the subscriber registry as a CDS with a
fresh signing key, ACKs `/catalog/publish`, checks each catalog against the Beckn 2.0.0
schema and calls back `/catalog/on_publish`, signed. With --for-all-operators, every
operator without a CDS gets this one, so its catalogs are published here by the beat."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError

from beckn import conf
from beckn.models import CatalogService, SigningKey, Subscriber, SubscriberType
from beckn.protocol.signing import generate_keypair
from beckn.services import fastschema
from beckn.simulator.cds import StandInCds
from cpo_portal.management.product_command import ProductCommand
from cpo_portal.models import Operator


def schema_issues(body: dict[str, Any]) -> list[str]:
    """The Beckn 2.0.0 schema's issues with a `/catalog/publish` body (its attribute
    packs included), as `path: message`."""
    return [f"{i.path}: {i.message}" for i in fastschema.issues_v2("catalog/publish", body)]


class Command(ProductCommand):
    help = "Run a stand-in Catalog Discovery Service on loopback (development)."

    def add_arguments(self, parser) -> None:
        default_port = int(os.environ.get("PORT") or 8300)
        parser.add_argument("--port", type=int, default=default_port)
        parser.add_argument("--subscriber-id", default="cds.local")
        parser.add_argument(
            "--for-all-operators",
            action="store_true",
            help="Make this the CDS of every operator that has none.",
        )

    def handle(self, *args, **options) -> None:
        if not 0 <= options["port"] < 65536:  # 0: any free port
            raise CommandError(f"--port {options['port']} is not a TCP port")
        private, public = generate_keypair()
        cds_id = options["subscriber_id"]
        ours = {(conf.bpp_id(), k.key_id): k.public_key for k in SigningKey.objects.all()}
        cds = StandInCds(
            subscriber_id=cds_id,
            key_id=f"{cds_id}.k1",
            private_key=private,
            lookup=lambda sid, kid: ours.get((sid, kid)),
            validate=schema_issues,
            port=options["port"],
        )
        try:
            cds.start()
        except OSError as exc:
            raise CommandError(f"cannot listen on 127.0.0.1:{options['port']}: {exc}") from None
        Subscriber.objects.update_or_create(
            subscriber_id=cds_id,
            key_id=cds.key_id,
            defaults={"type": SubscriberType.CDS, "url": cds.url,
                      "signing_public_key": public, "status": "SUBSCRIBED"},
        )  # fmt: skip
        self.stdout.write(f"Stand-in CDS {cds_id} at {cds.url}/catalog/publish")
        if options["for_all_operators"]:
            for operator in Operator.objects.filter(catalog_service__isnull=True):
                CatalogService.objects.create(operator=operator, cds_id=cds_id)
                self.stdout.write(f"  {operator.code} now publishes to {cds_id}")
        cds.serve_forever()
