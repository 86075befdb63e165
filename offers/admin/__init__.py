"""Admin for offers: offers (with the simulator), code batches, customers, credit
accounts, and the read-only redemption ledger."""

from . import codes, customers, ledger, offers

__all__ = ["codes", "customers", "ledger", "offers"]
