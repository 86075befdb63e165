"""Beckn protocol primitives, free of Django: schema validation (`schema`), context rules
and inbound normalisation (`context`, `timefmt`), BECKN-005 errors and ACK/NACK bodies
(`errors`), BECKN-006 signing (`signing`, `signature_header`) and tag groups (`tags`).
"""
