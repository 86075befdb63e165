"""URLs. Other apps are included by dotted name, so this module imports none of them."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),  # ADMIN_URL, "admin/" unless set
]

# Each app contributes its own URL module; names are strings so that cpo_portal, the
# bottom layer, never imports the layers above it.
APP_URLS = [
    ("pricing/", "pricing.urls"),
    # ("analytics/", "offers.urls"),
    # ("beckn/", "beckn.urls"),
]
urlpatterns += [path(prefix, include(module)) for prefix, module in APP_URLS]
