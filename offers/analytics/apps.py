from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Rollups of the redemption ledger, the ROI and surge dashboards, exports and the API.

    It lives inside the offers package (the offers layer): it reads the ledger and offers,
    pricing and the network, and nothing above it.
    """

    name = "offers.analytics"
    label = "analytics"
    verbose_name = "Analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from offers.signals import session_settled

        from .services.sessions import record_settled_session

        session_settled.connect(record_settled_session, dispatch_uid="analytics-sessions")
