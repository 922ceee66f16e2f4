"""Every `/papers` subcommand, registered: read the registry through here (`REGISTRY`).

Importing this module imports each handler module, whose `@command` declarations fill the
registry; the order below is the order of `/papers help`, Discord's menu and the README.
"""

from __future__ import annotations

from bot.commands import actions, help, library, managers, profile, settings, web
from bot.commands.registry import REGISTRY

REGISTRY.arrange([help, profile, library, settings, actions, managers, web])

__all__ = ["REGISTRY"]
