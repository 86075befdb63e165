"""Grid-stress signals: staff or a REST call raise and clear them; demand surges read them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cpo_portal.db import values
from cpo_portal.db.regions import RegionCodeField, region_code
from cpo_portal.models import Operator, Station


def active_at(raised_at: dt.datetime, cleared_at: dt.datetime | None, at: dt.datetime) -> bool:
    """Whether a signal raised at `raised_at` and cleared at `cleared_at` (None: not yet)
    is active at `at`; GridSignalQuerySet.active_during(at, at) is the same rule as a query."""
    return raised_at <= at and (cleared_at is None or cleared_at > at)


class GridSignalQuerySet(models.QuerySet):
    def active_during(self, first, last):
        """The signals that may be active at some moment from `first` to `last`: raised by
        `last` and not cleared by `first` (active_at() tells the moments)."""
        return self.filter(
            Q(cleared_at__isnull=True) | Q(cleared_at__gt=first), raised_at__lte=last
        )


class GridSignal(models.Model):
    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="grid_signals")
    region_code = RegionCodeField(
        max_length=16, blank=True, help_text="Only this region (empty: every region)."
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grid_signals",
        help_text="Only this station (empty: all stations in scope).",
    )
    raised_at = models.DateTimeField(default=timezone.now, validators=[values.within_years])
    cleared_at = models.DateTimeField(null=True, blank=True, validators=[values.within_years])
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GridSignalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["operator", "cleared_at"])]

    def __str__(self) -> str:
        station = self.station
        where = station.code if station is not None else self.region_code or "all stations"
        state = "cleared" if self.cleared_at else "raised"
        return f"Grid stress at {where} ({state} {self.raised_at:%Y-%m-%d %H:%M})"

    @property
    def is_active(self) -> bool:
        return active_at(self.raised_at, self.cleared_at, timezone.now())

    def clean(self) -> None:
        station = self.station
        if station is not None and self.operator_id and station.operator_id != self.operator_id:
            raise ValidationError({"station": "The station belongs to another operator."})
        if self.cleared_at and self.raised_at and self.cleared_at <= self.raised_at:
            raise ValidationError({"cleared_at": "A signal is cleared after it is raised."})
        if self.region_code and self.operator_id:
            self._check_region()

    def _check_region(self) -> None:
        """A region none of the operator's stations is in would be a signal that stresses
        no station (codes are spelled one way: cpo_portal.db.regions)."""
        self.region_code = asked = region_code(self.region_code)
        regions = set(
            Station.objects.filter(operator_id=self.operator_id).values_list(
                "region_code", flat=True
            )
        )
        if asked not in regions:
            listed = ", ".join(sorted(regions)) or "none"
            raise ValidationError(
                {"region_code": f"No station of this operator is in region {asked!r} "
                 f"(their regions: {listed})."}
            )  # fmt: skip
