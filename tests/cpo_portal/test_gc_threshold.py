"""Every process the project starts collects its young objects every 50,000 allocations,
not CPython's 700 (cpo_portal.apps.GC_THRESHOLD: bench/gc_pauses.py)."""

import gc

from cpo_portal.apps import GC_THRESHOLD


def test_the_project_sets_the_collectors_thresholds_when_it_starts():
    assert gc.get_threshold() == GC_THRESHOLD == (50_000, 20, 10)
