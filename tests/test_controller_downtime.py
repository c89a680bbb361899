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
from tests.plugins.integration import FIRST_PAUSE_START, PLUG, SWITCH

if TYPE_CHECKING:
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.session import Session
    from tests.plugins.home import Home
    from tests.plugins.integration import Clock, SimulatedCharger


async def session_at_one(
    entry: MockConfigEntry, charger: SimulatedCharger, clock: Clock
) -> Session:
    """Plug in at 18:00 and go on to 01:00; return the session."""
    await charger.plug_in()
    await clock.move_to(utc(26, 1))
    session = controller_of(entry).session
    assert session is not None
    return session


async def test_7_removed_mid_pause_with_the_charger_offline_tells_the_user(home: Home) -> None:
    """Failure 7: the switch cannot be put back at removal: a notification names it and "on"."""
    shown = follow_notifications(home.hass)
    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    home.hass.states.async_set(SWITCH, STATE_UNAVAILABLE)
    await home.hass.async_block_till_done()
    assert await home.hass.config_entries.async_remove(home.entry.entry_id)
    await home.hass.async_block_till_done()
    (message,) = [note["message"] for note in shown.values()]
    assert f"Set {SWITCH} to on so that your car charges" in message
    assert "{" not in message


async def test_removed_mid_pause_with_the_charger_online_tells_nothing(home: Home) -> None:
    """The switch is put back at removal: nothing for the user to do, no notification."""
    shown = follow_notifications(home.hass)
    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    assert await home.hass.config_entries.async_remove(home.entry.entry_id)
    await home.hass.async_block_till_done()
    assert home.charger.switch_on
    assert shown == {}


async def test_3_replugged_while_unloaded_is_a_new_session(home: Home) -> None:
    """Failure 3 (same night): out and in again while the entry was unloaded: a new session."""
    first = await session_at_one(home.entry, home.charger, home.clock)
    await unload_entry(home.hass, home.entry)
    await home.clock.move_to(utc(26, 1, 10))
    await home.charger.unplug()
    await home.clock.move_to(utc(26, 1, 20))
    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 1, 30))
    await set_up_entry(home.hass, home.entry)
    controller = controller_of(home.entry)
    assert [session.session_id for session in controller.history] == [first.session_id]
    assert controller.history[-1].outcome == "unplugged"
    assert controller.session is not None
    assert controller.session.session_id != first.session_id
    assert len(sent_schedules(home.axle)) == 2
    assert sent_schedules(home.axle)[-1][0]["start_timestamp"] == utc(26, 1, 30).isoformat()


async def test_a_restart_that_rewrites_the_plug_state_is_the_same_session(home: Home) -> None:
    """Home Assistant restarts: every state is written anew, but nobody replugged: same session."""
    first = await session_at_one(home.entry, home.charger, home.clock)
    home.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await home.hass.async_block_till_done()
    await unload_entry(home.hass, home.entry)
    await home.clock.move_to(utc(26, 1, 10))
    home.hass.states.async_remove(PLUG)
    home.hass.states.async_set(PLUG, STATE_ON)
    await set_up_entry(home.hass, home.entry)
    controller = controller_of(home.entry)
    assert controller.session is not None
    assert controller.session.session_id == first.session_id
    assert len(sent_schedules(home.axle)) == 1
    await home.clock.move_to(FIRST_PAUSE_START)
    assert not home.charger.switch_on


async def test_a_new_settle_time_needs_no_reload(home: Home) -> None:
    """The settle time saved in the options counts from the next unplug, without a reload."""
    controller = controller_of(home.entry)
    await home.charger.plug_in()
    await change_options(home.hass, home.entry, {CONF_UNPLUG_SETTLE: 120})
    assert controller_of(home.entry) is controller
    await home.charger.unplug()
    await home.clock.advance(timedelta(seconds=119))
    assert controller.session is not None
    await home.clock.advance(timedelta(seconds=2))
    assert controller.session is None
