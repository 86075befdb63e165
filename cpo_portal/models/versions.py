"""The version stamps: one for the whole charging network, renewed by every change to its
rows, and one per operator for what a process memoises of that operator.

A process that memoises network rows (operators, stations, chargers, connectors: the
Beckn select path does) reads it before trusting its memo: one primary-key SELECT,
hand-written (cpo_portal.db.stamps). Saves and deletes of those models renew it in the
writer's transaction (cpo_portal.signals), so the new stamp is seen exactly when
the change is. Queryset .update() and .bulk_create() send no signals: code that uses them
on network rows must call NetworkVersion.bump() itself. The stamp is random rather than a
counter so that a row made again (a flushed or restored database) never matches a memo
of the old data. `changed_at` is when it was last renewed: the time of the change, as the
catalog's change record (beckn.services.catalog_refresh) dates it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from cpo_portal.db.stamps import as_uuid, read_one

T = TypeVar("T")


class _Renewals:
    """The stamp renewals this process has made. A memo that reads the stamps only every
    so often (beckn's published catalog, at most every BECKN_REGISTRY_CHECK_MS) reads them
    again at once when this number moved: a change made in this process is seen by its
    next read, one made in another process within that interval."""

    count = 0


def renewals_here() -> int:
    """How many stamp renewals this process has made (see _Renewals)."""
    return _Renewals.count


class Checked(Generic[T]):
    """A value read from stamps (`read`), trusted for the seconds each caller allows
    (get()), and read again at once after a renewal made in this process: the one way a
    process's memo learns of a change (beckn's registry memo and published catalog).
    A change is seen by the process that made it at once, by every other within the
    interval of its commit."""

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read
        self._held: tuple[T, float, int] | None = None  # value, trusted until, renewals

    def get(self, seconds: float, now: float | None = None) -> T:
        """The value, read again when older than `seconds` (0: always); `now` is
        time.monotonic()'s."""
        now = time.monotonic() if now is None else now
        renewals = renewals_here()
        held = self._held
        if held is not None and seconds > 0 and now < held[1] and held[2] == renewals:
            return held[0]
        value = self._read()
        self._held = (value, now + seconds, renewals)
        return value

    def replace(self, value: T) -> None:
        """A value read since, by another way, replaces the one held, trusted as long."""
        held = self._held
        if held is not None:
            self._held = (value, held[1], held[2])

    def forget(self) -> None:
        self._held = None


def _renewed_here() -> None:
    """Counted when the renewal is made (a reader in the writer's own transaction sees it)
    and again when it commits (a reader in another thread of this process sees it then)."""
    _Renewals.count += 1
    transaction.on_commit(_count_once_more)


def _count_once_more() -> None:
    _Renewals.count += 1


class GlobalStamp(models.Model):
    """One row whose random stamp is renewed by every change to what it stands for: the
    charging network (NetworkVersion), the Beckn registry (beckn.RegistryVersion). A
    process reads it (one primary-key SELECT, cpo_portal.db.stamps) before trusting its memo;
    the writer renews it in its own transaction, so the new stamp is seen exactly when the
    change is. Random rather than a counter: a row made again (a flushed or restored
    database) never matches a memo of the old data. `changed_at` is when it was last
    renewed."""

    ROW = 1

    stamp = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.stamp}"

    @classmethod
    def bump(cls) -> None:
        """Inside the caller's transaction: nobody sees the new stamp before the change."""
        renewed = {"stamp": uuid.uuid4(), "changed_at": timezone.now()}
        if not cls._default_manager.filter(pk=cls.ROW).update(**renewed):
            cls._default_manager.get_or_create(pk=cls.ROW)  # made now: a stamp nobody has seen
        _renewed_here()

    @classmethod
    def current(cls) -> uuid.UUID:
        """The stamp to memoise against; the row is made on first read, so any change
        after a memo was filled finds a row to renew."""
        stamp = read_one(cls, "stamp", "id", cls.ROW)
        if stamp is None:
            try:
                with transaction.atomic():
                    cls._default_manager.get_or_create(pk=cls.ROW)
            except IntegrityError:  # another process made it meanwhile
                pass
            stamp = read_one(cls, "stamp", "id", cls.ROW)
        return as_uuid(stamp)


class NetworkVersion(GlobalStamp):
    """The charging network's stamp (see the module's docstring)."""


class OperatorStamp(models.Model):
    """A random stamp per operator, renewed by every change to what a process memoises
    for that operator (its price books: pricing.PricingVersion; its offer catalog:
    offers.CatalogVersion). A subclass adds the one-to-one `operator` field.

    Random rather than a counter: a row made again (an operator id reused after a
    rollback, a restored backup) never matches a memo of the old data, and neither does a
    renewal whose transaction rolled back."""

    stamp = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(null=True, blank=True)  # when last renewed

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.stamp)

    @staticmethod
    def _of(operator_id: int) -> dict[str, int]:
        """The row's key, by the field every subclass adds."""
        return {"operator_id": operator_id}

    @classmethod
    def bump(cls, operator_id: int) -> None:
        """Inside the caller's transaction; only ever an UPDATE (safe inside a cascade that
        is deleting the operator): a row not made yet has no memo to renew."""
        cls._default_manager.filter(**cls._of(operator_id)).update(
            stamp=uuid.uuid4(), changed_at=timezone.now()
        )
        _renewed_here()

    @classmethod
    def current(cls, operator_id: int) -> uuid.UUID:
        """The stamp to memoise against. The row is made on first read, so any change
        after a memo was filled finds a row to renew."""
        stamp = read_one(cls, "stamp", "operator", operator_id)
        if stamp is None:
            try:
                with transaction.atomic():
                    cls._default_manager.create(**cls._of(operator_id))
            except IntegrityError:  # another process made it meanwhile
                pass
            stamp = read_one(cls, "stamp", "operator", operator_id)
        return as_uuid(stamp)
