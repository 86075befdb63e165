from .signals import GridSignal
from .surges import SurgeRule
from .tariffs import Tariff, TariffBand
from .versions import PricingVersion

__all__ = ["GridSignal", "PricingVersion", "SurgeRule", "Tariff", "TariffBand"]
