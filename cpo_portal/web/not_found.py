"""A 404 for an API path is JSON, like every other answer of the API; pages keep Django's.

A client that builds a malformed URL (/api/analytics/daily-rollups/1.5/ matches no route)
otherwise gets an HTML page it cannot parse.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_SEGMENT = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if API_SEGMENT in request.path:
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
