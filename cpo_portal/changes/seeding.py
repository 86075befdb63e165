"""The seeded rows' history says "demo data", not a blank "changed by"."""

from __future__ import annotations

import datetime as dt

from cpo_portal.changes import tracked, wording


def mark_demo_history(since: dt.datetime) -> int:
    """Give every history record written since `since` by nobody the reason "demo data"
    (seed_demo calls it after its seeders); the number of records marked."""
    marked = 0
    for model in tracked.tenant_models():
        history = tracked.history_model(model)
        assert history is not None
        marked += history._default_manager.filter(
            history_date__gte=since, history_user__isnull=True, history_change_reason__isnull=True
        ).update(history_change_reason=wording.DEMO_REASON)
    return marked
