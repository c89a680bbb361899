"""The integration away while the car is in: removed during a pause, or reloaded across a replug.

Removal puts the charger back; when it cannot (the charger offline), a notification tells the user
which entity to set to what. A car unplugged and plugged in again while the entry was unloaded is a
new session (a restart alone is not).

Times are UTC in November 2026: plugged in at 18:00, window 23:30-05:30, Axle's pause 02:00-02:30.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.components import persistent_notification
from homeassistant.const import (
    EVENT_HOMEASSISTANT_STOP,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.core import callback

from tests.helpers import (
    controller_of,
    sent_schedules,
    set_up_entry,
    unload_entry,
    utc,
)
from tests.plugins.integration import PLUG, SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

PAUSE_START = utc(26, 2)
PAUSE_END = utc(26, 2, 30)


def notifications(hass: HomeAssistant) -> dict[str, Any]:
    """Follow the persistent notifications: the dict holds them as they are, by id."""
    shown: dict[str, Any] = {}

    @callback
    def updated(_kind: Any, changed: dict[str, Any]) -> None:
        shown.clear()
        shown.update(changed)

    persistent_notification.async_register_callback(hass, updated)
    return shown


async def test_7_removed_mid_pause_with_the_charger_offline_tells_the_user(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """Failure 7: the switch cannot be put back at removal: a notification names it and "on"."""
    shown = notifications(hass)
    await charger.plug_in()
    await clock.move_to(PAUSE_START + timedelta(minutes=10))
    hass.states.async_set(SWITCH, STATE_UNAVAILABLE)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    (message,) = [note["message"] for note in shown.values()]
    assert f"Set {SWITCH} to on so that your car charges" in message
    assert "{" not in message


async def test_removed_mid_pause_with_the_charger_online_tells_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """The switch is put back at removal: nothing for the user to do, no notification."""
    shown = notifications(hass)
    await charger.plug_in()
    await clock.move_to(PAUSE_START + timedelta(minutes=10))
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert charger.switch_on
    assert shown == {}


async def test_3_replugged_while_unloaded_is_a_new_session(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
) -> None:
    """Failure 3 (same night): out and in again while the entry was unloaded: a new session."""
    await charger.plug_in()
    await clock.move_to(utc(26, 1))
    first = controller_of(init_integration).session
    assert first is not None
    await unload_entry(hass, init_integration)
    await clock.move_to(utc(26, 1, 10))
    await charger.unplug()
    await clock.move_to(utc(26, 1, 20))
    await charger.plug_in()
    await clock.move_to(utc(26, 1, 30))
    await set_up_entry(hass, init_integration)
    controller = controller_of(init_integration)
    assert [session.session_id for session in controller.history] == [first.session_id]
    assert controller.history[-1].outcome == "unplugged"
    assert controller.session is not None
    assert controller.session.session_id != first.session_id
    assert len(sent_schedules(axle_simulator)) == 2
    assert sent_schedules(axle_simulator)[-1][0]["start_timestamp"] == utc(26, 1, 30).isoformat()


async def test_a_restart_that_rewrites_the_plug_state_is_the_same_session(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
) -> None:
    """Home Assistant restarts: every state is written anew, but nobody replugged: same session."""
    await charger.plug_in()
    await clock.move_to(utc(26, 1))
    first = controller_of(init_integration).session
    assert first is not None
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await unload_entry(hass, init_integration)
    await clock.move_to(utc(26, 1, 10))
    hass.states.async_remove(PLUG)
    hass.states.async_set(PLUG, STATE_ON)
    await set_up_entry(hass, init_integration)
    controller = controller_of(init_integration)
    assert controller.session is not None
    assert controller.session.session_id == first.session_id
    assert len(sent_schedules(axle_simulator)) == 1
    await clock.move_to(PAUSE_START)
    assert not charger.switch_on
