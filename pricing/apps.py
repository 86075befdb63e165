from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = "Pricing: tariffs and surges"

    def ready(self) -> None:
        # Version bumps on every change that can alter a compiled price book.
        from pricing.services import invalidation  # noqa: F401
