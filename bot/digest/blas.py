"""One BLAS thread per ranking thread in a worker with many channels in flight.

OpenBLAS starts a thread per core for each matrix product; with up to 64 delivery threads
ranking at once, those products queue on OpenBLAS's lock and the callers spin: at 2,000
candidate papers a channel's ranking cost ~40 ms of CPU instead of ~1.5 ms. The products are
small (hundreds of rows), so one thread each is as fast alone and far cheaper together.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def one_blas_thread() -> None:
    """Limit BLAS to one thread in this process (no-op without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a declared dependency
        log.debug("threadpoolctl missing: BLAS keeps its own threads")
        return
    threadpool_limits(limits=1, user_api="blas")
