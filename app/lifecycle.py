"""Start and stop the chat services of `paperbot run`, one bulkhead per service."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.errors import ConfigError
from bot.ports import ChatService

log = logging.getLogger("paperbot.worker")


def start_services(services: Sequence[ChatService]) -> list[ChatService]:
    """Start each service; the ones that started, to be stopped later.

    A service that fails to start is logged and left out: the others and the scheduler run on.
    A ConfigError (a missing or malformed setting) stops everything started so far and is
    raised: the worker fails at start, naming the setting.
    """
    started: list[ChatService] = []
    for service in services:
        try:
            service.start()
        except ConfigError:
            stop_services(started)
            raise
        except Exception:
            log.exception("chat service %s did not start; running without it", service.name)
            continue
        log.info("chat service %s started", service.name)
        started.append(service)
    return started


def stop_services(services: Sequence[ChatService]) -> None:
    """Stop each service, last started first; a failure is logged and the rest still stop."""
    for service in reversed(services):
        try:
            service.stop()
        except Exception:
            log.exception("chat service %s did not stop cleanly", service.name)
