"""The integration away while the car is in: removed during a pause, or reloaded across a replug.

Removal puts the charger back; when it cannot (the charger offline), a notification tells the user
which entity to set to what. A car unplugged and plugged in again while the entry was unloaded is a
new session (a restart alone is not).

Times are UTC in November 2026: plugged in at 18:00, window 23:30-05:30, Axle's pause 02:00-02:30.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.const import (
    EVENT_HOMEASSISTANT_STOP,
    STATE_ON,
    STATE_UNAVAILABLE,
)

from custom_components.axle_flex_lite.const import CONF_UNPLUG_SETTLE
from tests.helpers import (
    change_options,
    controller_of,
    follow_notifications,
    sent_schedules,
    set_up_entry,
    unload_entry,
    utc,
)
from tests.plugins.integration import PLUG, SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.session import Session
    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

PAUSE_START = utc(26, 2)
PAUSE_END = utc(26, 2, 30)


async def session_at_one(
    entry: MockConfigEntry, charger: SimulatedCharger, clock: Clock
) -> Session:
    """Plug in at 18:00 and go on to 01:00; return the session."""
    await charger.plug_in()
    await clock.move_to(utc(26, 1))
    session = controller_of(entry).session
    assert session is not None
    return session


async def test_7_removed_mid_pause_with_the_charger_offline_tells_the_user(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """Failure 7: the switch cannot be put back at removal: a notification names it and "on"."""
    shown = follow_notifications(hass)
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
    shown = follow_notifications(hass)
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
    first = await session_at_one(init_integration, charger, clock)
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
    first = await session_at_one(init_integration, charger, clock)
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


async def test_a_new_settle_time_needs_no_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """The settle time saved in the options counts from the next unplug, without a reload."""
    controller = controller_of(init_integration)
    await charger.plug_in()
    await change_options(hass, init_integration, {CONF_UNPLUG_SETTLE: 120})
    assert controller_of(init_integration) is controller
    await charger.unplug()
    await clock.advance(timedelta(seconds=119))
    assert controller.session is not None
    await clock.advance(timedelta(seconds=2))
    assert controller.session is None
