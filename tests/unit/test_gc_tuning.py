"""The worker's garbage-collector settings (app/gc_tuning.py), in a child interpreter: freezing
objects and changing thresholds would change the test session itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import gc, weakref
import sys
from app.gc_tuning import tune_gc

GEN0 = int(sys.argv[1]) or 50_000

class Node:
    pass

print(tune_gc(int(sys.argv[1])))
print(gc.get_threshold()[0] == GEN0, gc.get_freeze_count() > 0)
# cycles made after the tuning are still found: only by the collector (refcounts never reach 0)
gone = []
for _ in range(3 * GEN0):
    a, b = Node(), Node()
    a.other, b.other = b, a
    weakref.finalize(a, gone.append, 1)
    del a, b
print(len(gone) > 0, len(gone) < 3 * GEN0)  # collected along the way, not all held to the end
"""


def run(gen0: int) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(gen0)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split("\n")


def test_tuned_collector_freezes_start_up_and_still_collects_cycles() -> None:
    tuned, thresholds, cycles = run(20_000)[:3]
    assert tuned == "True"
    assert thresholds == "True True"
    assert cycles == "True True"


def test_zero_keeps_pythons_defaults() -> None:
    tuned, thresholds, _ = run(0)[:3]
    assert tuned == "False"
    assert thresholds == "False False"
