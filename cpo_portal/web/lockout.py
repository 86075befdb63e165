"""What a locked-out sign-in sees (AXES_LOCKOUT_CALLABLE): why, for how long, what to do.

Rendered inside the admin's own frame (site header, theme) for browsers; API clients get
JSON. Both are 429 with Retry-After, so scripts back off instead of hammering.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

HTML = "admin/locked_out.html"


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed sign-in attempts for this account from your address. "
        f"Try again in {minutes} minutes, or ask an administrator to unlock it."
    )
    if not request.accepts("text/html"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        context = {
            **admin.site.each_context(request),
            "title": "Sign-in locked",
            "message": message,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": minutes,
        }
        response = render(request, HTML, context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
