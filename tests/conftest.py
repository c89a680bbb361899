"""Shared test configuration.

Fixtures live in ``tests/plugins``: ``simulator`` (the Axle simulator over loopback HTTP),
``integration`` (config entries and a simulated charger built from core helpers), ``chargers``
(the simulated twins of real chargers), ``home`` (all of a test's home as one fixture), ``soak``
(the soak's seed and size), ``flows`` (for the tests of the config flows) and ``night`` (the fault
matrix's night).
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.plugins.simulator",
    "tests.plugins.integration",
    "tests.plugins.chargers",
    "tests.plugins.home",
    "tests.plugins.soak",
    "tests.plugins.flows",
    "tests.plugins.night",
]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""
