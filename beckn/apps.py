from django.apps import AppConfig


class BecknConfig(AppConfig):
    name = "beckn"
    verbose_name = "Beckn BPP"

    def ready(self) -> None:
        from beckn import (
            checks,  # noqa: F401  (registers the settings checks)
            worker_life,  # noqa: F401  (a worker's heartbeat and start)
        )
        from beckn.services import heartbeat, jobs
        from beckn.tasks import CeleryPublisher
        from cpo_portal.background import lease_holder

        jobs.register(CeleryPublisher())
        lease_holder.known_by(heartbeat.live_holders)

        from beckn.services.order_flow import orders_named
        from beckn.services.order_updates import on_not_delivered
        from offers.events import orders_named as orders_named_asked
        from offers.services import add_ons_not_delivered

        add_ons_not_delivered.connect(
            on_not_delivered, weak=False, dispatch_uid="beckn-add-ons-not-delivered"
        )
        orders_named_asked.connect(orders_named, weak=False, dispatch_uid="beckn-orders-named")

        from django.db.models.signals import pre_delete

        from beckn.models import CatalogService
        from beckn.services.cds import withdrawn_on_delete

        pre_delete.connect(
            withdrawn_on_delete, sender=CatalogService, dispatch_uid="beckn-cds-withdrawn"
        )
