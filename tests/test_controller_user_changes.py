"""A person's change of the charger always stands, however soon after our own command it comes.

Switching the charger during a pause, outside one, or before the window in full schedule is an
override: hands off for the rest of the session, and Axle told the user's plan once, after it has
stood a minute (a failure to tell it is recorded, the plan stands). A new current or a change of
attributes only is no override.

Within the charger's command latency a value that contradicts our command is normally a stale
report (the command did not stick yet, so it is checked and retried). A change that carries a
person's context (``user_id``) or an automation's (a ``parent_id`` we did not create) is theirs:
it is never retried over, nor put back, at unplug, after a reload or after a restart.

Times are UTC in November 2026: plugged in at 18:00, window 23:30-05:30, Axle's pause 02:00-02:30.
The entry sets no command latency, so our commands are recognised for the default ten minutes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Context
import pytest

from custom_components.axle_flex_lite.controller import ScheduleEventType, SessionStatus
from tests.helpers import (
    OFF,
    ON,
    block,
    controller_of,
    record_events,
    run_into_the_pause,
    sent_schedules,
    set_up_entry,
    unload_entry,
    utc,
)
from tests.plugins.integration import FIRST_PAUSE_END, FIRST_PAUSE_START, SWITCH
from tests.test_controller_real_chargers import slow_charger, turn_commands

if TYPE_CHECKING:
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.chargers import SimChargers
    from tests.plugins.home import Home, NewHome


async def test_switched_off_right_after_the_put_back_at_unplug_stays_off(home: Home) -> None:
    """Unplugged mid-pause (switch put back on), the user switches off a minute later: it stays."""
    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    await home.charger.unplug()
    assert home.charger.switch_on
    await home.clock.advance(timedelta(minutes=1))
    await home.charger.set_switch(False)
    await home.clock.advance(timedelta(minutes=30))
    assert not home.charger.switch_on
    assert home.charger.calls() == [OFF, ON]


async def test_switched_off_right_after_the_resume_is_an_override(
    new_home: NewHome, sim_chargers: SimChargers
) -> None:
    """The pause ends (our "on" is reported 90 s late); the user switches off 30 s in: theirs."""
    sim = await slow_charger(new_home.hass, sim_chargers, new_home.entry)
    controller = controller_of(new_home.entry)
    await sim.plug_in()
    await new_home.clock.move_to(FIRST_PAUSE_END + timedelta(seconds=30))
    await sim.user_set("charging", False)
    assert controller.status is SessionStatus.OVERRIDDEN
    await new_home.clock.advance(timedelta(minutes=30))
    assert sim.state("charging") == "off"
    assert turn_commands(sim) == [False, True]
    # Switched off: no charging planned, nothing to tell Axle.
    assert len(sent_schedules(new_home.axle)) == 1


async def test_switched_off_during_a_reload_mid_pause_stays_off_after_the_pause(home: Home) -> None:
    """Reloaded mid-pause (put back on), the user switches off before the set-up: not put back."""
    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    await unload_entry(home.hass, home.entry)
    assert home.charger.switch_on
    await home.charger.set_switch(False)
    await set_up_entry(home.hass, home.entry)
    await home.clock.move_to(FIRST_PAUSE_END + timedelta(minutes=15))
    assert not home.charger.switch_on
    assert home.charger.calls() == [OFF, ON]


@pytest.mark.parametrize(
    ("context", "put_back"),
    [(Context(user_id="someone"), False), (Context(), True)],
    ids=["a_person", "a_stale_poll"],
)
async def test_a_change_right_after_the_stop_is_put_back_unless_a_persons(
    home: Home, context: Context, put_back: bool
) -> None:
    """Stopped mid-pause; the switch shows off a minute later (within the latency): a person's
    change stays; the same value without one is a put-back that did not stick, done again."""
    await home.charger.plug_in()
    await home.clock.move_to(FIRST_PAUSE_START + timedelta(minutes=5))
    home.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await home.hass.async_block_till_done()
    await unload_entry(home.hass, home.entry)
    await home.clock.advance(timedelta(minutes=1))
    home.hass.states.async_set(home.charger.switch, "off", context=context)
    await home.clock.move_to(FIRST_PAUSE_END + timedelta(minutes=10))
    await set_up_entry(home.hass, home.entry)
    await home.clock.advance(timedelta(minutes=15))
    assert home.charger.switch_on is put_back
    assert home.charger.calls() == ([OFF, ON, ON] if put_back else [OFF, ON])


async def test_override_during_a_pause(home: Home) -> None:
    """Switching on during a pause: hands off, Axle told "charging now to the window's end"."""
    events = record_events(home.controller)
    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 2))
    assert home.charger.calls() == [OFF]

    await home.clock.move_to(utc(26, 2, 10))
    await home.charger.set_switch(True)

    assert home.controller.status is SessionStatus.OVERRIDDEN
    assert home.controller.next_pause is None
    assert not home.controller.pause_active
    assert home.controller.next_change is None
    assert events[-1].type is ScheduleEventType.OVERRIDE
    assert events[-1].pause_minutes == 10
    # Axle hears the user's plan once it has stood for a minute.
    assert len(sent_schedules(home.axle)) == 1
    await home.clock.move_to(utc(26, 2, 11))
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 2, 11), utc(26, 5, 30))]
    session = home.controller.session
    assert session is not None
    assert session.plan is not None
    assert [(b.start, b.end) for b in session.plan.pauses] == [(utc(26, 2), utc(26, 2, 10))]

    # Hands off for the rest of the session: no change at the pause's end, nothing at unplug.
    await home.clock.move_to(utc(26, 2, 30))
    await home.clock.move_to(utc(26, 6))
    await home.charger.unplug()
    assert home.charger.calls() == [OFF]
    assert home.controller.history[-1].outcome == "overridden"


async def test_override_outside_a_pause(home: Home, plugged_in: MockConfigEntry) -> None:
    """Switching off in the window: the pause never comes and nothing is sent (no plan)."""
    await home.clock.move_to(utc(26, 0, 15))
    await home.charger.set_switch(False)
    assert home.controller.status is SessionStatus.OVERRIDDEN
    assert len(sent_schedules(home.axle)) == 1

    await home.clock.move_to(utc(26, 2))
    await home.clock.move_to(utc(26, 2, 30))
    await home.charger.unplug()
    assert home.charger.calls() == []
    assert not home.charger.switch_on

    # The next session is the integration's again; its pause starts at once.
    await home.charger.set_switch(True)
    await home.charger.plug_in()
    assert home.controller.status is SessionStatus.PAUSED
    assert home.controller.next_pause == (utc(26, 2, 30), utc(26, 3))
    assert home.charger.calls() == [OFF]


@pytest.mark.parametrize("control_mode", ["full_schedule"])
async def test_override_before_the_window_in_full_schedule(
    home: Home, plugged_in: MockConfigEntry
) -> None:
    """A boost before the window: charging now until the window's end, told to Axle."""
    assert home.charger.calls() == [OFF]

    await home.clock.move_to(utc(25, 20))
    await home.charger.set_switch(True)
    assert home.controller.status is SessionStatus.OVERRIDDEN
    await home.clock.move_to(utc(25, 20, 1))
    assert sent_schedules(home.axle)[-1] == [block(utc(25, 20, 1), utc(26, 5, 30))]
    await home.clock.move_to(utc(25, 23, 30))
    await home.clock.move_to(utc(26, 2))
    await home.clock.move_to(utc(26, 5, 30))
    await home.charger.unplug()
    assert home.charger.calls() == [OFF]
    assert home.charger.switch_on


async def test_current_change_during_a_pause_is_not_an_override(home: Home) -> None:
    """The user sets a current mid-pause: it stands, and the switch still follows the plan."""
    await run_into_the_pause(home.charger, home.clock, until=utc(26, 2, 5))
    await home.charger.set_current(10)

    assert home.controller.status is SessionStatus.PAUSED
    assert not home.charger.switch_on
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.switch_on
    assert home.charger.current_value == 10
    assert home.charger.calls() == [OFF, ON]
    assert len(sent_schedules(home.axle)) == 1

    # The switch is the user's to take over; Axle hears their plan once, after a minute.
    await home.clock.move_to(utc(26, 3))
    await home.charger.set_switch(False)
    await home.charger.set_switch(True)
    await home.clock.move_to(utc(26, 3, 1))
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 3, 1), utc(26, 5, 30))]
    await home.charger.unplug()
    assert home.charger.calls() == [OFF, ON]


async def test_attribute_only_changes_are_not_overrides(
    home: Home, plugged_in: MockConfigEntry
) -> None:
    """Attributes changing, or the switch going unavailable and back, is not the user."""
    home.hass.states.async_set(SWITCH, "on", {"friendly_name": "Renamed"})
    home.hass.states.async_set(SWITCH, "unavailable")
    home.hass.states.async_set(SWITCH, "on")
    await home.hass.async_block_till_done()
    assert home.controller.status is SessionStatus.WAITING
    await home.clock.move_to(utc(26, 2))
    assert home.charger.calls() == [OFF]


async def test_override_that_axle_does_not_hear(home: Home, plugged_in: MockConfigEntry) -> None:
    """Telling Axle about the override fails: recorded, and the user's plan stands."""
    await home.clock.move_to(utc(26, 2))
    home.axle.fail_next("plug-in-schedule", status=500)
    await home.charger.set_switch(True)
    assert home.controller.status is SessionStatus.OVERRIDDEN
    await home.clock.advance(timedelta(minutes=1))
    assert home.controller.last_api_error is not None
    assert home.controller.last_api_error.startswith("AxleServerError")
    await home.clock.advance(timedelta(minutes=10))
    assert len(sent_schedules(home.axle)) == 2
    assert home.charger.calls() == [OFF]
