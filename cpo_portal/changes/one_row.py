"""One admin save, one row in the change log.

django-simple-history writes a row on every save and another on every many-to-many change,
so an admin form saved unchanged wrote "no field changed", and an offer created with its
stations wrote two rows (created, then its stations). The admin (cpo_portal.admin.history_admin)
skips the row of a form saved unchanged, and writes the many-to-many links it saves after
the object into the object's own row of that save (`keep_links`).
"""

from __future__ import annotations

from django.db.models import Model
from simple_history import utils

from cpo_portal.changes import tracked

SKIP = "skip_history_when_saving"  # django-simple-history's documented switch


def newest_row(obj: Model):
    history = tracked.history_model(type(obj))
    if history is None:
        return None
    rows = history._default_manager.filter(**{type(obj)._meta.pk.attname: obj.pk})
    return rows.order_by("-history_date", "-history_id").first()


def keep_links(obj: Model) -> None:
    """The object's many-to-many links, as saved now, into its newest history row (the one
    this save wrote), in place of those the row was written with."""
    record = newest_row(obj)
    if record is None:
        return
    for field in type(obj)._meta.many_to_many:
        if not hasattr(record, field.name):  # a field the history does not keep
            continue
        kept = getattr(record, field.name)
        through = getattr(obj, field.name).through
        names = [f.name for f in through._meta.fields]
        links = through._default_manager.filter(**{utils.get_m2m_field_name(field): obj})
        kept.all().delete()
        kept.model._default_manager.bulk_create(
            [kept.model(history=record, **{n: getattr(link, n) for n in names}) for link in links]
        )
