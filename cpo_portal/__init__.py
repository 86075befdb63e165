"""The charging network (operators, staff, stations, chargers) and the project itself.

The Celery application (`cpo_portal.celery`) is loaded by this app's `ready()`, in every
process Django starts, not on importing this package: the pure modules below it
(`cpo_portal.formatting`) are imported by the quote engine and the offer rules, which load
no Django and no Celery. `celery -A cpo_portal` finds it as `cpo_portal.celery.app`.
"""
