"""What every in-memory store fake shares: the record of calls and the id counters."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One call a fake received: the port method's name and its arguments."""

    name: str
    args: tuple[Any, ...] = ()


@dataclass
class MemoryBase:
    """Records each call in `events`, in order; `calls(name)` filters them."""

    events: list[Call] = field(default_factory=list)
    _ids: dict[str, itertools.count[int]] = field(default_factory=dict)

    def _note(self, name: str, *args: Any) -> None:
        self.events.append(Call(name, args))

    def _next_id(self, kind: str) -> int:
        """1, 2, 3, ... per kind of row, as a database sequence counts."""
        return next(self._ids.setdefault(kind, itertools.count(1)))

    def calls(self, name: str | None = None) -> list[Call]:
        return [c for c in self.events if name is None or c.name == name]

    def close(self) -> None:
        self._note("close")
