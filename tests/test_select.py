"""Tests of the control mode select: stored in the charger's settings, applied without a reload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.select import (
    ATTR_OPTION,
    ATTR_OPTIONS,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, EntityCategory
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.axle_flex_lite.const import CONF_CONTROL_MODE, DOMAIN
from tests.helpers import charger_settings

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home


def entity_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Find the control mode select."""
    found = er.async_get(hass).async_get_entity_id(
        SELECT_DOMAIN, DOMAIN, f"{entry.entry_id}_control_mode"
    )
    assert found is not None
    return found


async def select(hass: HomeAssistant, target: str, option: str) -> None:
    """Choose an option as the user would."""
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: target, ATTR_OPTION: option},
        blocking=True,
    )


async def test_control_mode_entity(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """A configuration select with both modes, showing the stored one."""
    target = entity_id(hass, init_integration)
    entry = er.async_get(hass).async_get(target)
    assert entry is not None
    assert entry.entity_category is EntityCategory.CONFIG
    shown = hass.states.get(target)
    assert shown.state == "pause_only"
    assert shown.attributes[ATTR_OPTIONS] == ["pause_only", "full_schedule"]


async def test_full_schedule_takes_over_the_running_session(home: Home) -> None:
    """Switching to full schedule stores it and stops charging outside the window at once."""
    controller = home.entry.runtime_data.controller
    await home.charger.plug_in()
    # Pause only keeps its hands off before the window.
    assert home.charger.switch_on

    target = entity_id(home.hass, home.entry)
    await select(home.hass, target, "full_schedule")
    await home.hass.async_block_till_done()
    assert charger_settings(home.entry)[CONF_CONTROL_MODE] == "full_schedule"
    assert home.hass.states.get(target).state == "full_schedule"
    assert home.entry.state is ConfigEntryState.LOADED
    assert home.entry.runtime_data.controller is controller
    assert not home.charger.switch_on

    await select(home.hass, target, "pause_only")
    await home.hass.async_block_till_done()
    assert charger_settings(home.entry)[CONF_CONTROL_MODE] == "pause_only"
    # Back to pause only: what full schedule switched off is put back.
    assert home.charger.switch_on


async def test_unknown_option_refused(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Only the two modes can be chosen."""
    with pytest.raises(ServiceValidationError):
        await select(hass, entity_id(hass, init_integration), "always_on")
    assert charger_settings(init_integration)[CONF_CONTROL_MODE] == "pause_only"
