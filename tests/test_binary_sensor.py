"""Tests of the binary sensors: pause running, car plugged in, rewards withdrawable."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
)
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.axle_flex_lite.const import CONF_SITE_ID
from tests.helpers import entity_of, state_of
from tests.plugins.integration import FIRST_PAUSE_END, FIRST_PAUSE_START, PLUG

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home


# The low-use entities start disabled (see test_init.py); these tests look at them too.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")


def state(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The state of a binary sensor, by key."""
    return state_of(hass, entry, "binary_sensor", key)


async def test_registry(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Plugged in is a diagnostic plug sensor; the others are primary."""
    registry = er.async_get(hass)
    plugged = registry.async_get(entity_of(hass, init_integration, "binary_sensor", "plugged_in"))
    assert plugged is not None
    assert plugged.entity_category is EntityCategory.DIAGNOSTIC
    assert plugged.original_device_class == BinarySensorDeviceClass.PLUG
    for key in ("pause_active", "can_withdraw"):
        other = registry.async_get(entity_of(hass, init_integration, "binary_sensor", key))
        assert other is not None
        assert other.entity_category is None
        assert other.translation_key == key


async def test_pause_and_plug_through_a_session(home: Home) -> None:
    """Pause active is on exactly during Axle's pause; plugged in follows the plug."""
    assert state(home.hass, home.entry, "plugged_in") == STATE_OFF
    assert state(home.hass, home.entry, "pause_active") == STATE_OFF

    await home.charger.plug_in()
    plugged = home.hass.states.get(entity_of(home.hass, home.entry, "binary_sensor", "plugged_in"))
    assert plugged is not None
    assert plugged.state == STATE_ON
    assert plugged.attributes[ATTR_DEVICE_CLASS] == BinarySensorDeviceClass.PLUG
    assert state(home.hass, home.entry, "pause_active") == STATE_OFF

    await home.clock.move_to(FIRST_PAUSE_START - timedelta(seconds=1))
    assert state(home.hass, home.entry, "pause_active") == STATE_OFF
    await home.clock.move_to(FIRST_PAUSE_START)
    assert state(home.hass, home.entry, "pause_active") == STATE_ON
    assert not home.charger.switch_on
    await home.clock.move_to(FIRST_PAUSE_END)
    assert state(home.hass, home.entry, "pause_active") == STATE_OFF

    await home.charger.unplug()
    assert state(home.hass, home.entry, "plugged_in") == STATE_OFF


async def test_plugged_in_unknown_when_plug_unavailable(home: Home) -> None:
    """The plug entity being unavailable makes plugged in unknown, not off."""
    await home.charger.plug_in()
    home.hass.states.async_set(PLUG, STATE_UNAVAILABLE)
    await home.hass.async_block_till_done()
    assert state(home.hass, home.entry, "plugged_in") == STATE_UNKNOWN


async def test_can_withdraw_follows_rewards(home: Home) -> None:
    """Rewards withdrawable follows Axle's flag at the 6-hourly refresh."""
    assert state(home.hass, home.entry, "can_withdraw") == STATE_OFF
    home.axle.set_balance(home.entry.data[CONF_SITE_ID], 1200, 1200, True)
    await home.clock.advance(timedelta(hours=6))
    assert state(home.hass, home.entry, "can_withdraw") == STATE_ON
    home.axle.fail_next("/rewards/", status=404)
    await home.clock.advance(timedelta(hours=6))
    assert state(home.hass, home.entry, "can_withdraw") == STATE_UNAVAILABLE
