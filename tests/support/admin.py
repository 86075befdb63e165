"""The admin's URLs by model, for tests that drive the admin pages."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse


def admin_url(app_label: str, model: str, action: str, *args) -> str:
    """admin_url("offers", "offer", "change", pk): the admin's named URL for it."""
    return reverse(f"admin:{app_label}_{model}_{action}", args=args)


def admin_urls(app_label: str) -> Callable[..., str]:
    """`url = admin_urls("offers")`, then url("offer", "change", pk), in one app's tests."""

    def url(model: str, action: str, *args) -> str:
        return admin_url(app_label, model, action, *args)

    return url
