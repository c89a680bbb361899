"""Session controller: whole nights against the simulator, with the clock frozen and stepped.

The plug-in, the schedule sent for it, the pause applied at its exact instants and the session's
end, for each kind of window, plug and charger entity. Overrides are in
``test_controller_user_changes.py``, the user's actions in ``test_controller_actions.py``, the
options in ``test_controller_options.py``.

Axle is the simulator over loopback. In "price" mode it cuts the most valuable half-hour out of the
schedule, 02:00-02:30 UTC on a night window; in "none" mode it echoes the schedule. The charger is
the helper-based one from ``tests/plugins/integration.py``; every service call the integration
makes to it is counted, so each test states exactly which calls happen.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import (
    ScheduleEvent,
    ScheduleEventType,
    SessionStatus,
)
from tests.helpers import (
    OFF,
    ON,
    block,
    controller_of,
    pause_only_options,
    record_events,
    sent_schedules,
    set_state,
    utc,
)
from tests.plugins.integration import CURRENT, PLUG, SWITCH

if TYPE_CHECKING:
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home
    from tests.plugins.integration import Clock, SimulatedCharger


async def test_full_night_pause_only(home: Home) -> None:
    """Plug in at 18:00: the window goes to Axle at once; only the pause touches the charger."""
    events = record_events(home.controller)
    updates: list[SessionStatus] = []
    home.controller.async_add_listener(lambda: updates.append(home.controller.status))
    assert home.controller.status is SessionStatus.UNPLUGGED
    assert home.controller.plugged_in is False

    await home.charger.plug_in()

    assert sent_schedules(home.axle) == [[block(utc(25, 23, 30), utc(26, 5, 30))]]
    assert home.controller.plugged_in is True
    assert home.controller.status is SessionStatus.WAITING
    assert home.controller.next_pause == (utc(26, 2), utc(26, 2, 30))
    assert home.controller.next_change == utc(26, 2)
    assert home.controller.session_pause_minutes == 30
    assert home.controller.axle.last_schedule_sync == utc(25, 18)
    assert home.controller.last_api_error is None
    assert events == [
        ScheduleEvent(
            type=ScheduleEventType.MODIFIED,
            pause_start=utc(26, 2),
            pause_end=utc(26, 2, 30),
            pause_minutes=30,
        )
    ]
    assert SessionStatus.WAITING in updates

    await home.clock.move_to(utc(25, 23, 30))
    assert home.controller.status is SessionStatus.CHARGING
    assert not home.controller.pause_active
    assert home.charger.calls() == []

    await home.clock.move_to(utc(26, 2))
    assert home.controller.status is SessionStatus.PAUSED
    assert home.controller.pause_active
    assert not home.charger.switch_on
    assert home.controller.next_change == utc(26, 2, 30)
    assert home.charger.calls() == [OFF]

    # The check after COMMAND_VERIFY_DELAY finds the charger off: nothing more is sent.
    await home.clock.move_to(utc(26, 2, 1))
    assert home.charger.calls() == [OFF]

    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.switch_on
    assert home.controller.status is SessionStatus.CHARGING
    assert home.controller.next_pause is None
    assert home.charger.calls() == [OFF, ON]

    await home.clock.move_to(utc(26, 5, 30))
    assert home.controller.status is SessionStatus.WAITING
    assert home.controller.next_change is None

    await home.clock.move_to(utc(26, 7))
    await home.charger.unplug()
    assert home.controller.status is SessionStatus.UNPLUGGED
    assert home.controller.session is None
    assert home.controller.plugged_in is False
    assert home.charger.calls() == [OFF, ON]
    assert len(sent_schedules(home.axle)) == 1
    (finished,) = home.controller.history
    assert finished.outcome == "completed"
    assert finished.ended_at == utc(26, 7)
    assert home.controller.session_pause_minutes == 30
    assert not ir.async_get(home.hass).issues


@pytest.mark.parametrize("control_mode", ["full_schedule"])
async def test_full_night_full_schedule(home: Home, plugged_in: MockConfigEntry) -> None:
    """Full schedule: off until the window, on in the blocks, off after, back on at unplug."""

    assert not home.charger.switch_on
    assert home.controller.status is SessionStatus.WAITING
    assert home.controller.next_change == utc(25, 23, 30)
    assert home.charger.calls() == [OFF]

    await home.clock.move_to(utc(25, 23, 30))
    assert home.charger.switch_on
    await home.clock.move_to(utc(26, 2))
    assert not home.charger.switch_on
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.switch_on
    await home.clock.move_to(utc(26, 5, 30))
    assert not home.charger.switch_on
    assert home.controller.next_change is None
    assert home.charger.calls() == [OFF, ON, OFF, ON, OFF]

    await home.clock.move_to(utc(26, 7))
    await home.charger.unplug()
    assert home.charger.switch_on
    assert home.charger.calls() == [OFF, ON, OFF, ON, OFF, ON]
    assert home.controller.history[-1].outcome == "completed"


@pytest.mark.parametrize(
    ("start_time", "expected"),
    [
        # Inside the window: from now to its end.
        (
            utc(26, 1),
            ((utc(26, 1), utc(26, 5, 30)), (utc(26, 2), utc(26, 2, 30)), SessionStatus.CHARGING),
        ),
        # Inside the window, after the most valuable half-hour: the next best one.
        (
            utc(26, 2, 10),
            (
                (utc(26, 2, 10), utc(26, 5, 30)),
                (utc(26, 2, 30), utc(26, 3)),
                SessionStatus.CHARGING,
            ),
        ),
        # After the window: the next night's whole window.
        (
            utc(26, 7),
            (
                (utc(26, 23, 30), utc(27, 5, 30)),
                (utc(27, 2), utc(27, 2, 30)),
                SessionStatus.WAITING,
            ),
        ),
    ],
    ids=["inside", "inside_after_best", "after"],
)
async def test_plug_in_inside_and_after_the_window(
    home: Home, expected: tuple[tuple[datetime, datetime], tuple[datetime, datetime], SessionStatus]
) -> None:
    """The schedule sent depends on where the plug-in falls relative to the window."""
    expected_block, expected_pause, status = expected
    controller = controller_of(home.entry)
    await home.charger.plug_in()
    assert sent_schedules(home.axle) == [[block(*expected_block)]]
    assert controller.next_pause == expected_pause
    assert controller.status is status

    await home.clock.move_to(expected_pause[0])
    assert home.charger.calls() == [OFF]
    await home.clock.move_to(expected_pause[1])
    assert home.charger.calls() == [OFF, ON]


@pytest.mark.parametrize(
    ("start_time", "expected_block"),
    [
        # Clocks go forward (29 March 2026): 23:30 GMT to 05:30 BST is five real hours.
        (utc(28, 20, month=3), (utc(28, 23, 30, month=3), utc(29, 4, 30, month=3))),
        # Clocks go back (25 October 2026): 23:30 BST to 05:30 GMT is seven real hours.
        (utc(24, 19, month=10), (utc(24, 22, 30, month=10), utc(25, 5, 30, month=10))),
    ],
    ids=["spring_forward", "fall_back"],
)
async def test_dst_nights(
    home: Home, expected_block: tuple[datetime, datetime], plugged_in: MockConfigEntry
) -> None:
    """The window is read in local time; the pause is applied at its exact UTC instants."""
    assert sent_schedules(home.axle) == [[block(*expected_block)]]
    day = expected_block[1].day
    month = expected_block[1].month
    pause = (utc(day, 2, month=month), utc(day, 2, 30, month=month))
    assert home.controller.next_pause == pause

    await home.clock.move_to(pause[0] - timedelta(seconds=1))
    assert home.charger.calls() == []
    await home.clock.move_to(pause[0])
    assert home.charger.calls() == [OFF]
    await home.clock.move_to(pause[1])
    assert home.charger.calls() == [OFF, ON]
    await home.clock.move_to(expected_block[1])
    assert home.controller.status is SessionStatus.WAITING


@pytest.mark.parametrize("control_mode", ["pause_only", "full_schedule"])
async def test_unchanged_schedule(home: Home, control_mode: str) -> None:
    """Axle leaves the schedule alone: no pause; pause-only never touches the charger."""
    home.axle.pause_mode = "none"
    controller = controller_of(home.entry)
    events = record_events(controller)

    await home.charger.plug_in()
    assert events == [ScheduleEvent(type=ScheduleEventType.UNCHANGED, pause_minutes=0.0)]
    assert controller.next_pause is None
    assert controller.session_pause_minutes == 0
    await home.clock.move_to(utc(25, 23, 30))
    assert controller.status is SessionStatus.CHARGING
    await home.clock.move_to(utc(26, 5, 30))
    await home.charger.unplug()

    expected = [] if control_mode == "pause_only" else [OFF, ON, OFF, ON]
    assert home.charger.calls() == expected


@pytest.mark.parametrize(
    "entry_options",
    [
        pause_only_options(
            {
                const.CONF_PLUG_ENTITY: PLUG,
                const.CONF_SWITCH_ENTITY: "",
                const.CONF_CURRENT_ENTITY: CURRENT,
            }
        )
    ],
)
async def test_current_only_charger(
    charger: SimulatedCharger,
    clock: Clock,
    plugged_in: MockConfigEntry,
) -> None:
    """Without a switch a pause sets the current to its minimum and puts the old value back."""
    await clock.move_to(utc(26, 2))
    assert charger.current_value == 6
    await clock.move_to(utc(26, 2, 30))
    assert charger.current_value == 16
    assert charger.calls() == [
        (CURRENT, "set_value", 6.0),
        (CURRENT, "set_value", 16.0),
    ]


async def test_pause_when_the_charger_is_already_off(home: Home) -> None:
    """A charger the user keeps off is neither switched off nor switched on by a pause."""
    await home.charger.set_switch(False)
    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 2))
    await home.clock.move_to(utc(26, 2, 30))
    await home.charger.unplug()
    assert home.charger.calls() == []
    assert not home.charger.switch_on


@pytest.mark.parametrize(
    "entry_options",
    [
        pause_only_options(
            {
                const.CONF_PLUG_ENTITY: "sensor.charger_status",
                const.CONF_PLUGGED_STATES: ["Car Connected"],
                const.CONF_SWITCH_ENTITY: SWITCH,
            }
        )
    ],
)
async def test_plug_sensor_states(home: Home) -> None:
    """A sensor plug: its own states, the built-in ones and the entry's extra ones count."""
    assert home.controller.plugged_in is None
    await set_state(home.hass, "sensor.charger_status", "Disconnected")
    assert home.controller.plugged_in is False

    await set_state(home.hass, "sensor.charger_status", "CAR CONNECTED")
    assert home.controller.plugged_in is True
    assert len(sent_schedules(home.axle)) == 1

    # A charging state change while plugged is the same session.
    await set_state(home.hass, "sensor.charger_status", "Charging")
    assert len(sent_schedules(home.axle)) == 1
    await set_state(home.hass, "sensor.charger_status", "Available")
    assert home.controller.session is None


async def test_unavailable_plug_keeps_the_session(home: Home, plugged_in: MockConfigEntry) -> None:
    """Plugged, unavailable, plugged again (a charger integration restarting): one session."""
    session = home.controller.session
    await set_state(home.hass, PLUG, "unavailable")
    assert home.controller.plugged_in is None
    assert home.controller.session is session
    await set_state(home.hass, PLUG, "on")
    assert home.controller.session is session
    assert len(sent_schedules(home.axle)) == 1

    # Unplugged while unavailable, then seen unplugged: the session ends.
    await set_state(home.hass, PLUG, "unknown")
    await set_state(home.hass, PLUG, "off")
    assert home.controller.session is None
    assert home.controller.history[-1].outcome == "unplugged"
    # Unknown to plugged is not a plug-in either.
    await set_state(home.hass, PLUG, "unknown")
    await set_state(home.hass, PLUG, "off")
    await home.clock.advance(timedelta(minutes=1))
    assert home.charger.calls() == []


@pytest.mark.parametrize("entry_options", [{const.CONF_PLUG_ENTITY: PLUG}], ids=["plug_only"])
async def test_nothing_to_drive(home: Home, plugged_in: MockConfigEntry) -> None:
    """Options without a switch or a current entity: the plan runs, the charger is untouched."""
    await home.clock.move_to(utc(26, 2))
    assert home.controller.status is SessionStatus.PAUSED
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.calls() == []


async def test_history_keeps_at_most_the_cap(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many plug-ins in one day are bounded by count as well as by age; the newest stay."""
    monkeypatch.setattr("custom_components.axle_flex_lite.controller_state.HISTORY_MAX_SESSIONS", 3)
    controller = controller_of(home.entry)
    session_ids = []
    for _ in range(5):
        await home.charger.plug_in()
        assert controller.session is not None
        session_ids.append(controller.session.session_id)
        await home.clock.advance(timedelta(minutes=10))
        await home.charger.unplug()
    assert [session.session_id for session in controller.history] == session_ids[-3:]
