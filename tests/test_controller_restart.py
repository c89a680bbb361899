"""Session controller across restarts: the stored session, Home Assistant stopping, crashes.

A restart is the entry unloaded and set up again from the stored state. A crash (no chance to put
the charger back) is the stored state of a running pause written back after the unload, with the
charger left the way the pause had it.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CoreState
import pytest

from custom_components.axle_flex_lite.const import HISTORY_DAYS
from custom_components.axle_flex_lite.controller import SessionStatus
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import (
    OFF,
    ON,
    add_and_set_up_entry,
    controller_of,
    registry_id,
    run_into_the_pause,
    sent_schedules,
    set_up_entry,
    store_controller_state,
    store_plug_in,
    stored_state,
    unload_entry,
    utc,
)
from tests.plugins.integration import SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home, NewHome
    from tests.plugins.integration import Clock, SimulatedCharger


async def restart(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Unload the entry and set it up again."""
    await unload_entry(hass, entry)
    await set_up_entry(hass, entry)


async def test_state_is_stored_on_every_change(
    home: Home, hass_storage: dict[str, Any], plugged_in: MockConfigEntry
) -> None:
    """Plug-in, pause and unplug are each written at once, with the values to put back."""
    data = stored_state(hass_storage, home.entry)
    assert data["plugged"] is True
    assert data["participating"] is True
    session = data["session"]
    assert session["plugged_in_at"] == "2026-11-25T18:00:00+00:00"
    assert session["submitted"] == [["2026-11-25T23:30:00+00:00", "2026-11-26T05:30:00+00:00"]]
    assert session["plan"]["pauses"] == [["2026-11-26T02:00:00+00:00", "2026-11-26T02:30:00+00:00"]]
    assert data["restore"] == {}

    await home.clock.move_to(utc(26, 2))
    assert stored_state(hass_storage, home.entry)["restore"] == {
        registry_id(home.hass, SWITCH): "on"
    }
    await home.clock.move_to(utc(26, 2, 30))
    assert stored_state(hass_storage, home.entry)["restore"] == {}

    await home.charger.unplug()
    data = stored_state(hass_storage, home.entry)
    assert data["session"] is None
    assert data["plugged"] is False
    assert [record["outcome"] for record in data["history"]] == ["unplugged"]


async def test_restart_before_the_pause(home: Home, plugged_in: MockConfigEntry) -> None:
    """The stored plan carries on; nothing is sent to Axle again."""
    await home.clock.move_to(utc(25, 23))
    await restart(home.hass, home.entry)
    controller = controller_of(home.entry)
    assert controller.status is SessionStatus.WAITING
    assert controller.next_pause == (utc(26, 2), utc(26, 2, 30))
    await home.clock.move_to(utc(26, 2))
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.calls() == [OFF, ON]
    assert len(sent_schedules(home.axle)) == 1


async def test_restart_during_the_pause(home: Home, in_pause: MockConfigEntry) -> None:
    """Unloading puts the charger back; setting up again resumes the pause to its end."""
    await unload_entry(home.hass, home.entry)
    assert home.charger.switch_on
    assert home.charger.calls() == [OFF, ON]

    await set_up_entry(home.hass, home.entry)
    assert controller_of(home.entry).status is SessionStatus.PAUSED
    assert home.charger.calls() == [OFF, ON, OFF]
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.calls() == [OFF, ON, OFF, ON]
    assert len(sent_schedules(home.axle)) == 1


async def test_restart_after_the_pause(home: Home, in_pause: MockConfigEntry) -> None:
    """A pause that ended while unloaded is not applied again."""
    assert await home.hass.config_entries.async_unload(home.entry.entry_id)
    await home.clock.move_to(utc(26, 2, 45))
    await set_up_entry(home.hass, home.entry)
    assert controller_of(home.entry).status is SessionStatus.CHARGING
    assert home.charger.calls() == [OFF, ON]


async def crash_during_the_pause(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """Pause at 02:00, then "crash" at 02:10: the charger stays off, the store says so."""
    await run_into_the_pause(charger, clock, until=utc(26, 2, 10))
    snapshot = copy.deepcopy(hass_storage[storage_key(entry.entry_id)])
    assert snapshot["data"]["restore"] == {registry_id(hass, SWITCH): "on"}
    await unload_entry(hass, entry)
    # What a crash leaves behind: the charger still off and the pause in the store.
    hass.states.async_set(SWITCH, "off")
    hass_storage[storage_key(entry.entry_id)] = snapshot
    charger.reset_calls()


async def test_crash_and_restart_after_the_pause_ended(
    home: Home, hass_storage: dict[str, Any]
) -> None:
    """The pause ended while Home Assistant was down: the charger is put back at once."""
    await crash_during_the_pause(home.hass, hass_storage, home.entry, home.charger, home.clock)
    await home.clock.move_to(utc(26, 3))
    await set_up_entry(home.hass, home.entry)
    assert home.charger.calls() == [ON]
    assert home.charger.switch_on
    assert stored_state(hass_storage, home.entry)["restore"] == {}


async def test_crash_and_restart_during_the_pause(home: Home, hass_storage: dict[str, Any]) -> None:
    """The pause still runs: it goes on to its end, then the remembered state comes back."""
    await crash_during_the_pause(home.hass, hass_storage, home.entry, home.charger, home.clock)
    await home.clock.move_to(utc(26, 2, 20))
    await set_up_entry(home.hass, home.entry)
    assert home.charger.calls() == []
    assert controller_of(home.entry).status is SessionStatus.PAUSED
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.calls() == [ON]


async def test_unplugged_while_down(home: Home, in_pause: MockConfigEntry) -> None:
    """A car taken away while the entry was unloaded closes the session at start-up."""
    assert await home.hass.config_entries.async_unload(home.entry.entry_id)
    await home.charger.unplug()
    await set_up_entry(home.hass, home.entry)
    controller = controller_of(home.entry)
    assert controller.session is None
    assert controller.history[-1].outcome == "unplugged"
    assert controller.history[-1].ended_at == utc(26, 2, 10)
    assert home.charger.calls() == [OFF, ON]


async def test_plugged_in_while_down(home: Home) -> None:
    """The store saw the car out; it is in at start-up: a plug-in that must be sent."""
    assert await home.hass.config_entries.async_unload(home.entry.entry_id)
    await home.charger.plug_in()
    await set_up_entry(home.hass, home.entry)
    assert controller_of(home.entry).status is SessionStatus.WAITING
    assert len(sent_schedules(home.axle)) == 1


async def test_plugged_in_before_the_first_set_up(new_home: NewHome) -> None:
    """A car already connected at the very first set-up is not a plug-in: no session."""
    await new_home.charger.plug_in()
    await add_and_set_up_entry(new_home.hass, new_home.entry)
    controller = controller_of(new_home.entry)
    assert controller.plugged_in is True
    assert controller.session is None
    assert controller.status is SessionStatus.UNPLUGGED
    assert sent_schedules(new_home.axle) == []

    # The next real plug-in is sent.
    await new_home.charger.unplug()
    await new_home.charger.plug_in()
    assert len(sent_schedules(new_home.axle)) == 1


async def test_unanswered_session_is_sent_at_start_up(
    new_home: NewHome, *, hass_storage: dict[str, Any]
) -> None:
    """Home Assistant stopped before Axle answered: what is left of the window is sent now."""
    await new_home.charger.plug_in()
    await new_home.clock.move_to(utc(26, 1))
    store_plug_in(hass_storage, new_home.entry)
    await add_and_set_up_entry(new_home.hass, new_home.entry)
    assert sent_schedules(new_home.axle)[0][0]["start_timestamp"] == "2026-11-26T01:00:00+00:00"
    controller = controller_of(new_home.entry)
    assert controller.session is not None
    assert controller.session.session_id == "stored"
    assert controller.status is SessionStatus.CHARGING


async def test_stored_state_that_cannot_be_read(
    new_home: NewHome, hass_storage: dict[str, Any]
) -> None:
    """Damaged records and old sessions are dropped; participation off ends a stored session."""
    await new_home.charger.plug_in()
    good = {
        "session_id": "good",
        "plugged_in_at": "2026-11-20T18:00:00+00:00",
        "submitted": [],
        "plan": None,
        "ended_at": "2026-11-21T07:00:00+00:00",
        "outcome": "completed",
    }
    old = {**good, "session_id": "old", "ended_at": "2026-09-01T07:00:00+00:00"}
    store_controller_state(
        hass_storage,
        new_home.entry,
        {
            "participating": False,
            "plugged": True,
            "restore": {SWITCH: "on", "input_number.x": True},
            "session": {**good, "session_id": "running", "ended_at": None, "outcome": None},
            "history": [
                old,
                good,
                {"session_id": ""},
                {**good, "plugged_in_at": "yesterday"},
                {**good, "plugged_in_at": "2026-11-20T18:00:00"},
                {**good, "plugged_in_at": 5},
                {**good, "submitted": "none"},
                {**good, "submitted": [["2026-11-20T18:00:00+00:00"]]},
                {**good, "submitted": [["2026-11-20T18:00:00+00:00", "2026-11-20T17:00:00+00:00"]]},
                {**good, "plan": "none"},
                "junk",
            ],
        },
    )
    await add_and_set_up_entry(new_home.hass, new_home.entry)
    controller = controller_of(new_home.entry)
    assert [session.session_id for session in controller.history] == ["good", "running"]
    assert controller.history[-1].outcome == "not_participating"
    assert controller.status is SessionStatus.NOT_PARTICIPATING
    assert new_home.charger.calls() == []
    assert timedelta(days=HISTORY_DAYS) < utc(25, 18) - utc(1, 7, month=9)


async def test_damaged_session_is_dropped(new_home: NewHome, hass_storage: dict[str, Any]) -> None:
    """A stored session that cannot be read is dropped; the entry still sets up."""
    store_controller_state(
        hass_storage,
        new_home.entry,
        {"session": {"session_id": "x", "plugged_in_at": None}, "history": "none"},
    )
    await add_and_set_up_entry(new_home.hass, new_home.entry)
    controller = controller_of(new_home.entry)
    assert controller.session is None
    assert controller.history == ()
    assert controller.participating


async def test_home_assistant_stop_mid_pause(
    home: Home, hass_storage: dict[str, Any], in_pause: MockConfigEntry
) -> None:
    """Stopping puts the charger back; the session and the values to put back stay stored."""
    home.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await home.hass.async_block_till_done()
    assert home.charger.switch_on
    assert home.charger.calls() == [OFF, ON]
    data = stored_state(hass_storage, home.entry)
    assert data["restore"] == {registry_id(home.hass, SWITCH): "on"}
    assert data["session"]["plan"]["pauses"]
    # Stopped: no more changes, and the user's changes are not overrides.
    await home.clock.move_to(utc(26, 2, 30))
    await home.charger.set_switch(False)
    assert home.charger.calls() == [OFF, ON]


async def test_unplug_during_a_pause(home: Home, in_pause: MockConfigEntry) -> None:
    """Unplugging mid-pause puts the charger back at once."""
    await home.charger.unplug()
    assert home.charger.switch_on
    assert home.charger.calls() == [OFF, ON]
    assert home.controller.history[-1].outcome == "unplugged"
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.calls() == [OFF, ON]


@pytest.mark.parametrize("control_mode", ["full_schedule"])
async def test_restart_in_full_schedule_before_the_window(
    home: Home, plugged_in: MockConfigEntry
) -> None:
    """Full schedule: unloading lets the charger go; setting up takes it again."""
    await restart(home.hass, home.entry)
    assert home.charger.calls() == [OFF, ON, OFF]
    await home.clock.move_to(utc(25, 23, 30))
    assert home.charger.calls() == [OFF, ON, OFF, ON]


async def test_resend_starts_a_session_for_a_car_already_plugged_in(new_home: NewHome) -> None:
    """The car was in before the first set-up: a resend makes it a session."""
    await new_home.charger.plug_in()
    await add_and_set_up_entry(new_home.hass, new_home.entry)
    controller = controller_of(new_home.entry)
    await controller.async_resend_schedule()
    assert controller.status is SessionStatus.WAITING
    assert len(sent_schedules(new_home.axle)) == 1


async def test_waits_for_home_assistant_to_run(
    new_home: NewHome, *, hass_storage: dict[str, Any]
) -> None:
    """During start-up the charger's entities may not exist yet: nothing happens until it runs."""
    store_controller_state(
        hass_storage, new_home.entry, {"plugged": False, "restore": {SWITCH: "on"}}
    )
    await new_home.charger.set_switch(False)
    new_home.hass.set_state(CoreState.starting)
    await add_and_set_up_entry(new_home.hass, new_home.entry)
    await new_home.charger.plug_in()
    assert new_home.charger.calls() == []
    assert sent_schedules(new_home.axle) == []

    new_home.hass.set_state(CoreState.running)
    new_home.hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await new_home.hass.async_block_till_done()
    assert new_home.charger.calls() == [ON]
    # The plug-in happened while the stored state said "out": it is a plug-in.
    assert len(sent_schedules(new_home.axle)) == 1


async def test_actions_after_stop_change_nothing(home: Home, plugged_in: MockConfigEntry) -> None:
    """After Home Assistant's stop event the controller no longer drives the charger."""
    await home.clock.move_to(utc(26, 1))
    home.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await home.hass.async_block_till_done()
    await home.controller.async_skip_pause()
    await home.controller.async_resend_schedule()
    await home.clock.move_to(utc(26, 2))
    assert home.charger.calls() == []


@pytest.mark.parametrize(
    ("back_at", "switch_on_after", "calls_after"),
    [
        # The pause ended while Home Assistant was down: charging is put back at start-up.
        (utc(26, 2, 40), True, [OFF, ON, ON]),
        # The pause still runs: it is held to its end, then the same remembered value returns.
        (utc(26, 2, 20), False, [OFF, ON]),
    ],
    ids=["pause_over", "pause_still_running"],
)
async def test_put_back_at_stop_that_did_not_stick(
    home: Home,
    back_at: datetime,
    switch_on_after: bool,
    calls_after: list[tuple[str, str, str]],
    in_pause: MockConfigEntry,
) -> None:
    """The charger's integration saved "off" before our put-back at stop landed.

    At the next start the charger reads off again; the stored values to put back make sure the
    car is not left paused past the end of Axle's pause.
    """
    home.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await home.hass.async_block_till_done()
    assert home.charger.calls() == [OFF, ON]
    # What the charger's own integration restores after the restart: the paused state.
    home.hass.states.async_set(SWITCH, "off")
    await home.clock.move_to(back_at)
    await restart(home.hass, home.entry)
    assert home.charger.switch_on is switch_on_after
    assert home.charger.calls() == calls_after
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.switch_on
    await home.clock.move_to(utc(26, 5, 30))
    await home.charger.unplug()
    assert home.charger.switch_on
