"""Print the functions longer than N lines (default 50), longest first, as `file:line`.

    python scripts/long_functions.py [--max 50] [paths ...]   (default: bot app adapters storage)

A function's length runs from its `def` line to its last line, docstring included; a nested
function is counted on its own as well as inside its parent. `tests/test_function_length.py`
uses `long_functions` to keep every function in the packages under 60 lines.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

DEFAULT_PATHS = ("bot", "app", "adapters", "storage")


def python_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts)
        elif path.suffix == ".py":
            yield path


def long_functions(paths: Iterable[Path], limit: int) -> list[tuple[int, Path, int, str]]:
    """(length, file, line, qualified name) of every function over `limit` lines."""
    found = []
    for file in python_files(paths):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for node, name in _functions(tree, ""):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append((length, file, node.lineno, name))
    return sorted(found, key=lambda f: (-f[0], str(f[1]), f[2]))


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(node: ast.AST, prefix: str) -> Iterator[tuple[Function, str]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                yield child, name
            yield from _functions(child, name + ".")
        else:
            yield from _functions(child, prefix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=50, help="longest allowed (lines)")
    parser.add_argument("paths", nargs="*", type=Path, default=[Path(p) for p in DEFAULT_PATHS])
    args = parser.parse_args()
    for length, file, line, name in long_functions(args.paths, args.max):
        print(f"{file}:{line}: {name} ({length} lines)")


if __name__ == "__main__":
    main()
