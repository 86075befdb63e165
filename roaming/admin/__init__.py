"""Roaming in the admin: partners and the push log (partners.py), received CDRs, their
file imports and the price audit (cdrs.py)."""

from . import cdrs, partners

__all__ = ["cdrs", "partners"]
