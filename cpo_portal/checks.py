"""Deploy checks of our own (`manage.py check --deploy`), beside Django's security checks,
and a check of stored rows (`manage.py migrate`, `manage.py check --database default`).

Each deploy check names a production setting whose unsafe value would not fail loudly on
its own. The row check names the connectors saved before their ids were validated whose
ids no OCPI id can be.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import connections

from cpo_portal.db.values import OCPI_ID_MARKS, ocpi_id_flaw, quoted
from cpo_portal.models import Connector

SHOWN = 20  # connectors named by W005; the rest are counted


def _unless(safe: bool, message: str, hint: str, id: str) -> list[Warning]:
    return [] if safe else [Warning(message, hint=hint, id=id)]


@register(Tags.security, deploy=True)
def check_customer_key_salt(app_configs, **kwargs) -> list[Warning]:
    return _unless(
        settings.CUSTOMER_KEY_SALT != "customer:" + settings.SECRET_KEY,
        "CUSTOMER_KEY_SALT is derived from SECRET_KEY.",
        "Set CUSTOMER_KEY_SALT once and never change it: rotating SECRET_KEY would "
        "otherwise re-key every customer and orphan their offer usage.",
        "cpo_portal.W001",
    )


@register(Tags.security, deploy=True)
def check_login_throttling(app_configs, **kwargs) -> list[Warning]:
    return _unless(
        settings.AXES_ENABLED,
        "Login throttling is off (AXES_ENABLED).",
        "Unset AXES_ENABLED; unlock accounts with `manage.py axes_reset`.",
        "cpo_portal.W002",
    )


@register(Tags.security, deploy=True)
def check_csp_enforced(app_configs, **kwargs) -> list[Warning]:
    return _unless(
        bool(getattr(settings, "CONTENT_SECURITY_POLICY", None)),
        "The content security policy is only reported, not enforced (CSP_REPORT_ONLY).",
        "Use report-only to trial a change, then unset CSP_REPORT_ONLY.",
        "cpo_portal.W003",
    )


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    return _unless(
        bool(settings.CACHE_URL),
        "No shared cache (CACHE_URL): each web process keeps its own Beckn rate-limit "
        "counters and registry lookups.",
        "Set CACHE_URL=redis://host:6379/1.",
        "cpo_portal.W004",
    )


@register(Tags.database)
def check_connector_ids(app_configs, databases=None, **kwargs) -> list[Warning]:
    """Connectors stored before connector_id was validated may hold an id OCPI cannot
    carry ("Type 2"): roaming partners are given it as it is, and a CDR naming it is
    refused. Such an id is named, never renamed here: partners know the connector by it."""
    bad = []
    for alias in databases or []:
        if Connector._meta.db_table not in connections[alias].introspection.table_names():
            continue  # a database not migrated yet holds no connector
        rows = Connector.objects.using(alias).order_by("pk")
        fields = ("charger__operator__code", "charger__code", "connector_id")
        for operator, charger, connector_id in rows.values_list(*fields).iterator():
            flaw = ocpi_id_flaw(connector_id)
            if flaw is not None:
                bad.append(f"{operator} charger {charger}: connector {quoted(connector_id)} {flaw}")
    more = f"; and {len(bad) - SHOWN} more" if len(bad) > SHOWN else ""
    return _unless(
        not bad,
        f"{len(bad)} connector id(s) published to roaming partners in OCPI Locations "
        f"are not OCPI ids: {'; '.join(bad[:SHOWN])}{more}.",
        f"Change each id, on its charger's admin page, to ASCII letters, digits and "
        f"{OCPI_ID_MARKS} only, and tell the roaming partners: a CDR naming the old id "
        "is refused. No id is changed for you.",
        "cpo_portal.W005",
    )
