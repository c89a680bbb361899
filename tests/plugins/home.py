"""The home a test runs in, as one fixture: Home Assistant, the charger, the clock, Axle, the entry.

``home`` has the entry set up (``init_integration``) and holds its session controller as it was
at set-up, so a test can tell whether a reload replaced it; ``new_home`` has the entry not yet
added to Home Assistant (tests of start-up and restarts add and set it up themselves). A test
takes one of them plus whatever is special about it (``plugged_in``, ``hass_storage``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import SessionController
    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator


@dataclass(frozen=True, slots=True)
class NewHome:
    """Home Assistant with the simulated charger, the frozen clock, Axle and an onboarded entry."""

    hass: HomeAssistant
    charger: SimulatedCharger
    clock: Clock
    axle: AxleSimulator
    entry: MockConfigEntry


@dataclass(frozen=True, slots=True)
class Home(NewHome):
    """A ``NewHome`` whose entry is set up, with the entry's session controller."""

    controller: SessionController


@pytest.fixture
def new_home(
    hass: HomeAssistant,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    config_entry: MockConfigEntry,
) -> NewHome:
    """The home with its entry not yet added to Home Assistant."""
    return NewHome(hass, charger, clock, axle_simulator, config_entry)


@pytest.fixture
def home(new_home: NewHome, controller: SessionController) -> Home:
    """The home with its entry set up."""
    return Home(
        new_home.hass, new_home.charger, new_home.clock, new_home.axle, new_home.entry, controller
    )
