"""The charging network (operators, staff, stations, chargers) and the project itself."""

from .celery import app as celery_app

__all__ = ("celery_app",)
