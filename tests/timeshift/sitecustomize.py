"""Move the wall clock of every Python process the tests start (CI's second run).

With this folder on PYTHONPATH and PAPERBOT_TIME_SHIFT_DAYS set, Python imports this module at
start-up (``site`` looks for ``sitecustomize``) and time-machine moves ``time.time`` and
``datetime.now`` that many days ahead, ticking on from there. Monotonic clocks and
``time.sleep`` are untouched, so timeouts and asyncio keep working. A test that depends on
today's date fails in this run.
"""

from __future__ import annotations

import os

_DAYS = os.environ.get("PAPERBOT_TIME_SHIFT_DAYS", "").strip()

if _DAYS:
    from datetime import UTC, datetime, timedelta

    import time_machine

    _traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=int(_DAYS)), tick=True)
    _traveller.start()
