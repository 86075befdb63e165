"""Django's format files for the portal's language: one date format across admin pages, the
one `cpo_portal.formatting.local_time` writes ("24 Sep 2025, 19:00")."""
