"""The home a test runs in, as one fixture: Home Assistant, the charger, the clock, Axle, the entry.

``home`` has the entry set up (``init_integration``) and holds its session controller as it was
at set-up, so a test can tell whether a reload replaced it; ``new_home`` has the entry not yet
added to Home Assistant (tests of start-up and restarts add and set it up themselves). A test
takes one of them plus whatever is special about it (``plugged_in``, ``hass_storage``, ...).

``two_chargers`` is ``home`` with a second charger added as the "Add charger" flow adds one: its
own asset on the same Axle site (which pauses it its own way: 01:45-02:30 UTC for a plug-in at
18:00 on the first evening, while the first charger's pause is 02:00-02:30), its own helper
entities and its own charger subentry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigSubentry
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.subentries import added_charger_key_prefix
from tests.plugins.integration import (
    CURRENT,
    CURRENT_2,
    PLUG,
    PLUG_2,
    SWITCH,
    SWITCH_2,
    SimulatedCharger,
    onboard_charger,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import SessionController
    from tests.plugins.integration import Clock
    from tools.axle_simulator import AxleSimulator

SECOND_SUBENTRY_ID = "01JAXLEF1EXL1TECHARGER00002"
SECOND_EXTERNAL_ID = "ha-charger-test-2"
SECOND_TITLE = "Garage charger"
# The second charger's pause for a plug-in at 18:00 UTC: 01:45-02:30 UTC (the first charger's
# is 02:00-02:30: they overlap for half an hour).
SECOND_PAUSE_OFFSET = timedelta(hours=7, minutes=45)
SECOND_PAUSE_LENGTH = timedelta(minutes=45)


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


@dataclass(frozen=True, slots=True)
class TwoChargerHome(Home):
    """A ``Home`` with a second charger: ``charger``/``controller`` are the first one's."""

    second: SimulatedCharger
    second_controller: SessionController
    first_subentry_id: str


def add_charger(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    axle: AxleSimulator,
    settings: dict[str, Any],
    *,
    external_id: str,
    subentry_id: str,
    title: str,
) -> str:
    """Add a charger to the home as the "Add charger" flow does; return its subentry id.

    Its asset joins the site at Axle (onboard upserts by site), then its subentry is added with
    ``settings`` (its entities and its own options), its asset and an added charger's key prefix.
    """
    result = onboard_charger(axle, external_id)
    (asset,) = (a for a in result["assets"] if a["external_id"] == external_id)
    settings = {
        **settings,
        const.CONF_ASSET_ID: asset["asset_id"],
        const.CONF_EXTERNAL_ID: external_id,
        const.CONF_KEY_PREFIX: added_charger_key_prefix(entry.entry_id, external_id),
    }
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType(settings),
            subentry_id=subentry_id,
            subentry_type=const.SUBENTRY_TYPE_CHARGER,
            title=title,
            unique_id=external_id,
        ),
    )
    return subentry_id


def add_second_charger(home: Home) -> str:
    """Add the second charger (its own pause at Axle, its own entities); return its subentry id.

    Its settings are the first charger's but for its entities.
    """
    home.axle.set_asset_pause(
        SECOND_EXTERNAL_ID,
        "soon",
        soon_offset=SECOND_PAUSE_OFFSET,
        soon_length=SECOND_PAUSE_LENGTH,
    )
    (first,) = home.entry.subentries.values()
    settings = {
        key: value
        for key, value in first.data.items()
        if key not in (const.CONF_ASSET_ID, const.CONF_EXTERNAL_ID, const.CONF_KEY_PREFIX)
    }
    assert settings[const.CONF_PLUG_ENTITY] == PLUG
    assert settings[const.CONF_SWITCH_ENTITY] == SWITCH
    settings |= {
        const.CONF_PLUG_ENTITY: PLUG_2,
        const.CONF_SWITCH_ENTITY: SWITCH_2,
        const.CONF_CURRENT_ENTITY: CURRENT_2,
    }
    return add_charger(
        home.hass,
        home.entry,
        home.axle,
        settings,
        external_id=SECOND_EXTERNAL_ID,
        subentry_id=SECOND_SUBENTRY_ID,
        title=SECOND_TITLE,
    )


@pytest.fixture
async def two_chargers(home: Home) -> TwoChargerHome:
    """The home with its second charger added and running."""
    (first_subentry_id,) = home.entry.subentries
    subentry_id = add_second_charger(home)
    await home.hass.async_block_till_done()
    second = SimulatedCharger(
        home.hass, PLUG_2, SWITCH_2, CURRENT_2, others=frozenset({PLUG, SWITCH, CURRENT})
    )
    return TwoChargerHome(
        home.hass,
        home.charger,
        home.clock,
        home.axle,
        home.entry,
        home.controller,
        second,
        home.entry.runtime_data.controllers[subentry_id],
        first_subentry_id,
    )
