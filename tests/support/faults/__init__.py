"""The fault tests' rig: `real` marks a test that runs a real worker, beat and a private
Redis against the test database (skipped, with the reason, where the machine lacks them)."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings as django_settings


def _why_not() -> str:
    if not str(django_settings.CELERY_BROKER_URL).startswith("redis://"):
        return "needs CELERY_BROKER_URL=redis://... (real workers and a private redis-server)"
    if shutil.which("redis-server") is None:
        return "needs redis-server on the PATH (a private Redis is crashed and restarted)"
    return ""


def real(test):
    """A real worker, beat and a private Redis, against the test database."""
    for mark in (
        pytest.mark.integration,
        pytest.mark.postgres,
        pytest.mark.skipif(bool(_why_not()), reason=_why_not() or "-"),
        pytest.mark.django_db(transaction=True),
    ):
        test = mark(test)
    return test
