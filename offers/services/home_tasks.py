"""The operator's tasks the staff home offers (offers.staff_home): pages of the admin,
each shown to whoever may view its model there. Apps above offers add theirs in their
AppConfig.ready() (roaming: partners, CDR imports, the price audit)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model

from cpo_portal.models import Station


@dataclass(frozen=True, slots=True)
class Task:
    """An operator's task on the home: a page of the admin, shown to whoever may view
    `model` there (its model admin's permission check); named as the admin names the
    model's list unless `label` says otherwise."""

    key: str
    url_name: str
    model: type[Model]
    label: str = ""


# The operator's tasks, in the order shown.
TASKS: list[Task] = [
    Task("stations", "admin:cpo_portal_station_changelist", Station),
]
