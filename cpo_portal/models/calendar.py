"""The operator-managed holiday calendar (holiday surges and holiday offers read it)."""

from django.db import models
from simple_history.models import HistoricalRecords

from cpo_portal.db import values
from cpo_portal.db.regions import RegionCodeField

from .operators import Operator


class Holiday(models.Model):
    TENANT_PATH = "operator"
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(validators=[values.within_years])
    name = models.CharField(max_length=120)
    region_code = RegionCodeField(
        max_length=16, blank=True, help_text="Empty: every region of the operator."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "date", "region_code"], name="one_holiday_per_day_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
