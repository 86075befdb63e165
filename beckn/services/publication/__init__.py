"""The published catalog: each operator's priced catalog as BAPs see it, kept per process
and read by every search, which then computes nothing but the search's own choices.

One `Provider` per operator holds what an on_search shows of it, built once from pricing
and offers: its stations and chargers (connectors in order), each charger's list rate and
the add-ons on sale at each station, every active offer placed at each station and charger
with the end of its validity, and the surge notices of any search starting in the coming
days (commerce.NoticesDuring: the rules that match each station, the holidays, load and
grid signals of the span, and each rule's clock windows: pricing's ClockWindows). The
parts that depend on the moment are kept as such windows: a search keeps the offers not
ended at its start and the notices whose windows meet its span, and reads the rest as
published. The offers current at a moment are worked out once for every
moment up to the next offer's end (one list object for equal lists), and rendered items,
offer definitions and locations are kept with the provider (keyed by the objects they are
rendered from, the offers that apply and the connectors shown), so a search renders only
what it has not seen and walks a list of offers shared by several chargers once.

Versions: a provider is built under its operator's stamps (cpo_portal.models.Stamp: its
network, pricing and catalog stamps), read in one statement for every operator before the
rows they guard, and renewed in the writer's transaction by every change that affects the
catalog, through their signal modules; a search reads them first, so every process and
host sees a change from its commit. The network rows of every operator are kept (an
operator's read again, and compared station by station, when its network stamp moves);
a search picks the operators it needs from them and updates only those of their
providers whose stamps moved, reusing what did not change. A provider whose stamps moved
while it was being built is built again, so no search mixes two versions of one provider
(a provider is replaced whole, and a search holds the one it started with).

Its modules: `network_rows` (the rows, compared station by station, and the stations by
latitude), `providers` (one operator's provider and the offers current at a moment),
`published` (this process's publication and its updates on the stamps; the lookups of
select, init and confirm), `search` (the chargers a search asks for, laid out).
"""

from beckn.services.publication.providers import Provider, Version
from beckn.services.publication.published import (
    KINDS,
    answered,
    chargers_and_stamps,
    forget,
    published,
    taken,
)
from beckn.services.publication.search import WHOLE, offerings, search, time_step

__all__ = [
    "KINDS",
    "WHOLE",
    "Provider",
    "Version",
    "answered",
    "chargers_and_stamps",
    "forget",
    "offerings",
    "published",
    "search",
    "taken",
    "time_step",
]
