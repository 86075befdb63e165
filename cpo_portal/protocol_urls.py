"""URLs of the protocol pool (cpo_portal/settings/protocol_pool.py): the Beckn endpoints and
the health check. The app is included by dotted name, as in cpo_portal/urls.py."""

from django.urls import include, path

from cpo_portal.deploy.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("beckn/", include("beckn.urls")),
]

handler404 = "cpo_portal.web.not_found.not_found"
