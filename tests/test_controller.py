"""Session controller: whole nights against the simulator, with the clock frozen and stepped.

Axle is the simulator over loopback. In "price" mode it cuts the most valuable half-hour out of the
schedule, 02:00-02:30 UTC on a night window; in "none" mode it echoes the schedule. The charger is
the helper-based one from ``tests/plugins/integration.py``; every service call the integration
makes to it is counted, so each test states exactly which calls happen.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.api import (
    AxleAuthenticationError,
    AxleNotFoundError,
    AxleValidationError,
)
from custom_components.axle_flex_lite.controller import (
    ScheduleEvent,
    ScheduleEventType,
    SessionController,
    SessionStatus,
)
from custom_components.axle_flex_lite.diagnostics import controller_diagnostics
from tests.helpers import (
    OFF,
    ON,
    block,
    change_options,
    controller_of,
    flow_sources,
    pause_only_options,
    record_events,
    run_into_the_pause,
    sent_schedules,
    set_state,
    utc,
)
from tests.plugins.integration import CURRENT, PLUG, SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tests.plugins.home import Home
    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator


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


async def test_window_change_mid_session(home: Home, plugged_in: MockConfigEntry) -> None:
    """A new window while plugged in is sent at once and re-planned without a reload."""
    await home.clock.move_to(utc(25, 19))

    await change_options(home.hass, home.entry, {const.CONF_WINDOW_START: "22:00:00"})

    assert controller_of(home.entry) is home.controller
    assert sent_schedules(home.axle) == [
        [block(utc(25, 23, 30), utc(26, 5, 30))],
        [block(utc(25, 22), utc(26, 5, 30))],
    ]
    assert home.controller.session is not None
    assert home.controller.session.submitted[0].start == utc(25, 22)
    await home.clock.move_to(utc(26, 2))
    assert home.charger.calls() == [OFF]


async def test_control_mode_change_mid_session(home: Home, plugged_in: MockConfigEntry) -> None:
    """A new control mode applies at once and sends nothing to Axle."""
    await change_options(home.hass, home.entry, {const.CONF_CONTROL_MODE: "full_schedule"})
    assert home.charger.calls() == [OFF]
    assert home.controller.next_change == utc(25, 23, 30)

    await change_options(home.hass, home.entry, {const.CONF_CONTROL_MODE: "pause_only"})
    assert home.charger.calls() == [OFF, ON]
    assert len(sent_schedules(home.axle)) == 1


@pytest.mark.parametrize("skip_at", [utc(26, 1), utc(26, 2, 10)], ids=["before", "during"])
async def test_skip_pause(home: Home, skip_at: datetime, plugged_in: MockConfigEntry) -> None:
    """Skipping ends a running pause now, drops the planned one and tells Axle; no new pause."""
    await home.clock.move_to(skip_at)
    paused = home.controller.pause_active

    await home.controller.async_skip_pause()

    assert home.controller.status is SessionStatus.CHARGING
    assert home.controller.next_pause is None
    assert sent_schedules(home.axle)[-1] == [block(skip_at, utc(26, 5, 30))]
    await home.clock.move_to(utc(26, 2, 30))
    await home.clock.move_to(utc(26, 3))
    assert home.charger.calls() == ([OFF, ON] if paused else [])
    # Nothing left to skip: nothing is sent.
    await home.controller.async_skip_pause()
    assert len(sent_schedules(home.axle)) == 2


async def test_resend_schedule(home: Home) -> None:
    """Resending sends what is left of the window and follows the new answer."""
    await home.controller.async_resend_schedule()
    assert sent_schedules(home.axle) == []

    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 1))
    await home.controller.async_resend_schedule()
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 1), utc(26, 5, 30))]
    assert home.controller.next_pause == (utc(26, 2), utc(26, 2, 30))

    # After the window, a resend asks for the next one.
    await home.clock.move_to(utc(26, 6))
    await home.controller.async_resend_schedule()
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 23, 30), utc(27, 5, 30))]


async def test_participation_off_and_on(home: Home) -> None:
    """Off ends a running pause and unenrols; plug-ins are not sent; on enrols and schedules."""
    site = home.axle.sites["1900000000013"]
    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 2, 5))
    assert home.charger.calls() == [OFF]

    await home.controller.async_set_participation(False)
    assert not home.controller.participating
    assert home.controller.status is SessionStatus.NOT_PARTICIPATING
    assert home.charger.calls() == [OFF, ON]
    assert "limited_pause" not in site.enrolled
    assert home.controller.history[-1].outcome == "not_participating"
    assert home.controller.next_pause is None

    await home.charger.unplug()
    await home.charger.plug_in()
    assert len(sent_schedules(home.axle)) == 1
    await home.clock.move_to(utc(26, 2, 40))

    await home.controller.async_set_participation(True)
    assert home.controller.participating
    assert "limited_pause" in site.enrolled
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 2, 40), utc(26, 5, 30))]
    assert home.controller.status is SessionStatus.CHARGING
    assert home.charger.calls() == [OFF, ON]


async def test_participation_failures(home: Home) -> None:
    """Axle refusing: off still stops locally; on stays off. Both raise for the entity."""
    home.axle.fail_next("unenrol", status=404)
    with pytest.raises(AxleNotFoundError):
        await home.controller.async_set_participation(False)
    assert not home.controller.participating
    assert home.controller.last_api_error is not None

    home.axle.fail_next("enrol", status=422, detail="not eligible")
    with pytest.raises(AxleValidationError):
        await home.controller.async_set_participation(True)
    assert not home.controller.participating

    await home.controller.async_set_participation(True)
    assert home.controller.participating
    await home.charger.plug_in()
    assert home.controller.status is SessionStatus.WAITING


async def test_participation_on_while_plugged_in(home: Home) -> None:
    """Turning participation on with a car already plugged in starts its session."""
    await home.controller.async_set_participation(False)
    await home.charger.plug_in()
    assert home.controller.session is None
    await home.controller.async_set_participation(True)
    assert home.controller.session is not None
    assert len(sent_schedules(home.axle)) == 1


async def test_listeners_can_be_removed(
    charger: SimulatedCharger,
    controller: SessionController,
) -> None:
    """Removed listeners are not called again (removing twice is harmless)."""
    updates: list[Any] = []
    events: list[ScheduleEvent] = []
    remove_update = controller.async_add_listener(lambda: updates.append(1))
    remove_event = controller.async_add_schedule_event_listener(events.append)
    remove_update()
    remove_update()
    remove_event()
    remove_event()
    await charger.plug_in()
    assert updates == []
    assert events == []


async def test_diagnostics_are_plain_and_private(home: Home, plugged_in: MockConfigEntry) -> None:
    """Diagnostics serialise to JSON and hold no personal data."""
    await home.clock.move_to(utc(26, 2, 5))
    await home.charger.unplug()
    await home.charger.plug_in()
    diagnostics = controller_diagnostics(home.controller)
    text = json.dumps(diagnostics)
    for secret in ("1900000000013", "CT1 2EH", "user@example.net", "sim-password"):
        assert secret not in text
    assert diagnostics["status"] == "charging"
    assert diagnostics["history_length"] == 1
    assert diagnostics["recent_history"][0]["outcome"] == "unplugged"
    assert diagnostics["window"] == ["23:30:00", "05:30:00"]
    assert diagnostics["next_pause"] == ["2026-11-26T02:30:00+00:00", "2026-11-26T03:00:00+00:00"]


@pytest.mark.parametrize(
    "entry_options",
    [{const.CONF_PLUG_ENTITY: PLUG, const.CONF_SWITCH_ENTITY: SWITCH}],
    ids=["minimal"],
)
async def test_missing_options_fall_back_to_defaults(home: Home) -> None:
    """Without window and control mode options the defaults apply: 23:30-05:30, pause only."""
    assert home.controller.control_mode.value == "pause_only"
    await home.charger.plug_in()
    assert sent_schedules(home.axle) == [[block(utc(25, 23, 30), utc(26, 5, 30))]]


async def test_unreadable_option_values(hass: HomeAssistant) -> None:
    """A window time or control mode that cannot be read gives the default."""
    entry = MockConfigEntry(domain=const.DOMAIN)
    settings = {
        const.CONF_PLUG_ENTITY: PLUG,
        const.CONF_CONTROL_MODE: "bogus",
        const.CONF_WINDOW_START: "noon",
    }
    subentry = ConfigSubentry(
        data=MappingProxyType(settings), subentry_type="charger", title="EV", unique_id=None
    )
    controller = SessionController(hass, entry, None, subentry)  # type: ignore[arg-type]
    assert controller.control_mode.value == "pause_only"
    assert [edge.isoformat() for edge in controller.window] == ["23:30:00", "05:30:00"]


async def test_actions_without_a_session(
    axle_simulator: AxleSimulator,
    controller: SessionController,
) -> None:
    """Skipping with nothing plugged in, or resending while not participating, does nothing."""
    await controller.async_skip_pause()
    await controller.async_set_participation(False)
    await controller.async_resend_schedule()
    assert sent_schedules(axle_simulator) == []


async def test_participation_refused_login_starts_reauth(home: Home) -> None:
    """A 401 that survives a new login while changing participation asks to sign in again."""
    home.axle.fail_next("unenrol", status=401, count=2)
    with pytest.raises(AxleAuthenticationError):
        await home.controller.async_set_participation(False)
    assert flow_sources(home.hass) == ["reauth"]


@pytest.mark.parametrize("entry_options", [{const.CONF_PLUG_ENTITY: PLUG}], ids=["plug_only"])
async def test_nothing_to_drive(home: Home, plugged_in: MockConfigEntry) -> None:
    """Options without a switch or a current entity: the plan runs, the charger is untouched."""
    await home.clock.move_to(utc(26, 2))
    assert home.controller.status is SessionStatus.PAUSED
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.calls() == []


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
