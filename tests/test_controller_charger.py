"""The charger adapter: how entity states are read (plug, switch, current)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.charger import Charger, ChargerEntities

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

PLUG = "sensor.wallbox_status"
SWITCH = "switch.wallbox"
CURRENT = "number.wallbox_current"

# A charger with a plug sensor, a switch and a current number; one with no switch.
ALL_THREE = {
    const.CONF_PLUG_ENTITY: PLUG,
    const.CONF_SWITCH_ENTITY: SWITCH,
    const.CONF_CURRENT_ENTITY: CURRENT,
}
PLUG_AND_CURRENT = {const.CONF_PLUG_ENTITY: PLUG, const.CONF_CURRENT_ENTITY: CURRENT}


def make_charger(hass: HomeAssistant, options: dict[str, object]) -> Charger:
    """An adapter for the given options (no commands are sent in these tests)."""
    return Charger(
        hass,
        ChargerEntities.from_options(options),
        on_not_responding=lambda *_: None,
        on_responding=lambda _: None,
    )


@pytest.mark.parametrize(
    ("entity_id", "state", "plugged"),
    [
        ("binary_sensor.car", "on", True),
        ("binary_sensor.car", "off", False),
        ("switch.car", "on", True),
        ("input_boolean.car", "off", False),
        (PLUG, "Charging", True),
        (PLUG, " suspended_EV ", True),
        (PLUG, "Car Connected", True),
        (PLUG, "available", False),
        ("select.car_state", "Waiting", True),
        (PLUG, "unavailable", None),
        (PLUG, "unknown", None),
    ],
)
async def test_plug_states(
    hass: HomeAssistant, entity_id: str, state: str, plugged: bool | None
) -> None:
    """On/off domains follow their state; others match the plugged states, any case."""
    charger = make_charger(
        hass, {const.CONF_PLUG_ENTITY: entity_id, const.CONF_PLUGGED_STATES: [" car connected "]}
    )
    assert charger.plug_state is None
    hass.states.async_set(entity_id, state)
    assert charger.plug_state is plugged


async def test_switch_and_current_values(hass: HomeAssistant) -> None:
    """Switches read as on/off, numbers as finite floats; anything else is unavailable."""
    charger = make_charger(hass, ALL_THREE)
    assert charger.entities.all == (PLUG, SWITCH, CURRENT)
    assert charger.value(SWITCH) is None
    hass.states.async_set(SWITCH, "on")
    assert charger.value(SWITCH) == "on"
    hass.states.async_set(SWITCH, "charging")
    assert charger.value(SWITCH) is None
    for raw, value in (("16", 16.0), ("7.5", 7.5), ("fast", None), ("nan", None), ("inf", None)):
        hass.states.async_set(CURRENT, raw)
        assert charger.value(CURRENT) == value


async def test_minimum_current(hass: HomeAssistant) -> None:
    """The number's ``min`` attribute, or 0 when it has none that makes sense."""
    charger = make_charger(hass, PLUG_AND_CURRENT)
    assert charger.minimum(CURRENT) == 0.0
    hass.states.async_set(CURRENT, "16", {"min": 6})
    assert charger.minimum(CURRENT) == 6.0
    hass.states.async_set(CURRENT, "16", {"min": True})
    assert charger.minimum(CURRENT) == 0.0
    hass.states.async_set(CURRENT, "16", {"min": "six"})
    assert charger.minimum(CURRENT) == 0.0


async def test_charging_allowed(hass: HomeAssistant) -> None:
    """The switch decides; without one, a current above the minimum; without both, unknown."""
    with_switch = make_charger(hass, ALL_THREE)
    current_only = make_charger(hass, PLUG_AND_CURRENT)
    neither = make_charger(hass, {const.CONF_PLUG_ENTITY: PLUG, const.CONF_SWITCH_ENTITY: ""})

    assert with_switch.charging_allowed is None
    assert current_only.charging_allowed is None
    assert neither.charging_allowed is None
    hass.states.async_set(SWITCH, "off")
    hass.states.async_set(CURRENT, "16", {"min": 6})
    assert with_switch.charging_allowed is False
    assert current_only.charging_allowed is True
    hass.states.async_set(CURRENT, "6", {"min": 6})
    assert current_only.charging_allowed is False
    hass.states.async_set(SWITCH, "on")
    assert with_switch.charging_allowed is True
