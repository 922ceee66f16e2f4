"""No function in the packages is longer than 60 lines (`scripts/long_functions.py` lists them)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 60

ALLOWED: set[str] = set()
ALLOWED_DIRS: tuple[str, ...] = ()
# Alembic revisions are history: a migration is never edited once it shipped.
SKIPPED_DIRS = ("storage/migrations/",)


def _long_functions() -> Callable[[Iterable[Path], int], list[tuple[int, Path, int, str]]]:
    spec = importlib.util.spec_from_file_location(
        "long_functions", ROOT / "scripts/long_functions.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: Callable[[Iterable[Path], int], list[tuple[int, Path, int, str]]]
    found = module.long_functions
    return found


def test_no_function_over_60_lines() -> None:
    found = _long_functions()([ROOT / p for p in ("bot", "app", "adapters", "storage")], LIMIT)
    too_long = []
    for length, file, line, name in found:
        rel = file.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel.startswith(ALLOWED_DIRS + SKIPPED_DIRS):
            continue
        too_long.append(f"{rel}:{line}: {name} ({length} lines)")
    assert not too_long, "split these functions:\n" + "\n".join(too_long)
