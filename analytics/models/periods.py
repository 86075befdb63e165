"""Pre-aggregates of HourlyRollup over whole months and blocks of days (calc.periods), so
that the surge page sums thousands of rows where the hourly rollup holds hundreds of
thousands for a quarter. Derived by services.hourly_periods for every day the rollup
touches; their foreign keys have no database constraint (they are rebuilt anyway)."""

from __future__ import annotations

from django.db import models

from cpo_portal.models import Operator, Station
from offers.models import SessionChannel

from .common import derived_fk
from .measures import PeriodMeasures, one_row_per

MONTH, BLOCK = "M", "B"


class HourlyPeriod(PeriodMeasures):
    """HourlyRollup summed per operator, month or block (`grain`, `start`: its first
    day), station, region, kind of day, local hour and channel."""

    TENANT_PATH = "operator"

    operator = derived_fk(Operator, indexed=False)
    grain = models.CharField(max_length=1, choices=[(MONTH, "month"), (BLOCK, "block")])
    start = models.DateField()
    station = derived_fk(Station, optional=True, indexed=False)
    region_code = models.CharField(max_length=16, blank=True)
    weekend = models.BooleanField()
    hour = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=8, choices=SessionChannel.choices)

    class Meta:
        constraints = [
            one_row_per(
                "operator", "grain", "start", "station", "region_code", "weekend", "hour",
                "channel", name="one_hourly_period_row",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.grain} {self.start} {self.station_id} {self.hour:02d}h"
