"""The stored measures of the rollup tables, each declared once: its column, its field,
what one staged ledger row adds to it (SQL over the stage's columns: services.rollup.sql
says how rows count) and the grains that keep it. The rebuild, the delta rollup and
HourlyPeriod's refresh write their SQL from this list and the tables take their fields
from it: a new stored measure is one entry here and a migration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from offers.services import USE_SQL

from .common import _kwh, _money

# Net revenue, the one definition every rollup sums: the amount payable less its tax, less
# the buyer finder fee (a cost of the sale, paid to the BAP) and the overcharge buffer
# (held, not revenue; a settled session has none). See calc.figures.
NET_REVENUE = "(net_amount - tax_amount - finder_fee_amount - buffer_amount)"

# The grains: CELL (DailyRollup, ChannelDaily, OfferDaily), HOUR (HourlyRollup), PERIOD
# (HourlyPeriod: HourlyRollup over months and blocks); StationDaily keeps CELL and HOUR.
CELL, HOUR, PERIOD = "cell", "hour", "period"


def count() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0)


def primary(column: str) -> str:
    """An order-level figure: counted on the session's primary row only."""
    return f"CASE WHEN pos = 1 THEN {column} ELSE 0 END"


@dataclass(frozen=True, slots=True)
class Measure:
    name: str  # the column in every table that keeps it
    field: Callable[[], models.Field]
    cell: str | None = None  # what a live row adds to its cell (None: not kept per cell)
    reversed: str = "0"  # what a reversed row adds to its cell
    held_out: str = "0"  # what a held-out row (the latest) adds to its cell
    hour: str | None = None  # what a session's primary row adds to its hour
    period: bool = False  # summed into HourlyPeriod

    def kept_in(self, grain: str) -> bool:
        if grain == PERIOD:
            return self.period
        return (self.cell if grain == CELL else self.hour) is not None


SURGED = "surge_amount > 0"

# fmt: off
MEASURES = (
    Measure("sessions", count, cell=primary("1"), hour="1", period=True),
    Measure("surge_sessions", count, hour=f"CASE WHEN {SURGED} THEN 1 ELSE 0 END", period=True),
    Measure("energy_kwh", partial(_kwh, "energy (kWh)"), cell=primary("energy_kwh"),
            hour="energy_kwh", period=True),
    Measure("surge_kwh", partial(_kwh, "energy in surged sessions (kWh)"),
            hour=f"CASE WHEN {SURGED} THEN energy_kwh ELSE 0 END"),
    Measure("gross_revenue", partial(_money, "gross revenue (pre-tax, before discounts)"),
            cell=primary("gross_amount")),
    Measure("discount_cost", partial(_money, "discount cost (settled)"),
            cell="CASE WHEN held_out THEN 0 ELSE discount END"),
    Measure("surge_revenue", partial(_money, "surge revenue"), cell=primary("surge_amount"),
            hour="surge_amount", period=True),
    Measure("net_revenue", partial(_money, "net revenue (pre-tax, after discounts)"),
            cell=primary(NET_REVENUE), hour=NET_REVENUE),
    Measure("tax", partial(_money, "tax"), cell=primary("tax_amount")),
    Measure("redemptions", count, cell=f"CASE WHEN {USE_SQL} THEN 1 ELSE 0 END"),
    Measure("reversals", count, cell="0", reversed="1"),
    Measure("recovered_discount", partial(_money, "discount recovered by reversals"), cell="0",
            reversed="discount"),
    Measure("held_out_sessions", count, cell="0", held_out="1"),
)
# fmt: on


def kept_in(*grains: str) -> tuple[Measure, ...]:
    """The measures a table of these grains keeps, in declaration order."""
    return tuple(m for m in MEASURES if any(m.kept_in(g) for g in grains))


def stored(*grains: str) -> tuple[str, ...]:
    """The columns of the measures a table of these grains keeps."""
    return tuple(m.name for m in kept_in(*grains))


def _with_measures(*grains: str):
    """Give an abstract model the fields of the measures its grains keep."""

    def add(model: type[models.Model]) -> type[models.Model]:
        for measure in kept_in(*grains):
            model.add_to_class(measure.name, measure.field())
        return model

    return add


@_with_measures(CELL)
class CellMeasures(models.Model):
    """Additive figures: sessions count once (under their primary offer), money and
    counts add up across rows of the same table."""

    class Meta:
        abstract = True


@_with_measures(CELL, HOUR)
class StationMeasures(models.Model):
    """The cell measures, with the surge counts of the hourly rollup."""

    class Meta:
        abstract = True


@_with_measures(HOUR)
class HourMeasures(models.Model):
    class Meta:
        abstract = True


@_with_measures(PERIOD)
class PeriodMeasures(models.Model):
    class Meta:
        abstract = True


# Keys of a derived table that may be null: compared as 0 by the unique indexes.
NULLABLE = ("offer", "station")


def one_row_per(*fields: str, name: str) -> models.UniqueConstraint:
    """A derived table's unique index over its key, in this order: the nullable foreign
    keys compared through COALESCE(x, 0). The delta rollup and the backfill's merge read
    the key back from it (key_of)."""
    return models.UniqueConstraint(
        *(Coalesce(f, Value(0)) if f in NULLABLE else F(f) for f in fields), name=name
    )


def key_of(model: type[models.Model]) -> tuple[str, ...]:
    """The columns (attnames) of the model's unique index (one_row_per), in order."""
    constraint = next(c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint))
    out = []
    for expression in constraint.expressions:
        while isinstance(expression, Coalesce):
            expression = expression.get_source_expressions()[0]
        assert isinstance(expression, F)
        _, (name,), _ = expression.deconstruct()
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        out.append(field.get_attname())
    return tuple(out)
