"""When each station's OCPI Location last changed (stations, chargers and connectors keep
no such time; OCPI's last_updated and the date_from/date_to filters need it)."""

from __future__ import annotations

from django.db import models

from cpo_portal.models import Station


class LocationStamp(models.Model):
    TENANT_PATH = "station__operator"

    station = models.OneToOneField(
        Station, on_delete=models.CASCADE, primary_key=True, related_name="ocpi_stamp"
    )
    last_updated = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.station_id}: {self.last_updated:%Y-%m-%d %H:%M:%S}"
