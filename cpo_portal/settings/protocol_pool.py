"""The protocol pool's settings: the project's own, serving only /beckn/ and /healthz.

    DJANGO_SETTINGS_MODULE=cpo_portal.settings.protocol_pool GUNICORN_WORKER_CLASS=gevent \
        gunicorn -c gunicorn.conf.py

The proxy routes `/beckn/` to this gunicorn and everything else to the default pool
(docs/operations.md, The protocol pool). A Beckn request is signed by its sender, not
signed in: it uses no session, CSRF token, user, message, sign-in throttle, edit history
attribution, static file or page policy, so none of that middleware runs here. What guards
the protocol stays where it is, in the view and its services (beckn/services/intake.py):
the size limit, the signature and registry, the JSON limits and the core schema, the
context rules, admission, the rate limit with the BAP's backlog, and the committed row
before the ACK. The security middleware stays (HTTPS redirect, HSTS, nosniff, referrer
and opener policies), as do the Host check (CommonMiddleware: ALLOWED_HOSTS) and
X-Frame-Options.

Everything else (apps, database, caches, Celery, the Beckn settings) is the project's,
imported whole, so both pools run the same code on the same settings.
"""

from cpo_portal.settings import *  # noqa: F403

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The Beckn endpoints and the health check, nothing else: the admin, the dashboards, the
# API and its docs are answered 404 here (they are the default pool's).
ROOT_URLCONF = "cpo_portal.protocol_urls"

# Checks that ask for middleware of what this pool does not serve: the admin's session,
# auth and messages middleware (admin.E408-E410, the admin is not mounted), axes's for
# sign-ins (axes.W002, nobody signs in here) and, under --deploy, CSRF's (security.W003:
# no view here takes a cookie).
SILENCED_SYSTEM_CHECKS = [
    *globals().get("SILENCED_SYSTEM_CHECKS", []),
    "admin.E408",
    "admin.E409",
    "admin.E410",
    "axes.W002",
    "security.W003",
]
