"""The core must not depend on storage, adapters or any platform SDK."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {
    "adapters",
    "storage",
    "app",
    "slack_sdk",
    "slack_bolt",
    "discord",
    "sqlmodel",
    "sqlalchemy",
}
ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_bot_imports_nothing_outward() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN)
        for path in (ROOT / "bot").rglob("*.py")
        if _imports(path) & FORBIDDEN
    }
    assert offenders == {}


def test_storage_and_adapters_do_not_import_each_other() -> None:
    for package, banned in (
        ("storage", {"adapters", "slack_bolt", "slack_sdk", "discord"}),
        ("adapters", {"storage"}),
    ):
        for path in (ROOT / package).rglob("*.py"):
            assert not (_imports(path) & banned), f"{path} imports {_imports(path) & banned}"


def test_the_guard_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlmodel\nfrom adapters.console import ConsoleAdapter\n")
    assert _imports(bad) & FORBIDDEN == {"sqlmodel", "adapters"}
