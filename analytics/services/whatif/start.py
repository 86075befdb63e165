"""A new what-if run: the subject's definition snapshot, checked, saved, ready to queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from analytics.models import WhatIfRun
from analytics.models.whatif import WhatIfSubject
from analytics.whatif_candidates import offer_definition, subject_status, surge_definition
from offers.models import Offer
from pricing.models import SurgeRule


def definition_of(subject: Offer | SurgeRule) -> dict[str, Any]:
    if isinstance(subject, Offer):
        return offer_definition(subject)
    return surge_definition(subject)


def new_run(
    subject: Offer | SurgeRule,
    *,
    user,
    date_from: dt.date,
    date_to: dt.date,
    stations: Iterable = (),
    region_codes: Iterable[str] = (),
    candidate: dict[str, Any] | None = None,
) -> WhatIfRun:
    """Save a queued run of `subject` (or of `candidate`, an unsaved change to it).
    Raises ValidationError (window, candidate) before anything is written."""
    kind = WhatIfSubject.OFFER if isinstance(subject, Offer) else WhatIfSubject.SURGE
    definition = candidate if candidate is not None else definition_of(subject)
    run = WhatIfRun(
        operator=subject.operator,
        created_by=user if getattr(user, "pk", None) else None,
        subject_kind=kind,
        subject_code=subject.code,
        subject_pk=subject.pk,
        subject_status=subject_status(kind, subject, definition),
        candidate=definition,
        date_from=date_from,
        date_to=date_to,
        region_codes=sorted(set(region_codes)),
    )
    run.full_clean(exclude=["stations"])
    run.save()
    chosen = list(stations)
    if chosen:
        run.stations.set(chosen)
    return run
