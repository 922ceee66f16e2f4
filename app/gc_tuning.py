"""A worker's cyclic garbage collector, tuned for many channels in flight.

Almost everything a delivery pass allocates is freed by reference counting; the collector
only looks for cycles. With its defaults (a young collection every 700 new containers, a full
one every 100 young ones) a worker serving 10,000 channels spent ~5% of its CPU (3.8 of 80 s
in `benchmarks/fanout.py`) walking the same long-lived objects: the imported modules, the
runtime, the adapters and the caches built at start. Here those are frozen once the runtime is
built (`gc.freeze`: never scanned again) and a young collection runs every GEN0 containers, so
cycles are still collected, in far fewer passes (0.14 s at 10,000 channels, peak RSS
unchanged at ~335 MB). `PAPERBOT_GC_DEFAULTS=1` in the environment keeps Python's own."""

from __future__ import annotations

import gc
import logging
import os

log = logging.getLogger(__name__)
GEN0 = 50_000  # new container objects between young collections (Python: 700)


def tune_gc(gen0: int = GEN0) -> bool:
    """Freeze what exists now and collect young objects every `gen0` allocations; call once the
    runtime is built, before the delivery threads start. False when PAPERBOT_GC_DEFAULTS is
    set (Python's defaults kept)."""
    if os.environ.get("PAPERBOT_GC_DEFAULTS"):
        return False
    gc.collect()  # what start-up left as garbage is not frozen with the rest
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0, gen1, gen2)
    log.debug("gc: %d objects frozen, young collections every %d", gc.get_freeze_count(), gen0)
    return True


__all__ = ["tune_gc"]
