"""Admin for offers: offers (with the simulator), code batches, customers, credit
accounts, add-ons and their bookings, and the read-only redemption ledger."""

from . import addons, codes, customers, ledger, offers

__all__ = ["addons", "codes", "customers", "ledger", "offers"]
