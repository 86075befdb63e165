from pricing.models.fields import CodeListField, RegionCodesField, WeekdaysField
from pricing.models.grid_signals import GridSignal

from .surges import SurgeRule
from .tariffs import Tariff, TariffBand

__all__ = [
    "CodeListField",
    "GridSignal",
    "RegionCodesField",
    "SurgeRule",
    "Tariff",
    "TariffBand",
    "WeekdaysField",
]
