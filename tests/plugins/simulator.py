"""Fixtures for the Axle simulator served over real loopback HTTP.

``axle_simulator`` is the in-memory state; it reads Home Assistant's clock, so ``freezer`` moves
token expiry and "soon" pauses. ``axle_server`` serves it on 127.0.0.1 and needs ``socket_enabled``;
``axle_base_url`` is the URL to give the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp.test_utils import TestServer
from homeassistant.util import dt as dt_util
import pytest

from tools.axle_simulator import AxleSimulator, create_app

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator


@pytest.fixture
def axle_simulator() -> AxleSimulator:
    """Return a fresh simulator that reads Home Assistant's (freezable) clock."""
    return AxleSimulator(now=dt_util.utcnow)


@pytest.fixture
async def axle_server(
    socket_enabled: None, axle_simulator: AxleSimulator
) -> AsyncGenerator[TestServer]:
    """Serve the simulator on a free loopback port for the duration of the test."""
    # No access log: the requests are recorded by the simulator itself, and aiohttp's access
    # logger cannot read the local time zone while freezegun fakes the clock.
    server = TestServer(create_app(axle_simulator), host="127.0.0.1")
    await server.start_server(access_log=None)
    try:
        yield server
    finally:
        # Held "timeout" requests must end now, not a minute later, or teardown waits for them.
        axle_simulator.release_held_requests()
        await server.close()


@pytest.fixture
def axle_base_url(axle_server: TestServer) -> str:
    """Return the simulator's base URL, ``http://127.0.0.1:<port>``."""
    return f"http://127.0.0.1:{axle_server.port}"
