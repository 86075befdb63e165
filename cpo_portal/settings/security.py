"""Safe unless DEBUG: TLS, cookies, login throttling, the content security policy and
request size limits. Each switch is explained in docs/operations.md."""

from __future__ import annotations

import os
from datetime import timedelta

from csp import constants as csp_constants

from cpo_portal.web import body_limits

from .environment import DEBUG, TESTING, env_bool

# --- Security (safe unless DEBUG) ---------------------------------------------------
BEHIND_TLS = env_bool("BEHIND_TLS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header is preload-eligible (a year, subdomains); opting out is a decision, so
    # the deploy check that asks for it (security.W021) is silenced only then.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # __Host- cookies are HTTPS-only, host-only and path=/: a sibling subdomain cannot
    # plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Health checks come from load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Admin location -----------------------------------------------------------------
ADMIN_URL = (os.environ.get("ADMIN_URL") or "admin").strip("/") + "/"

# --- Request size limits (gunicorn.conf.py limits the request line and headers) -----
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000))
# Every request body, before Django runs (cpo_portal/web/body_limits.py, with the defaults): at
# most REQUEST_BODY_MAX_BYTES, read within REQUEST_BODY_TIMEOUT seconds plus one second per
# REQUEST_BODY_MIN_RATE bytes received; else 413 / 408 and the connection closes.
REQUEST_BODY_MAX_BYTES = int(
    os.environ.get("REQUEST_BODY_MAX_BYTES") or body_limits.DEFAULT_MAX_BYTES
)
REQUEST_BODY_TIMEOUT = float(os.environ.get("REQUEST_BODY_TIMEOUT") or body_limits.DEFAULT_TIMEOUT)
REQUEST_BODY_MIN_RATE = int(os.environ.get("REQUEST_BODY_MIN_RATE") or body_limits.DEFAULT_MIN_RATE)
# Those refusals are `{"detail": "..."}`, except under a path prefix below: there, in the
# shape that door's clients read, written by the function named (path -> dotted path).
REQUEST_BODY_REFUSALS = {
    "/beckn/": "beckn.views.body_refusal",  # a NACK, 30000 (2.0's Ack under /beckn/v2/)
    "/ocpi/": "roaming.api.base.body_refusal",  # the OCPI envelope, 2000
}

# --- Login throttling (django-axes) -------------------------------------------------
# A username tried from one address is locked after AXES_FAILURE_LIMIT failures for
# AXES_COOLOFF_MINUTES; `manage.py axes_reset` (or the admin's "Access attempts") unlocks.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cpo_portal.web.lockout.locked_out"  # 429, Retry-After, admin frame
# Behind N reverse proxies the client is the N-th X-Forwarded-For entry from the right.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
AXES_CLIENT_IP_CALLABLE = "cpo_portal.web.client_ip.client_ip"

# --- Content security policy (django-csp 4) -----------------------------------------
# No inline script or style: templates load our own static files; a template that truly
# needs an inline <script> gives it nonce="{{ request.csp_nonce }}".
# CSP_REPORT_ONLY=1 reports violations (to CSP_REPORT_URI, if set) without blocking; the
# variable stays out of the settings namespace, where django-csp reads it as a 3.x setting.
_csp_policy = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "report-uri": os.environ.get("CSP_REPORT_URI") or None,
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_policy
else:
    CONTENT_SECURITY_POLICY = _csp_policy
