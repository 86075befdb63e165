"""The quote engine: pure, typed functions over dataclasses. No ORM, no Django.

Callers (pricing.services, offers, beckn) load data from the database into these
dataclasses, call the engine, and persist or render the result.
"""
