from pricing.models.fields import CodeListField, WeekdaysField
from pricing.models.grid_signals import GridSignal
from pricing.models.validators import currency_code

from .surges import SurgeRule
from .tariffs import Tariff, TariffBand

__all__ = [
    "CodeListField",
    "GridSignal",
    "SurgeRule",
    "Tariff",
    "TariffBand",
    "WeekdaysField",
    "currency_code",
]
