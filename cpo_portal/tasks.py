"""Celery tasks of the project's base app (found by the Celery app's autodiscovery)."""

from cpo_portal.background.chunked import run_chunk

__all__ = ["run_chunk"]
