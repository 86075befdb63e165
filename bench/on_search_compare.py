"""bench/on_search.py --compare: the search as it was before the published catalog (the
"before" of each network), and the publication's own figures: its update after an
offer and a tariff edit, its change record's CPU, and its memory."""

from __future__ import annotations

import contextlib
import time


def built_handle(req):
    """The search handler as it was before the published catalog: it finds the chargers in
    the database and fetches each operator's offering for every search (the reference
    tests/beckn/test_publication.py compares the published catalog with)."""
    from beckn import conf
    from beckn.messages import Reply
    from beckn.services import order_flow
    from beckn.wire import request_parsing
    from tests.beckn import built_catalog as discovery

    query = request_parsing.read_search_intent(req.message, req.context)
    found = discovery.find(query)
    offerings = discovery.fetch_offerings(found.chargers, query, req.now)
    first, *more = discovery.search_catalogs(
        offerings, order_flow.vocabularies(req.bap_id), query.start, query.end,
        found.matched, conf.get("BECKN_CATALOG_PART_BYTES"), req.now,
    )  # fmt: skip
    return Reply(message=first, more=more)


@contextlib.contextmanager
def built_search():
    from beckn.handlers import search

    handle, search.handle = search.handle, built_handle
    try:
        yield
    finally:
        search.handle = handle


def publication_memory() -> str:
    """The memory the publication of every seeded network takes (tracemalloc: what is
    allocated building it from scratch and kept)."""
    import tracemalloc

    from beckn.services import publication
    from cpo_portal.models import Charger

    publication.forget()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    _, kept = publication.published()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    chargers = Charger.objects.count()
    mib = grown / 2**20
    return f"publication memory: {mib:.1f} MiB for {chargers} chargers, {len(kept)} operators"


def update_times(scenario) -> str:
    """The time (wall, CPU) to bring the publication up to date after one offer edit, one
    tariff edit and one charger edit (a status) of the scenario's first operator, and one
    charger edit of another operator: the next search's rebuild."""
    from beckn.services import publication
    from cpo_portal.models import Charger, Operator
    from offers.models import Offer
    from pricing.models import Tariff

    operator = Operator.objects.get(code=scenario.operator_codes()[0])
    chargers = Charger.objects.order_by("pk")
    out = []
    for name, edit in (
        ("offer edit", lambda: Offer.objects.filter(operator=operator)[0].save()),
        ("tariff edit", lambda: Tariff.objects.filter(operator=operator)[0].save()),
        ("charger edit", lambda: chargers.filter(operator=operator)[0].save()),
        ("another operator's charger edit", lambda: chargers.exclude(operator=operator)[0].save()),
    ):
        publication.published()
        edit()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        publication.published()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        out.append(f"{name}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU")
    return f"publication update, {scenario.label}: " + "; ".join(out)


def record_times(scenario) -> str:
    """The CPU of bringing the catalog's change record up to date (what the push beat
    does) after one offer, one tariff and one charger edit of the scenario's first
    operator, the publication already updated (a search's cost, measured above)."""
    from django.utils import timezone

    from beckn.services import catalog_refresh, publication
    from cpo_portal.models import Charger, Operator
    from offers.models import Offer
    from pricing.models import Tariff

    operator = Operator.objects.get(code=scenario.operator_codes()[0])
    catalog_refresh.record(timezone.now())  # every piece, the first time
    out = []
    for name, model in (("offer", Offer), ("tariff", Tariff), ("charger", Charger)):
        model.objects.filter(operator=operator).order_by("pk")[0].save()
        publication.published()
        cpu0 = time.process_time()
        written = catalog_refresh.record(timezone.now())
        cpu = time.process_time() - cpu0
        out.append(f"{name} edit {cpu * 1000:.1f} ms CPU ({written} changes)")
    cpu0 = time.process_time()
    catalog_refresh.record(timezone.now())
    out.append(f"nothing moved {(time.process_time() - cpu0) * 1000:.1f} ms CPU")
    return f"change record, {scenario.label}: " + "; ".join(out)


def cds_publish_times(scenario) -> str:
    """The scenario's first operator's catalogs as a CDS gets them (beckn.services.cds:
    one per station, every active charger, no cut), the publication warm, each step in a
    transaction rolled back. CPU of the beat's `cds.publish_due` (reading the catalogs from
    the publication, rendering them in 2.0, digesting them, writing each message's outbox
    row, its body checked against the 2.0.0 schema): the first, whole publish, against the
    operator's one catalog written as one message, as every publish was before catalogs by
    station; then after one charger's edit, rendering the catalogs whose inputs moved
    (`cds.inputs_of`), against rendering every one (the inputs forgotten)."""

    from django.db import transaction
    from django.utils import timezone

    from beckn import conf
    from beckn.models import CatalogPublish, CatalogService, Outbox, Subscriber, SubscriberType
    from beckn.services import cds, outbox, publication
    from beckn.wire.request_parsing import SearchQuery
    from beckn.wire.v2 import catalogs as v2_catalogs
    from cpo_portal.models import Charger, Operator

    operator = Operator.objects.get(code=scenario.operator_codes()[0])
    cds_id = "cds.bench.example"

    def timed(write):
        cpu0 = time.process_time()
        out = write()
        return out, time.process_time() - cpu0

    def one_catalog():
        query = SearchQuery(provider_id=operator.code)
        found = publication.offerings(query, timezone.now(), publication.WHOLE)
        offerings = [offered.offering for offered in found.offered]
        catalogs = v2_catalogs.catalogs(offerings, bpp_id=conf.bpp_id(), bpp_uri=conf.bpp_uri())
        now = timezone.now()
        return outbox.send(cds.publish_body(catalogs, now), cds_id, now, now)

    def sent(since: int) -> str:
        rows = CatalogPublish.objects.filter(pk__gt=since)
        sizes = [len(p.encode()) for p in Outbox.objects.filter(catalog_publish__in=rows)
                 .values_list("payload", flat=True)]  # fmt: skip
        catalogs = sum(len(r.catalog_ids) for r in rows)
        return (
            f"{catalogs} catalog(s), {sum(sizes) / 1024:.0f} KiB in {len(sizes)} message(s) "
            f"(biggest {max(sizes, default=0) / 1024:.0f} KiB)"
        )

    def last() -> int:
        return CatalogPublish.objects.order_by("pk").values_list("pk", flat=True).last() or 0

    with transaction.atomic():
        timed(one_catalog)  # warm
        row, before_cpu = timed(one_catalog)
        size = len(row.payload.encode())
        Subscriber.objects.create(
            subscriber_id=cds_id, type=SubscriberType.CDS, url="https://cds.bench.example",
            key_id=f"{cds_id}.k1", signing_public_key="",
        )  # fmt: skip
        service = CatalogService.objects.create(operator=operator, cds_id=cds_id)
        now, mark = timezone.now(), last()
        _, cpu = timed(lambda: cds.publish_due(now))
        whole = (
            f"CDS publish, {scenario.label}, first operator: {sent(mark)}, {cpu * 1000:.0f} ms "
            f"CPU, against one catalog in one message: {size / 1024:.0f} KiB, "
            f"{before_cpu * 1000:.0f} ms CPU"
        )
        charger = Charger.objects.filter(operator=operator).order_by("pk")[0]
        charger.name = f"{charger.name} (renamed)"
        charger.save()
        publication.published()
        edits = []
        for how in ("its inputs moved", "every one"):
            if how == "every one":
                CatalogService.objects.filter(pk=service.pk).update(published_inputs={})
            with transaction.atomic():
                mark = last()
                _, cpu = timed(lambda: cds.publish_due(now))
                edits.append(f"rendering {how}: {sent(mark)}, {cpu * 1000:.0f} ms CPU")
                transaction.set_rollback(True)
        transaction.set_rollback(True)
    return f"{whole}; after one charger's edit, " + "; ".join(edits)
