from pricing.models.fields import CodeListField, WeekdaysField
from pricing.models.grid_signals import GridSignal

from .surges import SurgeRule
from .tariffs import Tariff, TariffBand

__all__ = [
    "CodeListField",
    "GridSignal",
    "SurgeRule",
    "Tariff",
    "TariffBand",
    "WeekdaysField",
]
