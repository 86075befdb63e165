"""The version stamps (Stamp): per operator, one for its network rows, one for its price
books, one for its offer catalog, and one for the Beckn registry, renewed by every change
to what they stand for, and the memo that reads them (Checked).

Saves and deletes of operators, stations, chargers and connectors renew their operator's
network stamp in the writer's transaction (cpo_portal.signals). Queryset .update() and
.bulk_create() send no signals: code that uses them on the rows a stamp guards must call
Stamp.bump() itself.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone

from cpo_portal.db.stamps import column, rows_of

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
    """A value read from the database (`read`), trusted for the seconds each caller allows
    (get()), and read again at once after a renewal made in this process: the one way a
    process's memo learns of a change (beckn's registry memo and published catalog, from
    their stamps; beckn's admission view of the workers and their backlog).
    A change is seen by the process that made it at once, by every other within the
    interval of its commit (and the time one read takes: while a thread or greenlet
    reads the stamps again, the others go on with the value held rather than each read
    them too, unless they asked for one read after a moment of theirs, `since`)."""

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read
        self._held: tuple[T, float, int] | None = None  # value, read at, renewals then
        self._reading = False  # a read is under way (the others keep to the value held)

    def get(self, seconds: float, now: float | None = None, since: float | None = None) -> T:
        """The value, read again when older than `seconds` (0: always) unless it was read
        at or after `since`; `now` and `since` are time.monotonic()'s."""
        now = time.monotonic() if now is None else now
        renewals = renewals_here()
        held = self._held
        if held is not None and held[2] == renewals:
            if now - held[1] < seconds or (since is not None and held[1] >= since):
                return held[0]
            if self._reading and since is None:
                return held[0]
        self._reading = True
        try:
            value = self._read()
        finally:
            self._reading = False
        self._held = (value, now, renewals)
        return value

    @staticmethod
    def moment() -> tuple[float, int]:
        """Now, as a value read next is dated: time.monotonic()'s, and the renewals this
        process has made so far."""
        return time.monotonic(), renewals_here()

    def replace(self, value: T, read: tuple[float, int] | None = None) -> None:
        """A value read by another way replaces the one held: read at the `read` moment
        (moment(), taken before it was read; default: trusted as long as the one held),
        unless the one held was read later."""
        held = self._held
        if read is None:
            if held is not None:
                self._held = (value, held[1], held[2])
        elif held is None or read[0] >= held[1]:
            self._held = (value, read[0], read[1])

    def forget(self) -> None:
        self._held = None


def _renewed_here() -> None:
    """Counted when the renewal is made (a reader in the writer's own transaction sees it)
    and again when it commits (a reader in another thread of this process sees it then)."""
    _Renewals.count += 1
    transaction.on_commit(_count_once_more)


def _count_once_more() -> None:
    _Renewals.count += 1


class Stamp(models.Model):
    """A random stamp renewed by every change to what a process memoises, one per kind
    and operator (`operator` None: one for the whole installation, as the Beckn
    registry's). Each kind is renewed by its owner's signals: the network rows by
    cpo_portal.signals, the price books by pricing.services.invalidation, the offer catalog
    by offers.signals (and offers' bulk writes), the registry by beckn's registry models.

    A process reads the stamps before the rows they guard and trusts its memo while they
    are those it was filled under; the writer renews them in its own transaction, so a
    new stamp is seen exactly when its change is. A renewal is only ever an UPDATE (safe
    inside the cascade that deletes an operator): a row not made yet has no memo to
    renew, and current() makes it on first read. Random rather than a counter: a row made
    again (an id reused after a rollback, a restored backup) never matches a memo of the
    old data, and neither does a renewal whose transaction rolled back. `changed_at` is
    when it was last renewed, as the catalog's change record dates a change."""

    class Kind(models.TextChoices):
        NETWORK = "network", "an operator's own row, stations, chargers and connectors"
        PRICING = "pricing", "an operator's price books and the conditions they price under"
        CATALOG = "catalog", "what an operator's offer catalog is built from"
        REGISTRY = "registry", "the Beckn registry (for the whole installation)"

    TENANT_PATH = "operator"

    operator = models.ForeignKey(
        "cpo_portal.Operator", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    stamp = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "kind"],
                condition=models.Q(operator__isnull=False),
                name="stamp_one_per_operator_and_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(operator__isnull=True),
                name="stamp_one_per_kind_for_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} stamp {self.stamp}"

    @classmethod
    def bump(cls, kind: str, operator_id: int | None = None) -> None:
        """Inside the caller's transaction: nobody sees the new stamp before the change."""
        cls.objects.filter(kind=kind, operator_id=operator_id).update(
            stamp=uuid.uuid4(), changed_at=timezone.now()
        )
        _renewed_here()

    @classmethod
    def current(cls, kind: str, operator_id: int | None = None) -> uuid.UUID:
        """The stamp to memoise against, its row made on first read."""
        return cls.of_operator(operator_id, (kind,))[kind]

    @classmethod
    def of_operator(cls, operator_id: int | None, kinds: tuple[str, ...]) -> dict[str, uuid.UUID]:
        """The stamps of `kinds` for one operator (None: the installation's), with the
        operator's others, in one statement by the operator's key alone when their rows
        are made (the hot path: every quote reads three)."""
        if operator_id is None:
            found = dict(
                cls.objects.filter(operator=None, kind__in=kinds).values_list("kind", "stamp")
            )
        else:
            found = dict(rows_of(cls, ("kind", "stamp"), operator=operator_id))
        for kind in kinds:
            if kind not in found:
                try:
                    with transaction.atomic():
                        found[kind] = cls.objects.create(operator_id=operator_id, kind=kind).stamp
                except IntegrityError:  # another process made it meanwhile
                    found[kind] = cls.objects.get(operator_id=operator_id, kind=kind).stamp
        return found

    @classmethod
    def every(cls, kinds: tuple[str, ...]) -> dict[str, dict[int, uuid.UUID]]:
        """Every operator's stamps of `kinds`, by kind and operator, in one statement."""
        out: dict[str, dict[int, uuid.UUID]] = {kind: {} for kind in kinds}
        for pk, kind, stamp in rows_of(cls, ("operator", "kind", "stamp"), kind=list(kinds)):
            if pk is not None:
                out[kind][pk] = stamp
        return out

    @classmethod
    def every_column(cls, kinds: tuple[str, ...], alias: str) -> tuple[str, list[str]] | None:
        """every(kinds) as a scalar subquery and its parameters, for another statement to
        return beside its own rows (a Beckn worker's take of a message: one statement, not
        two), its value read by every_from(); None where the database has no arrays."""
        connection = connections[alias]
        if connection.vendor != "postgresql":
            return None
        quote = connection.ops.quote_name
        operator, kind, stamp = (quote(column(cls, name)) for name in ("operator", "kind", "stamp"))
        sql = (
            f"(SELECT array_agg(ARRAY[{operator}::text, {kind}, {stamp}::text]) "  # noqa: S608 (names from the model, values parameters)
            f"FROM {quote(cls._meta.db_table)} WHERE {operator} IS NOT NULL "
            f"AND {kind} IN ({', '.join(['%s'] * len(kinds))}))"
        )
        return sql, list(kinds)

    @staticmethod
    def every_from(value: list[list[str]] | None, kinds: tuple[str, ...]) -> dict:
        """What every(kinds) gives, from the value of its every_column()."""
        out: dict[str, dict[int, uuid.UUID]] = {kind: {} for kind in kinds}
        for operator, kind, stamp in value or ():
            out[kind][int(operator)] = uuid.UUID(stamp)
        return out


class StationStamp(models.Model):
    """A random stamp per station, renewed by every save of the station and every save or
    delete of its chargers and connectors (cpo_portal.signals): a process that keeps an
    operator's network rows reads again only the stations whose stamp moved when the
    operator's network stamp did. Made with the station, or on first read."""

    TENANT_PATH = "station__operator"

    station = models.OneToOneField(
        "cpo_portal.Station", on_delete=models.CASCADE, primary_key=True, related_name="rows_stamp"
    )
    stamp = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"station stamp {self.stamp}"

    @classmethod
    def renew(cls, station_id: int) -> None:
        """Inside the caller's transaction: the station's stamp (none made yet, nothing)."""
        cls.objects.filter(station_id=station_id).update(stamp=uuid.uuid4())
