"""The in-memory store offers every method of every store port, with the port's parameters
(mypy checks the core's use of the ports; this checks the fake, which mypy does not see)."""

from __future__ import annotations

import inspect

import pytest

from bot import ports
from storage.store import SqlStore
from tests.fakes import MemoryStore

PORTS = [
    ports.PaperStore,
    ports.EmbeddingStore,
    ports.ChannelStore,
    ports.ManagerStore,
    ports.OutboxStore,
    ports.ScheduleStore,
    ports.ReactionStore,
    ports.SummaryCache,
    ports.VoteStore,
]


def methods(port: type) -> list[str]:
    return [n for n, v in vars(port).items() if inspect.isfunction(v) and not n.startswith("_")]


def test_store_is_the_union_of_the_ports() -> None:
    union = {n for port in PORTS for n in methods(port)}
    assert set(methods(ports.Store)) == set()  # it adds nothing of its own
    assert all(port in ports.Store.__mro__ for port in PORTS)
    assert len(union) == sum(len(methods(port)) for port in PORTS)  # no method in two ports


@pytest.mark.parametrize("port", PORTS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("impl", [MemoryStore, SqlStore], ids=lambda c: c.__name__)
def test_every_port_method_is_implemented_with_its_parameters(port: type, impl: type) -> None:
    for name in methods(port):
        want = inspect.signature(getattr(port, name)).parameters
        got = inspect.signature(getattr(impl, name)).parameters
        assert list(got) == list(want), f"{impl.__name__}.{name}"
        for p in want.values():
            assert got[p.name].kind == p.kind, f"{impl.__name__}.{name}({p.name})"
            assert got[p.name].default == p.default, f"{impl.__name__}.{name}({p.name}=)"
