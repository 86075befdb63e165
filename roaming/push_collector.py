"""One transaction's changes for OCPI, pushed once after its commit.

roaming.signals adds what each save or delete changed to the collector of the transaction
in progress on its database connection: the stations whose Location changed, the objects
to push by operator and module, and the stations, chargers and operators whose Locations
a tariff's move re-prices. After the commit the collector does the work once, for all of
them: one read of the stations touched (the re-priced ones, and those whose chargers or
connectors changed, named by their codes as they are after the commit), one stamp of
every changed Location, one read of the tariffs whose bands changed (when any did), one
read of the partners, one insert of the push rows, and one send_due message per partner.
A save inside the transaction reads nothing for it.

The collector is held by its on_commit callbacks only (the registry below keeps a weak
reference to it). A rollback drops the callbacks registered in what it rolls back (the
transaction, or a savepoint), and a collector with none left goes with them: the next
change starts a new one, so a change rolled back pushes nothing. Each change registers the
collector's callback again, where it is made (an entry in Django's list, no query): a
change the commit keeps has kept its callback, so no savepoint rolled back can leave it
unpushed; the first callback to run does the work, the others find it done. A change
rolled back in a savepoint while an earlier change of the transaction is kept is pushed
all the same: the object as it is now, which leaves the partner as it was. Outside a
transaction (autocommit) the callback runs at once: each change is pushed as it is made.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from cpo_portal.db.values import ocpi_id_of
from cpo_portal.models import Station
from pricing.models import Tariff
from roaming.models import LocationStamp, Module
from roaming.services import pushes
from roaming.tasks import send_due


@dataclass(eq=False)
class Changes:
    """What one transaction changed, by operator; sent once by `send`."""

    stations: set[int] = field(default_factory=set)  # their Locations' last_updated moves
    objects: defaultdict[tuple[int, str], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )  # (operator, module): OCPI ids to push
    # stations found after the commit, their Locations named by their codes as they are
    # then: (operator or None for any, "charger" or "station", its id), or (operator,
    # "operator", None) for all the operator's stations
    scopes: set[tuple[int | None, str, int | None]] = field(default_factory=set)
    # tariffs whose bands changed in it, by id: named by their codes read after the commit
    banded: set[int] = field(default_factory=set)
    done: bool = False

    def location(self, operator_id: int, station_id: int, codes: Iterable[str]) -> None:
        """The station's Location changed; each of `codes` names it at the partner (a
        renamed station's old code too, which then finds no station and is unpublished)."""
        self.stations.add(station_id)
        self.objects[operator_id, Module.LOCATIONS].update(ocpi_id_of(c) for c in codes)

    def inside(self, station_id: int | None = None, charger_id: int | None = None) -> None:
        """Something inside a Location changed (a charger or a connector): the Location of
        this station, or of the charger's station, named by its code read after the
        commit (no read in the transaction)."""
        self._scope(None, station_id, charger_id)

    def tariffs(self, operator_id: int, ocpi_ids: Iterable[str]) -> None:
        self.objects[operator_id, Module.TARIFFS].update(ocpi_ids)

    def bands_of(self, tariff_id: int) -> None:
        """A band of the tariff changed: the tariff is pushed, named by its code read after
        the commit (no read in the transaction)."""
        self.banded.add(tariff_id)

    def repriced(self, operator_id: int, station_id: int | None, charger_id: int | None) -> None:
        """The Locations priced by a tariff of this scope (a charger's, a station's, or the
        operator's) may name another tariff now."""
        self._scope(operator_id, station_id, charger_id)

    def _scope(
        self, operator_id: int | None, station_id: int | None, charger_id: int | None
    ) -> None:
        if charger_id:
            self.scopes.add((operator_id, "charger", charger_id))
        elif station_id:
            self.scopes.add((operator_id, "station", station_id))
        elif operator_id is not None:
            self.scopes.add((operator_id, "operator", None))

    def send(self) -> None:
        """After the commit: stamp the Locations, write the pushes, queue the sends."""
        if self.done:
            return
        self.done = True
        live = set()
        for operator_id, pk, code, named in self._stations():
            live.add(pk)
            if named:
                self.location(operator_id, pk, [code])
        stamp_locations(live)
        if self.banded:  # a tariff deleted since (with its bands) is not there to push
            rows = Tariff.objects.filter(pk__in=self.banded).values_list("operator_id", "code")
            for operator_id, code in rows:
                self.tariffs(operator_id, [ocpi_id_of(code)])
        for partner_id in pushes.enqueue_all(self.objects):
            send_due.delay(partner_id)

    def _stations(self) -> list[tuple[int, int, str, bool]]:
        """In one read, every station still there that the transaction touched: those
        whose Location changed (by id), and those found by scope (re-priced, or holding
        a charger or connector that changed), each with whether it was found by scope
        (its Location then named by its code as it is now)."""
        scopes: list[Q] = []
        for operator_id, kind, pk in self.scopes:
            scope = Q() if operator_id is None else Q(operator_id=operator_id)
            if kind == "charger":
                scope &= Q(chargers__pk=pk)
            elif kind == "station":
                scope &= Q(pk=pk)
            scopes.append(scope)
        if not scopes and not self.stations:
            return []
        if not scopes:
            rows = Station.objects.filter(pk__in=self.stations)
            return [(*row, False) for row in rows.values_list("operator_id", "pk", "code")]
        named = reduce(or_, scopes)
        rows = Station.objects.filter(named | Q(pk__in=self.stations)).annotate(
            named=ExpressionWrapper(named, output_field=BooleanField())
        )
        return list(rows.distinct().values_list("operator_id", "pk", "code", "named"))


def stamp_locations(station_ids: Iterable[int]) -> None:
    """The stations' Locations changed now (an upsert: one statement; `station_ids` are
    stations that exist)."""
    ids = set(station_ids)
    if not ids:
        return
    now = timezone.now()
    LocationStamp.objects.bulk_create(
        [LocationStamp(station_id=pk, last_updated=now) for pk in ids],
        update_conflicts=True,
        unique_fields=["station"],
        update_fields=["last_updated"],
    )


# The collector of each connection (a thread's own; the connection's transaction state is
# its own too), held weakly: see the module's docstring.
_collectors: weakref.WeakKeyDictionary[Any, weakref.ref[Changes]] = weakref.WeakKeyDictionary()


@contextmanager
def collecting(using: str | None = None) -> Iterator[Changes]:
    """The changes of the transaction in progress on `using`, to add to; their push is
    registered when the block ends (at once outside a transaction: after the additions)."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    held = _collectors.get(connection)
    changes = held() if held is not None else None
    if changes is None or changes.done:
        changes = Changes()
        _collectors[connection] = weakref.ref(changes)
    yield changes
    transaction.on_commit(changes.send, using=using)
