"""Surge rules: every condition the engine's SurgeRule has, plus scheduling and pausing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cpo_portal.db import values
from cpo_portal.db.validation import PlainTextModel
from cpo_portal.db.values import MAX_AMOUNT, MAX_RATE, no_control_characters, non_negative
from cpo_portal.models import Operator, Station
from cpo_portal.models.network import ChargingSpeed, SiteKind
from pricing.engine.amounts import HUNDRED
from pricing.engine.text import SURGE_PLACES, surge_amount
from pricing.engine.types import ChargeForm, SurgeKind
from pricing.models.fields import CodeListField, RegionCodesField, WeekdaysField
from pricing.models.surge_text import NOTE_DIGITS_ERROR, note_has_no_figures
from pricing.models.validators import MONEY, RATE, slug_code

# What clean() says of an amount with more decimals than its form takes (SURGE_PLACES: what
# every surface shows, and what the engine applies).
PLACES_ERRORS: dict[str, str] = {
    ChargeForm.PER_KWH: "A surge per kWh is a rate: at most 4 decimal places (₹0.125/kWh).",
    ChargeForm.PERCENT: "A percentage surge takes at most 2 decimal places (12.25%).",
    ChargeForm.FLAT: "A flat surge is an amount of money: at most 2 decimal places.",
}


def too_precise(amount: Decimal, places: int) -> bool:
    """More than `places` decimals. A number too large for any column (1e30) is not: the
    field's own max_digits error says what is wrong with it."""
    try:
        return amount != amount.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # the quantized number has more digits than Decimal holds
        return False


def no_figures(value: str) -> None:
    if not note_has_no_figures(value):
        raise ValidationError(NOTE_DIGITS_ERROR, code="figures")


class SurgeRule(PlainTextModel):
    TENANT_PATH = "operator"

    KIND_CHOICES = [(k.value, k.value.replace("_", " ").capitalize()) for k in SurgeKind]
    FORM_CHOICES = [
        (ChargeForm.PER_KWH.value, "Rupees per kWh"),
        (ChargeForm.PERCENT.value, "Percent of the energy cost"),
        (ChargeForm.FLAT.value, "Flat fee per session"),
    ]

    operator = models.ForeignKey(Operator, on_delete=models.CASCADE, related_name="surge_rules")
    code = models.CharField(max_length=64, validators=[slug_code])
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    name = models.CharField(max_length=100, help_text='Customer-facing: "Congestion Fee".')
    note = models.CharField(
        max_length=300,
        blank=True,
        validators=[no_control_characters, no_figures],
        help_text="Optional words shown to customers after the text written from the rule "
        '("Congestion Fee: ₹1/kWh between 6 PM - 9 PM"). No figures: the amount, times '
        "and thresholds always come from the rule.",
    )
    form = models.CharField("charge form", max_length=16, choices=FORM_CHOICES)
    amount = models.DecimalField(
        validators=values.amount, help_text="₹ per kWh, percent (20 = 20%), or ₹ flat.", **RATE
    )
    # When: a recurring local window (empty times: all day on the chosen days).
    window_start = models.TimeField("local start", null=True, blank=True)
    window_end = models.TimeField(
        "local end", null=True, blank=True, help_text="Before the start: runs past midnight."
    )
    window_days = WeekdaysField("days of week")
    valid_from = models.DateTimeField(null=True, blank=True, validators=[values.within_years])
    valid_until = models.DateTimeField(null=True, blank=True, validators=[values.within_years])
    holidays_only = models.BooleanField(
        default=False, help_text="Applies only on the operator's holidays (and its region's)."
    )
    # Where and on what: empty means anywhere.
    stations = models.ManyToManyField(Station, blank=True, related_name="surge_rules")
    site_kinds = CodeListField(options=SiteKind.choices)
    region_codes = RegionCodesField(help_text="Comma-separated, e.g. DL, HR.")
    min_power_kw = models.DecimalField(
        "minimum charger power (kW)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    charging_speeds = CodeListField(options=ChargingSpeed.choices)
    # Demand triggers.
    occupancy_threshold = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=values.share("Occupancy threshold"),
        help_text="Share of the station's chargers occupied: a fraction (0.8 is 80%), "
        "typed and shown in percent in the admin.",
    )
    on_grid_stress = models.BooleanField(
        default=False, help_text="Applies while a grid-stress signal is raised."
    )
    # How it combines.
    stackable = models.BooleanField(default=True)
    priority = models.IntegerField(
        default=0, help_text="Among non-stackable rules, the highest priority wins."
    )
    cap_per_session = models.DecimalField(null=True, blank=True, validators=values.amount, **MONEY)
    exempt_segments = CodeListField(help_text="Customer segments that never pay this.")
    exempt_tiers = CodeListField(help_text="Loyalty tiers that never pay this.")
    # Scheduling.
    effective_from = models.DateTimeField(
        default=timezone.now,
        validators=[values.within_years],
        help_text="When this version of the rule takes effect (the operator's notice "
        "period applies).",
    )
    paused = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[stations])

    class Meta:
        ordering = ["operator", "-priority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "code"], name="surge_code_per_operator"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, amount__lte=MAX_AMOUNT)
                & (~models.Q(form=ChargeForm.PERCENT) | models.Q(amount__lte=HUNDRED))
                & (~models.Q(form=ChargeForm.PER_KWH) | models.Q(amount__lte=MAX_RATE)),
                name="surge_amount_in_bounds",
            ),
            models.CheckConstraint(
                condition=models.Q(occupancy_threshold__isnull=True)
                | models.Q(occupancy_threshold__gte=0, occupancy_threshold__lte=1),
                name="surge_occupancy_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def history_value_text(self, field: str, currency: str) -> str | None:
        """The amount in the change log (cpo_portal.changes.wording) as every surface writes
        it, by this version's form: "12.35%", "₹0.125/kWh", "₹10.50"."""
        if field == "amount" and self.amount is not None:
            return surge_amount(self.form, self.amount, currency)
        return None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.form == ChargeForm.PERCENT and self.amount is not None and self.amount > HUNDRED:
            errors["amount"] = "A percentage surge cannot exceed 100%."
        if self.form == ChargeForm.PER_KWH and self.amount is not None and self.amount > MAX_RATE:
            errors["amount"] = f"A surge of more than {MAX_RATE} per kWh is not a price."
        places = SURGE_PLACES.get(self.form)
        if places is not None and self.amount is not None and self.amount.is_finite():
            # more decimals than the column holds is the field's own error
            held = not too_precise(self.amount, RATE["decimal_places"])
            if held and too_precise(self.amount, places):
                errors["amount"] = PLACES_ERRORS[self.form]
        if (self.window_start is None) != (self.window_end is None):
            errors["window_end"] = "Give both a local start and end, or neither (all day)."
        if self.valid_from and self.valid_until and self.valid_from >= self.valid_until:
            errors["valid_until"] = "Valid until must be after valid from."
        if self.effective_from and self.valid_until and self.effective_from >= self.valid_until:
            errors["effective_from"] = "The rule would end before it takes effect."
        kind = self.kind
        if (
            kind == SurgeKind.DEMAND
            and self.occupancy_threshold is None
            and not self.on_grid_stress
        ):
            errors["occupancy_threshold"] = (
                "A demand surge needs a trigger: an occupancy threshold or grid stress."
            )
        if kind == SurgeKind.HOLIDAY and not self.holidays_only:
            errors["holidays_only"] = "A holiday surge applies on holidays only: tick this."
        if (
            kind == SurgeKind.FAST_CHARGING
            and self.min_power_kw is None
            and not self.charging_speeds
        ):
            errors["min_power_kw"] = (
                "A fast-charging premium needs a minimum power or charging speeds."
            )
        if errors:
            raise ValidationError(errors)


@receiver(m2m_changed, sender=SurgeRule.stations.through)
def _stations_of_own_operator(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Forms check this with a readable message; this guard covers every other path."""
    if action != "pre_add" or not pk_set:
        return
    if reverse:
        rules = SurgeRule.objects.filter(pk__in=pk_set)
        foreign = rules.exclude(operator_id=instance.operator_id).exists()
    else:
        stations = Station.objects.filter(pk__in=pk_set)
        foreign = stations.exclude(operator_id=instance.operator_id).exists()
    if foreign:
        raise ValidationError("A surge rule can only name its own operator's stations.")
