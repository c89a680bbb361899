"""The fixtures of every scenario: the suite's own, and Home Assistant as it runs in production.

``tests/conftest.py`` is not loaded for files outside ``tests/``, so the suite's fixtures are
named here as plugins.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

import pytest

from .shared import FullCollections

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Iterator

pytest_plugins = ["tests.plugins.simulator", "tests.plugins.integration"]


@pytest.fixture
def full_collections() -> Iterator[FullCollections]:
    """Watch the full garbage collections while a scenario runs."""
    watch = FullCollections()
    gc.callbacks.append(watch.on_gc)
    try:
        yield watch
    finally:
        gc.callbacks.remove(watch.on_gc)


@pytest.fixture(autouse=True)
def enable_event_loop_debug(event_loop: asyncio.AbstractEventLoop) -> None:
    """Measure with asyncio's debug mode off, as Home Assistant runs (the harness turns it on)."""
    event_loop.set_debug(False)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture(autouse=True)
def production_log_level() -> None:
    """Log at warning level, Home Assistant's default (the harness logs everything at info).

    This also keeps the simulator's access log quiet: it shares the event loop but is not our cost.
    """
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
