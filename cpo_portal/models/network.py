"""Stations (Beckn locations), chargers (Beckn items) and their connectors, in DEG's vocabulary."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from cpo_portal.db import values
from cpo_portal.db.regions import RegionCodeField
from cpo_portal.db.validation import PlainTextModel

from .operators import Operator, validate_time_zone

code_validator = RegexValidator(
    r"\A[A-Za-z0-9][A-Za-z0-9._\-]{0,63}\Z",
    "Use letters, digits, dots, hyphens and underscores (like pe-charging-01).",
)
positive_kw = MinValueValidator(Decimal("0.1"), "Power rating must be positive.")


class SiteKind(models.TextChoices):
    HIGHWAY = "highway", "Highway"
    URBAN = "urban", "Urban"
    RURAL = "rural", "Rural"
    AIRPORT = "airport", "Airport"
    MALL = "mall", "Mall"
    OFFICE = "office", "Office"
    RESIDENTIAL = "residential", "Residential"
    FLEET = "fleet", "Fleet depot"


class StationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    MAINTENANCE = "maintenance", "Under maintenance"
    PLANNED = "planned", "Planned"
    CLOSED = "closed", "Closed"


class Station(PlainTextModel):
    TENANT_PATH = "operator"
    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="stations")
    code = models.CharField(
        "location id",
        max_length=64,
        validators=[code_validator],
        help_text="Published as the Beckn location id.",
    )
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    city = models.CharField(max_length=100)
    city_code = models.CharField(max_length=32, help_text="Beckn city code, e.g. std:011.")
    region_code = RegionCodeField(max_length=16, help_text="State or region code, e.g. DL, MH, KA.")
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    time_zone = models.CharField(
        max_length=64, default="Asia/Kolkata", validators=[validate_time_zone]
    )
    site_kind = models.CharField(max_length=16, choices=SiteKind.choices)
    opened_on = models.DateField(
        null=True,
        blank=True,
        validators=[values.within_years],
        help_text="Opening date (new-station launch offers).",
    )
    status = models.CharField(
        max_length=16, choices=StationStatus.choices, default=StationStatus.ACTIVE
    )
    instructions = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["operator", "name"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="station_code_per_operator"),
            values.ocpi_id_unique(
                "operator",
                name="station_ocpi_id_per_operator",
                what="station",
                id_name="location id",
            ),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name

    @property
    def gps(self) -> str:
        return f"{self.latitude},{self.longitude}"

    def clean(self) -> None:
        """A station stays with its operator: its chargers, tariffs, offers and history
        are that operator's, and would otherwise name another operator's station."""
        if self.pk is None or self.operator_id is None:
            return
        was = Station.objects.filter(pk=self.pk).values_list("operator_id", flat=True).first()
        if was is not None and was != self.operator_id:
            raise ValidationError(
                {"operator": "A station cannot move to another operator; add it there anew."}
            )


class PowerType(models.TextChoices):
    AC_1_PHASE = "AC_1_PHASE", "AC single phase"
    AC_3_PHASE = "AC_3_PHASE", "AC three phase"
    DC = "DC", "DC"


class ChargingSpeed(models.TextChoices):
    SLOW = "SLOW", "Slow"
    NORMAL = "NORMAL", "Normal"
    FAST = "FAST", "Fast"
    ULTRA_FAST = "ULTRA_FAST", "Ultra fast"


EV_CHARGER = "ev-charger"  # the category every charger is published under


def category_label(code: str) -> str:
    """A charger's category code as staff read it: "ev-charger" -> "EV charger", a speed
    by its label ("ultra_fast" -> "Ultra fast"), any other code in words ("fleet-depot" ->
    "Fleet depot")."""
    if code == EV_CHARGER:
        return "EV charger"
    speeds = {value.lower(): label for value, label in ChargingSpeed.choices}
    if code.lower() in speeds:
        return str(speeds[code.lower()])
    return code.replace("-", " ").replace("_", " ").capitalize()


class ConnectorType(models.TextChoices):
    CCS2 = "CCS2", "CCS2"
    CHADEMO = "CHADEMO", "CHAdeMO"
    TYPE2 = "Type2", "Type 2 (Mennekes)"
    GBT = "GB_T", "GB/T"
    BHARAT_AC001 = "BHARAT_AC001", "Bharat AC-001"
    BHARAT_DC001 = "BHARAT_DC001", "Bharat DC-001"
    TYPE1 = "Type1", "Type 1 (J1772)"


class ConnectorFormat(models.TextChoices):
    SOCKET = "SOCKET", "Socket"
    CABLE = "CABLE", "Cable"


class EquipmentStatus(models.TextChoices):
    AVAILABLE = "Available", "Available"
    OCCUPIED = "Occupied", "Occupied"
    RESERVED = "Reserved", "Reserved"
    UNAVAILABLE = "Unavailable", "Unavailable"
    FAULTED = "Faulted", "Faulted"


OUT_OF_SERVICE = frozenset({EquipmentStatus.FAULTED, EquipmentStatus.UNAVAILABLE})


class Charger(PlainTextModel):
    """A charger is the Beckn item the customer books."""

    TENANT_PATH = "operator"

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="chargers")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="chargers")
    code = models.CharField(
        "item id",
        max_length=64,
        validators=[code_validator],
        help_text="Published as the Beckn item id, e.g. pe-charging-01.",
    )
    name = models.CharField(max_length=200)
    power_kw = models.DecimalField(
        "power rating (kW)", max_digits=7, decimal_places=2, validators=[positive_kw]
    )
    power_type = models.CharField(max_length=16, choices=PowerType.choices)
    charging_speed = models.CharField(max_length=16, choices=ChargingSpeed.choices)
    categories = models.JSONField(
        default=list, blank=True, help_text='Category codes, e.g. ["ev-charger", "fast"].'
    )
    status = models.CharField(
        max_length=16, choices=EquipmentStatus.choices, default=EquipmentStatus.AVAILABLE
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["station", "code"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="charger_code_per_operator"),
            values.ocpi_id_unique(
                "operator", name="charger_ocpi_id_per_operator", what="charger", id_name="EVSE uid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.station})"

    def out_of_service(self) -> str | None:
        """Why no driver can start a session here now, in the sentence every surface shows
        (a Beckn select is refused with it; the price tool prices the session for planning
        and says it); None: a driver can (an occupied or reserved charger takes a later
        session)."""
        if self.status in OUT_OF_SERVICE:
            why = self.status
        elif self.station.status != StationStatus.ACTIVE:
            why = f"station {self.station.get_status_display().lower()}"
        else:
            return None
        return (
            f"Charger {self.code} is out of service ({why}): "
            "drivers cannot start a session there now."
        )

    def save(self, *args, **kwargs) -> None:
        if self.station_id and not self.operator_id:
            self.operator_id = self.station.operator_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.station_id and self.operator_id and self.station.operator_id != self.operator_id:
            raise ValidationError({"station": "The station belongs to another operator."})
        if not isinstance(self.categories, list) or not all(
            isinstance(c, str) and c for c in self.categories
        ):
            raise ValidationError({"categories": "Give a list of category codes (strings)."})

    def validate_constraints(self, exclude=None) -> None:
        """A charger's operator is its station's (save() writes it so): a form that leaves
        the operator out (a station's chargers on its page) still checks the code against
        the operator's other chargers, and refuses a clash in words, not with a 500."""
        station = getattr(self, "station", None)  # None while no station is chosen
        if exclude and "operator" in exclude and station is not None and station.operator_id:
            self.operator_id = station.operator_id
            exclude = set(exclude) - {"operator"}
        super().validate_constraints(exclude=exclude)


class Connector(models.Model):
    TENANT_PATH = "charger__operator"
    HISTORY_PARENT = "charger"  # its changes show in the charger's history
    charger = models.ForeignKey(Charger, on_delete=models.CASCADE, related_name="connectors")
    connector_id = models.CharField(
        max_length=16,
        default="1",
        validators=[values.ocpi_object_id],
        help_text="Published to roaming partners as the OCPI connector id: letters, digits "
        f"and {values.OCPI_ID_MARKS} (no spaces).",
    )
    power_type = models.CharField(max_length=16, choices=PowerType.choices)
    connector_type = models.CharField(max_length=16, choices=ConnectorType.choices)
    connector_format = models.CharField(
        max_length=8, choices=ConnectorFormat.choices, default=ConnectorFormat.SOCKET
    )
    charging_speed = models.CharField(max_length=16, choices=ChargingSpeed.choices)
    power_kw = models.DecimalField(
        "power rating (kW)", max_digits=7, decimal_places=2, validators=[positive_kw]
    )
    status = models.CharField(
        max_length=16, choices=EquipmentStatus.choices, default=EquipmentStatus.AVAILABLE
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["charger", "connector_id"]
        constraints = [
            # The connector id is an OCPI id, compared ignoring case (values.ocpi_key).
            models.UniqueConstraint(
                "charger",
                values.ocpi_key_sql("connector_id"),
                name="connector_id_per_charger",
                violation_error_message=(
                    "Roaming partners ignore the case of a connector id (its OCPI id), and "
                    "another connector of this charger has the same id, ignoring case: "
                    "choose another id."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(power_kw__gt=0), name="connector_power_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.charger.code}#{self.connector_id} {self.connector_type}"
