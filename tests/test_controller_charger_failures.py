"""Session controller when the charger misbehaves: unavailable, missing, not obeying, slow.

A change that finds the charger unavailable is applied when it is back; a configured entity that
does not exist raises a repair issue until it does; a command that does not take is retried once,
then reported, unless the next command overtook it. ``FakeSwitch`` is a charger switch whose
services ignore commands, fail or work, as the test says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import SessionStatus
from tests.helpers import (
    OFF,
    ON,
    controller_of,
    pause_only_options,
    remove_state,
    repair_issue,
    run_into_the_pause,
    set_state,
    utc,
)
from tests.plugins.integration import PLUG, SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant, ServiceCall
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home

# Its own domain: the integration's switch platform loads the real switch services.
FAKE_DOMAIN = "stubborn_charger"
FAKE_SWITCH = f"{FAKE_DOMAIN}.switch"


async def test_charger_unavailable_at_a_change(home: Home, plugged_in: MockConfigEntry) -> None:
    """Unavailable at the pause's start: skipped, then applied when the charger is back."""
    await home.clock.move_to(utc(26, 1, 59))
    home.hass.states.async_set(SWITCH, "unavailable")
    await home.clock.move_to(utc(26, 2))
    assert home.charger.calls() == []
    assert home.controller.status is SessionStatus.PAUSED

    await home.clock.move_to(utc(26, 2, 5))
    await set_state(home.hass, SWITCH, "on")
    assert home.charger.calls() == [OFF]
    assert not home.charger.switch_on

    # Unavailable at the pause's end: put back when it returns, even after unplugging.
    home.hass.states.async_set(SWITCH, "unavailable")
    await home.clock.move_to(utc(26, 2, 30))
    await home.charger.unplug()
    assert home.charger.calls() == [OFF]
    await set_state(home.hass, SWITCH, "off")
    assert home.charger.calls() == [OFF, ON]
    assert home.charger.switch_on


async def test_charger_entity_missing(home: Home, plugged_in: MockConfigEntry) -> None:
    """A configured entity that goes away raises an issue; it clears when the entity is back."""
    await remove_state(home.hass, SWITCH)
    missing = repair_issue(home.hass, "charger_entity_missing", home.entry, SWITCH)
    assert missing is not None
    assert missing.translation_placeholders == {"entity_id": SWITCH}
    await home.clock.move_to(utc(26, 2))
    assert home.charger.calls() == []

    await set_state(home.hass, SWITCH, "on")
    assert repair_issue(home.hass, "charger_entity_missing", home.entry, SWITCH) is None
    assert home.charger.calls() == [OFF]


@pytest.mark.parametrize(
    "entry_options",
    [
        pause_only_options(
            {const.CONF_PLUG_ENTITY: "binary_sensor.car_plugged", const.CONF_SWITCH_ENTITY: SWITCH}
        )
    ],
)
async def test_missing_entity_at_start_up(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """A configured entity that does not exist once Home Assistant runs is reported."""
    assert (
        repair_issue(hass, "charger_entity_missing", init_integration, "binary_sensor.car_plugged")
        is not None
    )
    assert controller_of(init_integration).plugged_in is None
    await set_state(hass, "binary_sensor.car_plugged", "off")
    assert (
        repair_issue(hass, "charger_entity_missing", init_integration, "binary_sensor.car_plugged")
        is None
    )


class FakeSwitch:
    """A switch whose services do what the test says: nothing, fail, or work."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the entity (on) and register its services."""
        self.hass = hass
        self.mode = "ignore"
        self.calls: list[str] = []
        hass.states.async_set(FAKE_SWITCH, "on")
        hass.services.async_register(FAKE_DOMAIN, "turn_on", self._handle)
        hass.services.async_register(FAKE_DOMAIN, "turn_off", self._handle)

    async def _handle(self, call: ServiceCall) -> None:
        """Record the call, then ignore it, fail, or switch."""
        self.calls.append(call.service)
        if self.mode == "fail":
            raise HomeAssistantError("charger offline")
        if self.mode == "work":
            state = "on" if call.service == "turn_on" else "off"
            self.hass.states.async_set(FAKE_SWITCH, state, context=call.context)


@pytest.fixture
def fake_switch(hass: HomeAssistant) -> FakeSwitch:
    """A charger switch that does not necessarily obey."""
    return FakeSwitch(hass)


FAKE_OPTIONS = pause_only_options(
    {const.CONF_PLUG_ENTITY: PLUG, const.CONF_SWITCH_ENTITY: FAKE_SWITCH}
)


@pytest.mark.parametrize("entry_options", [FAKE_OPTIONS])
@pytest.mark.parametrize("mode", ["ignore", "fail"])
async def test_charger_not_responding(home: Home, *, fake_switch: FakeSwitch, mode: str) -> None:
    """A command that does not take: one retry, then the repair issue; cleared on success."""
    fake_switch.mode = mode
    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 2))
    assert fake_switch.calls == ["turn_off"]
    # Checked once the latency window (at least ten minutes) is over, retried once, checked again.
    await home.clock.move_to(utc(26, 2, 9))
    assert fake_switch.calls == ["turn_off"]
    await home.clock.move_to(utc(26, 2, 10))
    assert fake_switch.calls == ["turn_off", "turn_off"]
    await home.clock.move_to(utc(26, 2, 20))
    not_responding = repair_issue(home.hass, "charger_not_responding", home.entry)
    assert not_responding is not None
    assert not_responding.translation_placeholders == {
        "entity_id": FAKE_SWITCH,
        "wanted": "off",
        "actual": "on",
    }
    # The pause ends with the switch still on: nothing to put back, nothing sent.
    await home.clock.move_to(utc(26, 2, 30))
    await home.clock.move_to(utc(26, 3))
    await home.charger.unplug()
    assert fake_switch.calls == ["turn_off", "turn_off"]

    # The next command that takes clears the issue.
    fake_switch.mode = "work"
    home.axle.pause_mode = "soon"
    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 3, 2))
    assert fake_switch.calls == ["turn_off", "turn_off", "turn_off"]
    await home.clock.move_to(utc(26, 3, 2, second=30))
    assert repair_issue(home.hass, "charger_not_responding", home.entry) is None
    await home.clock.move_to(utc(26, 3, 4))
    assert fake_switch.calls == ["turn_off", "turn_off", "turn_off", "turn_on"]
    assert home.hass.states.get(FAKE_SWITCH).state == "on"


@pytest.mark.parametrize("entry_options", [FAKE_OPTIONS])
async def test_slow_charger_is_not_an_override(home: Home, fake_switch: FakeSwitch) -> None:
    """A charger reporting our command late, under its own context, is still us."""
    await run_into_the_pause(home.charger, home.clock, until=utc(26, 2, 0, second=10))
    await set_state(home.hass, FAKE_SWITCH, "off")
    assert home.controller.status is SessionStatus.PAUSED
    await home.clock.move_to(utc(26, 2, 1))
    assert fake_switch.calls == ["turn_off"]
    assert repair_issue(home.hass, "charger_not_responding", home.entry) is None


@pytest.mark.parametrize("entry_options", [FAKE_OPTIONS])
async def test_skip_before_the_check_cancels_it(home: Home, fake_switch: FakeSwitch) -> None:
    """A command overtaken by the next one is not checked or retried.

    The switch still shows "on", but our "off" may yet land: "on" is sent to make sure.
    """
    await run_into_the_pause(home.charger, home.clock, until=utc(26, 2, 0, second=10))
    await home.controller.async_skip_pause()
    await home.clock.move_to(utc(26, 2, 2))
    assert fake_switch.calls == ["turn_off", "turn_on"]
    assert repair_issue(home.hass, "charger_not_responding", home.entry) is None
