"""The time-shifted CI run really moves the clock, in this process and in the ones it starts."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

SHIFT = os.environ.get("PAPERBOT_TIME_SHIFT_DAYS")


@pytest.mark.skipif(not SHIFT, reason="only in the time-shifted run (make test-future)")
def test_clock_is_moved_here_and_in_child_processes() -> None:
    # The file date of this checkout is "today" within a few weeks; the shifted clock is far past.
    floor = datetime.now(UTC).replace(tzinfo=None)
    child = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"],
        capture_output=True,
        text=True,
        check=True,
    )
    child_now = datetime.fromtimestamp(float(child.stdout), UTC).replace(tzinfo=None)
    mtime = datetime.fromtimestamp(os.path.getmtime(__file__), UTC).replace(tzinfo=None)
    days = int(SHIFT or 0)
    assert floor - mtime > timedelta(days=days - 1)
    assert child_now - mtime > timedelta(days=days - 1)
