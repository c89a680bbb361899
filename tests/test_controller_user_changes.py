"""A person's change of the charger always stands, however soon after our own command it comes.

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

from custom_components.axle_flex_lite.controller import SessionStatus
from tests.helpers import (
    OFF,
    ON,
    controller_of,
    sent_schedules,
    set_up_entry,
    unload_entry,
)
from tests.plugins.integration import FIRST_PAUSE_END, FIRST_PAUSE_START
from tests.test_controller_real_chargers import slow_charger, turn_commands

if TYPE_CHECKING:
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
