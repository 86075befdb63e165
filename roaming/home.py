"""Roaming's tasks on the staff home (offers.services.home_tasks): its partners, its CDR
imports and the price audit, each shown to whoever may view it."""

from __future__ import annotations

from offers.services import HOME_TASKS as TASKS
from offers.services import HomeTask as Task


def add_tasks() -> None:
    from roaming.models import CdrImport, Partner, ReceivedCdr

    for task in (
        Task("partners", "admin:roaming_partner_changelist", Partner),
        Task("cdr-imports", "admin:roaming_cdrimport_changelist", CdrImport),
        Task("price-audit", "admin:roaming_receivedcdr_audit", ReceivedCdr, "Price audit"),
    ):
        if task not in TASKS:
            TASKS.append(task)
