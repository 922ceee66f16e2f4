"""Console adapter: prints digests; the embedded default for the demo and dry runs."""

from adapters.console.adapter import ConsoleAdapter

__all__ = ["ConsoleAdapter"]
