"""A new what-if run: the subject's definition snapshot, checked, saved, ready to queue.

Replays hold a worker for up to a minute, so an operator has at most
work_limits.WHATIF_RUNS_ACTIVE runs queued or running; asking again for a run identical to
one still queued returns that run. The operator's row is locked while this is decided, so
two requests at once cannot both take the last place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from analytics.models import WhatIfRun
from analytics.models.candidates import offer_definition, subject_status, surge_definition
from analytics.models.whatif import WhatIfStatus, WhatIfSubject
from cpo_portal.background import work_limits
from cpo_portal.models import Operator
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
    presented_share: int | None = None,
) -> tuple[WhatIfRun, bool]:
    """(run, created): a queued run of `subject` (or of `candidate`, an unsaved change to
    it), saved, or the identical run already queued. Raises ValidationError (window,
    candidate, too many runs) before anything is written."""
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
        presented_share=presented_share or None,
    )
    run.full_clean(exclude=["stations"])
    chosen = list(stations)
    with transaction.atomic():
        Operator.objects.select_for_update().filter(pk=run.operator_id).first()
        active = list(
            WhatIfRun.objects.filter(
                operator_id=run.operator_id,
                status__in=[WhatIfStatus.QUEUED, WhatIfStatus.RUNNING],
            ).prefetch_related("stations")
        )
        twin = next((other for other in active if _same(other, run, chosen)), None)
        if twin is not None:
            return twin, False
        cap = work_limits.WHATIF_RUNS_ACTIVE
        if len(active) >= cap:
            message = (
                f"{run.operator} already has {len(active)} what-if runs queued or running "
                f"(at most {cap} at a time). Wait for one to finish, or cancel one."
            )
            raise ValidationError({NON_FIELD_ERRORS: message})
        run.save()
        if chosen:
            run.stations.set(chosen)
    return run, True


def _same(queued: WhatIfRun, new: WhatIfRun, stations: list) -> bool:
    """Whether `queued` (not started, not being cancelled) replays what `new` would."""
    return (
        queued.status == WhatIfStatus.QUEUED
        and not queued.cancel_requested
        and (queued.subject_kind, queued.subject_code, queued.subject_pk)
        == (new.subject_kind, new.subject_code, new.subject_pk)
        and (queued.date_from, queued.date_to) == (new.date_from, new.date_to)
        and queued.candidate == new.candidate
        and queued.presented_share == new.presented_share
        and list(queued.region_codes) == list(new.region_codes)
        and {s.pk for s in queued.stations.all()} == {s.pk for s in stations}
    )
