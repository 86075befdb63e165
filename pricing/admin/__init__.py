"""Admin for pricing: tariffs (with bands, preview and OCPI), surge rules, grid signals."""

from pricing.admin.grid_signals import GridSignalAdmin

from .surges import SurgeRuleAdmin
from .tariffs import TariffAdmin

__all__ = ["GridSignalAdmin", "SurgeRuleAdmin", "TariffAdmin"]
