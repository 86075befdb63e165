"""URLs. Other apps are included by dotted name, so this module imports none of them."""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from cpo_portal.changes.views import change_log
from cpo_portal.deploy.health import healthz
from cpo_portal.web.api_docs import schema_view, swagger_view


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on pages that name no icon (JSON, files)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("cpo_portal/img/favicon.svg")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # "/" and the admin's index lead to the staff home (offers.staff_home): today's figures
    # of the user's operators, alerts, the main tools, and every model list below them.
    path("", RedirectView.as_view(pattern_name="admin:index"), name="site-root"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path(settings.ADMIN_URL + "changes/", admin.site.admin_view(change_log), name="change-log"),
    path(settings.ADMIN_URL, include("offers.urls")),  # exactly the index URL
    path(settings.ADMIN_URL, admin.site.urls),  # ADMIN_URL, "admin/" unless set
    # The OpenAPI schema of every DRF endpoint and the Beckn BPP, and Swagger UI under the
    # CSP (api_docs.py).
    path("api/schema/", schema_view, name="schema"),
    path("api/docs/", swagger_view, name="swagger-ui"),
]

# Each app contributes its own URL module; names are strings so that cpo_portal, the
# bottom layer, never imports the layers above it.
APP_URLS = [
    ("pricing/", "pricing.urls"),
    ("analytics/", "analytics.urls"),
    ("api/analytics/", "analytics.api.urls"),
    ("beckn/", "beckn.urls"),
    ("ocpi/", "roaming.urls"),
]
urlpatterns += [path(prefix, include(module)) for prefix, module in APP_URLS]

handler404 = "cpo_portal.web.not_found.not_found"  # JSON under /api/, Django's page elsewhere
