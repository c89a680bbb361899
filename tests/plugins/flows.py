"""Fixtures for the flow tests: created entries kept from setting up, the chargers' entities.

``mock_setup_entry`` keeps an entry a flow creates (or reloads) from setting up: the tests of the
flows are about the flows only. ``charger_entities`` gives Home Assistant the entities of the
charger the set-up flow's tests fill in; ``home_charger_entities`` those of a home's two chargers
("drive" and "garage") for the charger subentry flows. Only their existence matters.
``house`` is the home those flows start from (``tests.flows.home_entry``), added to Home
Assistant but not set up, its chargers' entities there. "Add charger" is filled in for the
"garage" charger alike by the tests of adding, reconfiguring and the home's reconfigure:
``SECOND_INPUT`` and ``SCHEDULE_INPUT`` (not the set-up flow's namesake in tests.flows), walked up
to its schedule form by ``reach_schedule``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock, patch

import pytest

from custom_components.axle_flex_lite import const
from tests.flows import home_entry, start_add_charger, submit

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

SECOND_INPUT = {
    const.CONF_PLUG_ENTITY: "binary_sensor.garage_plug",
    const.CONF_SWITCH_ENTITY: "switch.garage_charger",
    const.CONF_POWER_KW: 11.0,
}
SCHEDULE_INPUT = {
    const.CONF_WINDOW_START: "00:30",
    const.CONF_WINDOW_END: "07:00:00",
    const.CONF_CONTROL_MODE: "full_schedule",
}


async def reach_schedule(hass: HomeAssistant, entry: ConfigEntry) -> Any:
    """Fill in the second charger and its (empty) details; return the schedule form."""
    result = await submit(hass, await start_add_charger(hass, entry), SECOND_INPUT)
    assert result["step_id"] == "charger_details"
    assert set(result["data_schema"].schema) == {const.CONF_ASSET_MODEL}  # a settled home: no date
    result = await submit(hass, result, {})
    assert result["step_id"] == "schedule"
    return result


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Keep created entries from setting up (and unloading); yield the set-up mock."""
    setup_entry = AsyncMock(return_value=True)
    with (
        patch("custom_components.axle_flex_lite.async_setup_entry", setup_entry, create=True),
        patch(
            "custom_components.axle_flex_lite.async_unload_entry",
            AsyncMock(return_value=True),
            create=True,
        ),
    ):
        yield setup_entry


@pytest.fixture
def charger_entities(hass: HomeAssistant) -> None:
    """The entities of the charger that the set-up flow's tests fill in."""
    hass.states.async_set("sensor.charger_status", "Car Connected")
    hass.states.async_set("switch.charger", "on")
    hass.states.async_set("number.charger_current", "16")


@pytest.fixture
def home_charger_entities(hass: HomeAssistant) -> None:
    """The entities of a home's two chargers: the "drive" one it has, the "garage" one to add."""
    hass.states.async_set("binary_sensor.drive_plug", "off", {"friendly_name": "Drive plug"})
    hass.states.async_set("switch.drive_charger", "on")
    hass.states.async_set("number.drive_current", "16")
    hass.states.async_set("binary_sensor.garage_plug", "off", {"friendly_name": "Garage plug"})
    hass.states.async_set("switch.garage_charger", "on")


@pytest.fixture
async def house(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    home_charger_entities: None,
) -> AsyncIterator[ConfigEntry]:
    """The home with its first charger, added to Home Assistant (not set up), among its entities.

    The entities of both chargers are there (``home_charger_entities``): the first's, and the
    second's that "Add charger" is filled in with.
    """
    entry = home_entry(axle_simulator, axle_base_url)
    entry.add_to_hass(hass)
    yield entry
    # A finished reconfigure reloads the entry in a task of its own. It must end here, while the
    # simulator serves and set-up is still mocked (``mock_setup_entry``, set up before): the
    # teardown closes and unpatches both before Home Assistant stops, so a reload still running
    # then (a loaded machine) would reach the real set-up.
    await hass.async_block_till_done()
