from django.apps import AppConfig


class CpoPortalConfig(AppConfig):
    name = "cpo_portal"
    verbose_name = "Charging network"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the deploy checks)
            signals,  # noqa: F401  (renews the network stamp)
        )
