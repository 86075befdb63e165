import gc

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps

# The cyclic garbage collector's thresholds in every process (gc.set_threshold). With
# CPython's default (700, 10, 10) the objects a worker makes while it answers (a layout,
# a recording) live through enough young collections to count towards a full one, which
# then walks the whole heap, the published catalog a worker keeps included, in the middle
# of whatever the worker was doing. Collecting the youngest objects every 50,000
# allocations instead of 700 lets them die young (the pauses and searches' p95 before and
# after: bench/gc_pauses.py, bench/results/on_search.md).
GC_THRESHOLD = (50_000, 20, 10)


class CpoPortalConfig(AppConfig):
    name = "cpo_portal"
    verbose_name = "Charging network"

    def ready(self) -> None:
        from . import (
            celery,  # noqa: F401  (the Celery application, current in every process)
            checks,  # noqa: F401  (registers the deploy checks)
            signals,  # noqa: F401  (renews the network stamp)
        )
        from .db import utf8_text

        utf8_text.register()  # psycopg writes a callback's text as the bytes it was made of
        gc.set_threshold(*GC_THRESHOLD)


class ProductAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the product's site as the default (cpo_portal.web.admin_site);
    named in INSTALLED_APPS, never this app's own config."""

    default = False
    default_site = "cpo_portal.web.admin_site.ProductAdminSite"
