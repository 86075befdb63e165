"""What this process has published, and bringing it up to date: the stamps of every
operator read in one statement before anything else, the network rows of the operators
whose network stamp moved read again, and the providers whose stamps moved updated (a
provider whose stamps moved again meanwhile is built again before it is kept).

How it is invalidated across processes: a search or a quote trusts the stamps it last
read for at most BECKN_REGISTRY_CHECK_MS (as the registry's memo does), and reads them
again at once after a renewal made in this process (cpo_portal.models.Checked). A
change therefore reaches every process's publication within that interval of its commit,
and the writing process's at once."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from beckn import conf
from beckn.services.publication.network_rows import Rows, read_network
from beckn.services.publication.providers import NOTICES_AHEAD, Provider, Version
from cpo_portal.models import Charger, Checked, Stamp


@dataclass(frozen=True)
class State:
    """What this process has published: the network rows read under `network` (the
    operators' network stamps), and the providers built of them (each under its own
    stamps); replaced whole, never changed."""

    network: dict[int, Any] | None = None
    rows: dict[int, Rows] = field(default_factory=dict)  # by operator pk
    providers: dict[int, Provider] = field(default_factory=dict)  # by operator pk


Stamps = tuple[dict[int, Any], dict[int, Any], dict[int, Any]]  # network, pricing, catalog


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state = State()
        self.stamps = Checked(lambda: _stamps())  # trusted for BECKN_REGISTRY_CHECK_MS


_store = _Store()


KINDS = (Stamp.Kind.NETWORK, Stamp.Kind.PRICING, Stamp.Kind.CATALOG)  # Stamps' order
_taken = threading.local()  # since: when the message this thread answers was taken


def _stamps() -> Stamps:
    """Every operator's network, pricing and catalog stamps, in one statement."""
    return _in_order(Stamp.every(KINDS))


def _in_order(found: dict[str, dict[int, Any]]) -> Stamps:
    return found[Stamp.Kind.NETWORK], found[Stamp.Kind.PRICING], found[Stamp.Kind.CATALOG]


def taken(found: dict[str, dict[int, Any]] | None, read: tuple[float, int]) -> None:
    """The message this thread answers next was taken at the `read` moment
    (Checked.moment()) by a statement that read every operator's stamps beside it
    (`found`: Stamp.every(KINDS); None: it did not). A fresh read (chargers_and_stamps)
    takes stamps read since, so answering the message needs no statement of its own for
    them."""
    if found is not None:
        _store.stamps.replace(_in_order(found), read)
    _taken.since = read[0]


def answered() -> None:
    """The message this thread answered is done: a fresh read reads again."""
    _taken.since = None


def _checked_stamps(fresh: bool = False) -> Stamps:
    """_stamps(), read again only when those last read are older than
    BECKN_REGISTRY_CHECK_MS or this process renewed a stamp since (the module's docstring);
    `fresh`: read since the message in hand was taken (taken()), or now."""
    if fresh:
        return _store.stamps.get(0, time.monotonic(), getattr(_taken, "since", None))
    return _store.stamps.get(conf.get("BECKN_REGISTRY_CHECK_MS") / 1000, time.monotonic())


def _published(
    wanted: Callable[[dict[int, Rows]], Collection[int]] | None = None,
    now: dt.datetime | None = None,
    fresh: bool = False,
) -> tuple[dict[int, Rows], dict[int, Provider], Stamps]:
    """The network rows as published now, and the providers of the operators `wanted`
    picks from them (default: every operator), each current: one statement when nothing
    changed. When stamps moved, the providers they touch are updated (a changed network
    is read again and compared, operator by operator and station by station); a provider
    whose stamps moved again while it was updated is updated again before it is kept.
    Third: the stamps they are current under. `fresh`: the stamps read now, not trusted
    from the last read (what a price is quoted under)."""
    now = now or timezone.now()
    stamps = _checked_stamps(fresh)
    for _ in range(4):
        state = _store.state
        if stamps[0] == state.network:
            needed = set(state.rows) if wanted is None else set(wanted(state.rows))
            if not _stale(state, needed, stamps, now):
                return state.rows, {pk: state.providers[pk] for pk in needed}, stamps
        with _store.lock:
            stamps = _update(stamps, wanted, now)
            _store.stamps.replace(stamps)  # read after those checked: trusted as long
    state = _store.state  # stamps kept moving: those of the rows kept, built if need be
    needed = set(state.rows) if wanted is None else set(wanted(state.rows))
    found = {}
    for pk in needed:
        provider = state.providers.get(pk)
        if provider is None or provider.rows is not state.rows[pk]:
            provider, stamps = _whole(state.rows[pk], pk, stamps, now, provider)
            _store.stamps.replace(stamps)
        found[pk] = provider
    return state.rows, found, stamps


def _whole(
    rows: Rows, pk: int, stamps: Stamps, now: dt.datetime, before: Provider | None
) -> tuple[Provider, Stamps]:
    """The provider of `rows` built under pricing and catalog stamps that did not move while
    it was built (one version of its offers and prices, never half of a change), and the
    stamps read after it: built again for as long as a change commits during its build."""
    while True:
        version = _version(pk, stamps)
        provider = Provider.build(rows, version, now, before)
        stamps = _stamps()
        if _version(pk, stamps)[1:] == version[1:]:
            return provider, stamps


def published(
    wanted: Callable[[dict[int, Rows]], Collection[int]] | None = None,
    now: dt.datetime | None = None,
) -> tuple[dict[int, Rows], dict[int, Provider]]:
    """The network rows as published now, and the providers of the operators `wanted`
    picks from them (default: every operator), each current (_published)."""
    rows, providers, _ = _published(wanted, now)
    return rows, providers


def _update(stamps: Stamps, wanted: Any, now: dt.datetime) -> Stamps:
    """Bring the providers `wanted` up to date under `stamps`; the stamps read after."""
    state = _store.state
    rows = state.rows
    if stamps[0] != state.network:
        rows = read_network(state.rows, _moved(state.network, stamps[0]))
    missing = [pk for pk in rows if any(pk not in kind for kind in stamps)]
    if missing:  # rows to renew from now on
        for pk in missing:
            Stamp.of_operator(pk, (Stamp.Kind.NETWORK, Stamp.Kind.PRICING, Stamp.Kind.CATALOG))
        return _stamps()
    needed = set(rows) if wanted is None else set(wanted(rows))
    built = {}
    for pk in needed:
        version = _version(pk, stamps)
        before = state.providers.get(pk)
        if before is not None and before.version == version and before.rows is rows[pk]:
            if before.built + NOTICES_AHEAD / 2 >= now:
                continue
            before = None  # the notices kept run out: built afresh
        built[pk] = Provider.build(rows[pk], version, now, before)
    after = _stamps()  # those that moved meanwhile are left out, and built again
    if after[0] != stamps[0]:
        return after
    providers = {pk: p for pk, p in state.providers.items() if pk in rows}
    providers.update({pk: p for pk, p in built.items() if _version(pk, after) == p.version})
    _store.state = State(stamps[0], rows, providers)
    return after


def _moved(before: dict[int, Any] | None, now: dict[int, Any]) -> set[int] | None:
    """The operators whose network stamp moved, came or went (None: every operator)."""
    if before is None:
        return None
    return {pk for pk in before.keys() | now.keys() if before.get(pk) != now.get(pk)}


def _version(operator_id: int, stamps: Stamps) -> Version:
    return (stamps[0].get(operator_id), stamps[1].get(operator_id), stamps[2].get(operator_id))


def _stale(state: State, needed: set[int], stamps: Stamps, now: dt.datetime) -> bool:
    return any(
        (p := state.providers.get(pk)) is None
        or p.version != _version(pk, stamps)
        or p.built + NOTICES_AHEAD / 2 < now
        for pk in needed
    )


def chargers_and_stamps(provider_id: str, item_id: str) -> tuple[list[Charger], Version | None]:
    """Up to two chargers coded `item_id` of the operator coded `provider_id`, as
    published (whatever their status), each with its station, operator and connectors
    (shared with every search and lookup of this process: read them, never change them),
    and the stamps they were published under (the network's, the operator's pricing and
    catalog; None when the operator is not published): select, init and
    confirm find their charger here, and their quote checks its memos against these
    stamps instead of reading them again. They are read for every call (one statement):
    a price, an offer or a charger changed on any host is quoted from its commit on."""
    rows, _, stamps = _published(lambda rows: (), fresh=True)  # the rows only
    for pk, operator in rows.items():
        if operator.operator.code == provider_id:
            return operator.codes.get(item_id, [])[:2], _version(pk, stamps)
    return [], None


def forget() -> None:
    """Empty this process's publication (tests)."""
    with _store.lock:
        _store.state = State()
        _store.stamps.forget()
