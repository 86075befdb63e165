"""What-if runs: an offer or a surge rule replayed over past sessions (services.whatif)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from analytics.models.candidates import check_candidate
from cpo_portal.db import values
from cpo_portal.models import Operator, Station

MAX_WINDOW_DAYS = 90


class WhatIfSubject(models.TextChoices):
    OFFER = "offer", "Offer"
    SURGE = "surge", "Surge rule"


class WhatIfStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


FINISHED = (WhatIfStatus.DONE, WhatIfStatus.CANCELLED, WhatIfStatus.FAILED)


class WhatIfRun(models.Model):
    """One replay of past sessions with a candidate offer or surge rule.

    The candidate is kept as a JSON snapshot of its definition (the model's fields, as
    offers.snapshot.terms_of writes an offer's terms), so a run of an unsaved change
    still says what it priced; `clean()` rebuilds it and checks it with the model's own
    clean(). Only the run's own row is ever written: the offer or rule is never changed.
    """

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="run by",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    subject_kind = models.CharField(max_length=8, choices=WhatIfSubject.choices)
    subject_code = models.CharField("offer or rule id", max_length=64)
    subject_pk = models.PositiveIntegerField(null=True, blank=True)
    subject_status = models.CharField(
        max_length=24, blank=True, help_text="draft, paused, live, or a change to a live one"
    )
    candidate = models.JSONField(help_text="The candidate's definition (model fields).")
    date_from = models.DateField(validators=[values.within_years])
    date_to = models.DateField(validators=[values.within_years])
    stations = models.ManyToManyField(Station, blank=True, related_name="+")
    region_codes = models.JSONField(default=list, blank=True)
    presented_share = models.PositiveSmallIntegerField(
        "sessions presenting the code (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="An offer that needs a code: replay as if this share of eligible sessions "
        "presented it (chosen by a hash of each session, so a replay is reproducible). "
        "Empty: no session presents a code.",
    )
    status = models.CharField(
        max_length=10, choices=WhatIfStatus.choices, default=WhatIfStatus.QUEUED
    )
    cancel_requested = models.BooleanField(default=False)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "what-if run"
        indexes = [models.Index(fields=["operator", "created_at"], name="whatif_operator_at")]

    def __str__(self) -> str:
        return f"What-if {self.subject_code} {self.date_from} to {self.date_to}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == WhatIfStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.date_from and self.date_to:
            if self.date_to < self.date_from:
                errors["date_to"] = "The window ends before it starts."
            elif (self.date_to - self.date_from).days + 1 > MAX_WINDOW_DAYS:
                errors["date_to"] = f"The window is at most {MAX_WINDOW_DAYS} days."
            elif self.date_from > dt.date.today():
                errors["date_from"] = "The window is in the past: sessions that happened."
        if errors:
            raise ValidationError(errors)
        if self.operator_id and self.candidate:
            problems = check_candidate(self)
            if problems:
                raise ValidationError({"candidate": problems})
