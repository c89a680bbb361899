"""Tests of the charging window's time entities: stored in the charger's settings, re-planned."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from homeassistant.components.time import DOMAIN as TIME_DOMAIN, SERVICE_SET_VALUE
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, ATTR_TIME, EntityCategory
from homeassistant.helpers import entity_registry as er

from custom_components.axle_flex_lite.const import CONF_WINDOW_END, CONF_WINDOW_START
from tests.helpers import charger_settings, entity_of, update_charger

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tools.axle_simulator import AxleSimulator

SCHEDULE_PATH = "plug-in-schedule"


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """Find a time entity by its unique id."""
    return entity_of(hass, entry, TIME_DOMAIN, key)


async def set_time(hass: HomeAssistant, target: str, value: time) -> None:
    """Set a time entity as the user would."""
    await hass.services.async_call(
        TIME_DOMAIN, SERVICE_SET_VALUE, {ATTR_ENTITY_ID: target, ATTR_TIME: value}, blocking=True
    )


async def test_window_entities(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Both ends are configuration entities showing the stored window."""
    registry = er.async_get(hass)
    for key, shown in (("window_start", "23:30:00"), ("window_end", "05:30:00")):
        target = entity_id(hass, init_integration, key)
        entry = registry.async_get(target)
        assert entry is not None
        assert entry.entity_category is EntityCategory.CONFIG
        assert hass.states.get(target).state == shown


async def test_set_window_start_is_stored_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A new start is written to the options, to the second, and the entry keeps running."""
    controller = init_integration.runtime_data.controller
    target = entity_id(hass, init_integration, "window_start")
    await set_time(hass, target, time(22, 15, 30))
    await hass.async_block_till_done()
    assert charger_settings(init_integration)[CONF_WINDOW_START] == "22:15:30"
    assert charger_settings(init_integration)[CONF_WINDOW_END] == "05:30:00"
    assert hass.states.get(target).state == "22:15:30"
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.controller is controller


async def test_new_window_end_replans_the_session(
    hass: HomeAssistant,
    plugged_in: MockConfigEntry,
    axle_simulator: AxleSimulator,
) -> None:
    """With a car plugged in, a new end is sent to Axle straight away."""
    assert len(axle_simulator.requests_to(SCHEDULE_PATH)) == 1
    await set_time(hass, entity_id(hass, plugged_in, "window_end"), time(4, 0))
    await hass.async_block_till_done()
    requests = axle_simulator.requests_to(SCHEDULE_PATH)
    assert len(requests) == 2
    assert requests[-1].body["charging_schedule"] == [
        {
            "start_timestamp": datetime(2026, 11, 25, 23, 30, tzinfo=UTC).isoformat(),
            "end_timestamp": datetime(2026, 11, 26, 4, 0, tzinfo=UTC).isoformat(),
        }
    ]


async def test_follows_options_changed_elsewhere(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A window changed in the options flow shows at once."""
    update_charger(
        hass,
        init_integration,
        {**charger_settings(init_integration), CONF_WINDOW_START: "21:00:00"},
    )
    await hass.async_block_till_done()
    assert hass.states.get(entity_id(hass, init_integration, "window_start")).state == "21:00:00"


async def test_missing_option_shows_default(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An entry without a stored window end shows the default end."""
    options = charger_settings(init_integration)
    del options[CONF_WINDOW_END]
    update_charger(hass, init_integration, options)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id(hass, init_integration, "window_end")).state == "05:30:00"
