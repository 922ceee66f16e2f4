"""The README's `/papers` command list, generated from the registry.

`python -m app.command_table` prints the table; `--write` puts it into README.md between the
`commands:start` / `commands:end` markers (`tests/unit/test_command_table.py` fails when the
README differs from the registry).
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.commands.catalog import REGISTRY
from bot.commands.permissions import Access
from bot.commands.registry import Registry, Subcommand

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = (
    "<!-- commands:start (python -m app.command_table --write) -->",
    "<!-- commands:end -->",
)
WHO = {
    Access.OPEN: "anyone",
    Access.SETTINGS: "admins, managers, who set it up",
    Access.OWNERS: "admins, who set it up",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _who(spec: Subcommand) -> str:
    if spec.access is not Access.OPEN and spec.access_for(()) is Access.OPEN:
        return f"anyone to look; to change: {WHO[spec.access]}"
    return WHO[spec.access]


def _row(spec: Subcommand) -> str:
    also = f" (also {', '.join(f'`{a}`' for a in spec.aliases)})" if spec.aliases else ""
    return f"| `{_cell(spec.usage)}`{also} | {_cell(spec.summary)} | {_who(spec)} |"


def command_table(registry: Registry = REGISTRY) -> str:
    """One row per subcommand: usage (and aliases), what it does, who may run it."""
    rows = ["| command | what it does | who may run it |", "|---|---|---|"]
    rows += [_row(spec) for spec in registry]
    return "\n".join(rows)


def with_table(readme: str, table: str) -> str:
    """`readme` with the text between the markers replaced by `table`."""
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not (start and end):
        raise ValueError(f"README.md lacks the markers {START!r} ... {END!r}")
    return f"{head}{START}\n{table}\n{END}{tail}"


def main(argv: list[str]) -> int:
    table = command_table()
    if "--write" in argv:
        README.write_text(with_table(README.read_text(encoding="utf-8"), table), encoding="utf-8")
    else:
        print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
