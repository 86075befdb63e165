from django.apps import AppConfig


class BecknConfig(AppConfig):
    name = "beckn"
    verbose_name = "Beckn BPP"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from beckn import checks  # noqa: F401  (registers the settings checks)
        from beckn.models import Subscriber
        from beckn.services import jobs, registry
        from beckn.tasks import CeleryPublisher

        jobs.register(CeleryPublisher())

        def forget(**kwargs) -> None:
            registry.forget()

        post_save.connect(forget, sender=Subscriber, weak=False, dispatch_uid="beckn-registry-save")
        post_delete.connect(
            forget, sender=Subscriber, weak=False, dispatch_uid="beckn-registry-del"
        )

        from beckn.services.addon_push import on_not_delivered
        from offers.services.addon_delivery import add_ons_not_delivered

        add_ons_not_delivered.connect(
            on_not_delivered, weak=False, dispatch_uid="beckn-add-ons-not-delivered"
        )
