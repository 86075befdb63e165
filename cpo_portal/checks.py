"""Deploy checks of our own (`manage.py check --deploy`), beside Django's security checks.

Each one names a production setting whose unsafe value would not fail loudly on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_customer_key_salt(app_configs, **kwargs) -> list[Warning]:
    if settings.CUSTOMER_KEY_SALT != "customer:" + settings.SECRET_KEY:
        return []
    return [
        Warning(
            "CUSTOMER_KEY_SALT is derived from SECRET_KEY.",
            hint="Set CUSTOMER_KEY_SALT once and never change it: rotating SECRET_KEY would "
            "otherwise re-key every customer and orphan their offer usage.",
            id="cpo_portal.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_login_throttling(app_configs, **kwargs) -> list[Warning]:
    if settings.AXES_ENABLED:
        return []
    return [
        Warning(
            "Login throttling is off (AXES_ENABLED).",
            hint="Unset AXES_ENABLED; unlock accounts with `manage.py axes_reset`.",
            id="cpo_portal.W002",
        )
    ]


@register(Tags.security, deploy=True)
def check_csp_enforced(app_configs, **kwargs) -> list[Warning]:
    if getattr(settings, "CONTENT_SECURITY_POLICY", None):
        return []
    return [
        Warning(
            "The content security policy is only reported, not enforced (CSP_REPORT_ONLY).",
            hint="Use report-only to trial a change, then unset CSP_REPORT_ONLY.",
            id="cpo_portal.W003",
        )
    ]


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    if settings.CACHE_URL:
        return []
    return [
        Warning(
            "No shared cache (CACHE_URL): each web process keeps its own Beckn rate-limit "
            "counters and registry lookups.",
            hint="Set CACHE_URL=redis://host:6379/1.",
            id="cpo_portal.W004",
        )
    ]
