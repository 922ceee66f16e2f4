"""A worker's malloc arenas, capped: glibc gives threads that allocate at the same moment
arenas of their own (up to 8 per core) and memory freed in one arena is not reused by another,
so a worker with a thousand delivery threads keeps ~60 MB more at its peak than it uses
(`benchmarks/worker_memory.py`: 525 → 465 MB at 1,024 in flight). Capping them is what
`MALLOC_ARENA_MAX=2` in the environment does; that setting, when present, wins."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)
M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process (before its threads start); False where the
    environment already says (MALLOC_ARENA_MAX) or the C library is not glibc."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return False
    done = bool(mallopt(M_ARENA_MAX, arenas))
    log.debug("malloc arenas capped at %d: %s", arenas, done)
    return done


__all__ = ["cap_malloc_arenas"]
