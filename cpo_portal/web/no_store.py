"""Nothing a signed-in user is shown may be kept by a browser or a shared cache.

Dashboards, exports, the API and the admin carry one operator's prices, revenue and
customers. For every response to an authenticated request (a session, or a DRF token,
which DRF sets on the request while the view runs), `NoStoreMiddleware` adds
`Cache-Control: private, no-store` (merged into what a view already set: the admin's
never_cache keeps its own directives), so a shared proxy never stores it and a browser
never writes it to disk or shows it again after sign-out via the back button.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
