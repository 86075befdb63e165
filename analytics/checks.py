"""A check of stored rows (`manage.py migrate`, `manage.py check --database default`): the
sessions no figure counts because they are billed in another currency than their
operator's (models.sessions.IN_OPERATOR_CURRENCY), named per operator so that they are
never left out unseen.
"""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import connections
from django.db.models import Count

from analytics.models import NoOfferSession
from analytics.models.sessions import IN_OPERATOR_CURRENCY
from cpo_portal.models import Operator


@register(Tags.database)
def check_session_currencies(app_configs, databases=None, **kwargs) -> list[Warning]:
    """Sessions stored before a CDR in another currency was refused at import
    (roaming.services.cdr_intake.check_currency) may hold one. No rate is stored to
    convert them, so every figure leaves them out; the rows are kept as they were."""
    found = []
    for alias in databases or []:
        tables = connections[alias].introspection.table_names()
        if not {NoOfferSession._meta.db_table, Operator._meta.db_table} <= set(tables):
            continue  # a database not migrated yet holds no session
        rows = NoOfferSession.objects.using(alias).exclude(IN_OPERATOR_CURRENCY)
        groups = rows.values("operator__code", "operator__currency", "currency")
        for row in groups.annotate(n=Count("pk")).order_by("operator__code", "currency"):
            found.append(
                f"{row['operator__code']} ({row['operator__currency']}): "
                f"{row['n']} in {row['currency']}"
            )
    if not found:
        return []
    return [
        Warning(
            "Session rows billed in another currency than their operator's are left out of "
            f"every analytics figure (dashboards, exports, the API, what-if runs): "
            f"{'; '.join(found)}.",
            hint="No exchange rate is stored, so they cannot be converted; they stay stored as "
            "recorded (sessions are append-only). CDRs in another currency are now refused at "
            "import: if the amounts were in fact in the operator's currency, correct the "
            "charging system's CDR currency so that its later sessions count.",
            id="analytics.W001",
        )
    ]
