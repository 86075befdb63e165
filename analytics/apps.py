from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Rollups of the redemption ledger, the ROI and surge dashboards, exports and the API.

    A top-level app beside beckn, above offers: it reads the ledger and session facts,
    offers, pricing and the network, and never imports beckn (nor does offers import it).
    """

    name = "analytics"
    label = "analytics"
    verbose_name = "Analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from offers.events import session_settled, sessions_received

        from . import checks  # noqa: F401  (registers the check of stored sessions)
        from .services.sessions import record_received_sessions, record_settled_session

        session_settled.connect(record_settled_session, dispatch_uid="analytics-sessions")
        sessions_received.connect(
            record_received_sessions, dispatch_uid="analytics-received-sessions"
        )
