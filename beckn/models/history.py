"""django-simple-history's records with their manager class made once per queryset class.

Every saved row's history record reads `instance.history`, and the library's descriptor
builds a new manager class for each read (`Manager.from_queryset`, which walks the
queryset class with `inspect`): a large share of a small INSERT's CPU. The class made is
the same each time, so it is made once here; the manager instances are as before."""

from __future__ import annotations

from functools import cache
from typing import Any

from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords


class OnceHistoryManager(HistoryManager):
    @classmethod
    @cache
    def from_queryset(cls, queryset_class: Any, class_name: str | None = None) -> Any:
        return super().from_queryset(queryset_class, class_name)


def history_records(**options: Any) -> HistoricalRecords:
    """HistoricalRecords(**options) whose `history` manager class is built once."""
    return HistoricalRecords(history_manager=OnceHistoryManager, **options)
