"""The fault matrix's rows for the charger and its user: entities that flap, go missing, refuse a
value or are renamed, the user overriding (also right after our command), a short unplug, and the
nights the clocks change. The night and how every row ends are in ``tests/plugins/night.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import SessionStatus
from tests.helpers import OFF, ON, SCHEDULE_PATH, charger_settings, controller_of, utc
from tests.plugins.integration import PLUG, SWITCH
from tests.plugins.night import (
    PAUSE,
    Night,
    SwitchWatch,
    assert_nothing_unhandled,
    night_options,
    state_of,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant, ServiceCall
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import SessionController


# The charger's entities misbehaving


async def test_plug_flapping_unavailable(
    hass: HomeAssistant,
    *,
    night: Night,
    controller: SessionController,
) -> None:
    """The plug entity drops out and returns, before and during the pause: nothing changes."""
    switch = SwitchWatch(hass)
    await night.charger.plug_in()
    for moment in (utc(25, 20), utc(26, 2, 10)):
        await night.step_to(moment)
        for _ in range(5):
            hass.states.async_set(PLUG, STATE_UNAVAILABLE)
            await hass.async_block_till_done()
            assert controller.plugged_in is None
            hass.states.async_set(PLUG, STATE_ON)
            await hass.async_block_till_done()
    assert controller.session is not None
    await night.run()

    assert switch.changes == [(PAUSE[0], STATE_OFF), (PAUSE[1], STATE_ON)]
    assert len(controller.history) == 1
    night.assert_ends([OFF, ON], schedules=1)


async def test_switch_missing_then_back_during_the_pause(
    hass: HomeAssistant,
    night: Night,
    plugged_in: MockConfigEntry,
) -> None:
    """The switch entity vanishes before the pause: an issue; paused once it is back."""
    await night.clock.move_to(utc(26, 1))
    hass.states.async_remove(SWITCH)
    await hass.async_block_till_done()
    issue_id = f"{const.ISSUE_CHARGER_ENTITY_MISSING}_{plugged_in.entry_id}_{SWITCH}"
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is not None
    await night.clock.move_to(PAUSE[0])
    assert night.charger.calls() == []

    await night.clock.move_to(utc(26, 2, 5))
    hass.states.async_set(SWITCH, STATE_ON)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is None
    assert not night.charger.switch_on
    await night.run()

    night.assert_ends([OFF, ON])


@pytest.mark.parametrize(
    "entry_options",
    [night_options({const.CONF_SWITCH_ENTITY: "input_boolean.not_there"})],
)
async def test_switch_missing_all_night(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    night: Night,
) -> None:
    """A switch that does not exist at all: reported, nothing sent, nothing else touched."""
    issue_id = (
        f"{const.ISSUE_CHARGER_ENTITY_MISSING}_{init_integration.entry_id}_input_boolean.not_there"
    )
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is not None
    await night.charger.plug_in()
    await night.run()

    night.assert_ends([])


REFUSING_NUMBER = "number.stubborn_current"


@pytest.mark.parametrize(
    "entry_options",
    [night_options({const.CONF_CURRENT_ENTITY: REFUSING_NUMBER})],
)
async def test_number_rejects_the_value(
    hass: HomeAssistant,
    night: Night,
    config_entry: MockConfigEntry,
) -> None:
    """A current-only charger whose number refuses the pause value: retried once, reported."""
    refused: list[float] = []

    async def refuse(call: ServiceCall) -> None:
        refused.append(call.data["value"])
        raise ServiceValidationError("value out of range")

    hass.states.async_set(REFUSING_NUMBER, "16", {"min": 0, "max": 32, "step": 1})
    hass.services.async_register("number", "set_value", refuse)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    await night.charger.plug_in()
    await night.clock.move_to(PAUSE[0])
    # Checked once the latency window is over (ten minutes: the entry sets no latency), retried
    # once, checked again: then reported.
    for _ in range(2):
        await night.clock.advance(const.UNSET_COMMAND_LATENCY)
    assert refused == [0, 0]
    issue_id = f"{const.ISSUE_CHARGER_NOT_RESPONDING}_{config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is not None
    await night.run()

    # Nothing changed, so nothing is put back.
    assert refused == [0, 0]
    assert state_of(hass, REFUSING_NUMBER) == "16"
    assert_nothing_unhandled(night.caplog)


# The user


@pytest.mark.parametrize(
    ("when", "switch_on", "expected"),
    [
        # Charging switched back on ten minutes into the pause.
        (utc(26, 2, 10), True, [OFF]),
        # Charging stopped by hand before the pause: stays stopped, nothing sent to the charger.
        (utc(26, 1), False, []),
    ],
    ids=["switch_on_during_pause", "switch_off_before_pause"],
)
@pytest.mark.usefixtures("plugged_in")
async def test_user_override(
    night: Night,
    when: datetime,
    switch_on: bool,
    expected: list[tuple[str, str, None]],
    controller: SessionController,
) -> None:
    """The user wins: hands off until unplug, and their switch stays as they set it."""
    await night.step_to(when)
    await night.charger.set_switch(switch_on)
    assert controller.status is SessionStatus.OVERRIDDEN
    await night.run()

    # Switching on tells Axle the new plan; switching off leaves nothing to send.
    night.assert_ends(expected, schedules=(2 if switch_on else 1), switch_on=switch_on)


@pytest.mark.parametrize(
    ("start_time", "window", "pause"),
    [
        # Clocks go back at 02:00 BST on 25 October: 23:30 BST to 05:30 GMT is seven hours.
        (
            utc(24, 17, month=10),
            (utc(24, 22, 30, month=10), utc(25, 5, 30, month=10)),
            (utc(25, 2, month=10), utc(25, 2, 30, month=10)),
        ),
        # Clocks go forward at 01:00 GMT on 29 March: 23:30 GMT to 05:30 BST is five hours.
        (
            utc(28, 18, month=3),
            (utc(28, 23, 30, month=3), utc(29, 4, 30, month=3)),
            (utc(29, 2, month=3), utc(29, 2, 30, month=3)),
        ),
    ],
    ids=["clocks_go_back", "clocks_go_forward"],
)
@pytest.mark.usefixtures("init_integration")
async def test_dst_night(
    hass: HomeAssistant,
    *,
    night: Night,
    window: tuple[datetime, datetime],
    pause: tuple[datetime, datetime],
) -> None:
    """The nights the clocks change: the right window is sent, the pause falls where Axle said."""
    switch = SwitchWatch(hass)
    await night.charger.plug_in()
    sent = night.axle.requests_to(SCHEDULE_PATH)[0].body["charging_schedule"]
    assert sent == [
        {"start_timestamp": window[0].isoformat(), "end_timestamp": window[1].isoformat()}
    ]
    for moment in (*pause, window[1] + timedelta(hours=1)):
        await night.clock.move_to(moment)
    await night.charger.unplug()

    assert switch.changes == [(pause[0], STATE_OFF), (pause[1], STATE_ON)]
    night.assert_ends([OFF, ON])


# The charger's entities renamed


RENAMED_SWITCH = "input_boolean.wallbox_charging"


async def test_switch_renamed_mid_pause(
    hass: HomeAssistant,
    *,
    night: Night,
    plugged_in: MockConfigEntry,
) -> None:
    """The switch gets a new entity id at 02:10: the pause ends on time on it, nothing reloads."""
    await night.step_to(utc(26, 2, 10))
    er.async_get(hass).async_update_entity(SWITCH, new_entity_id=RENAMED_SWITCH)
    await hass.async_block_till_done()
    assert charger_settings(plugged_in)[const.CONF_SWITCH_ENTITY] == RENAMED_SWITCH
    await night.run()

    assert night.schedules_sent() == 1
    assert night.charger.calls() == [OFF, (RENAMED_SWITCH, "turn_on", None)]
    assert state_of(hass, RENAMED_SWITCH) == STATE_ON
    assert controller_of(plugged_in).history[-1].outcome == "completed"
    assert_nothing_unhandled(night.caplog)


# The user right after our command


@pytest.mark.usefixtures("plugged_in")
async def test_user_switches_off_right_after_the_pause(
    *,
    night: Night,
    controller: SessionController,
) -> None:
    """The user switches off 30 s after our pause-end "on" (inside its latency): theirs stands."""
    await night.step_to(PAUSE[1] + timedelta(seconds=30))
    await night.charger.set_switch(False)
    assert controller.status is SessionStatus.OVERRIDDEN
    await night.run()

    night.assert_ends([OFF, ON], schedules=1, switch_on=False)


@pytest.mark.parametrize(
    "entry_options",
    [
        night_options(
            {
                const.CONF_SWITCH_ENTITY: SWITCH,
                const.CONF_CURRENT_ENTITY: "input_number.ev_current",
                const.CONF_UNPLUG_SETTLE: 60,
            }
        )
    ],
)
async def test_short_unplug_below_the_settle_time(
    *,
    night: Night,
    controller: SessionController,
) -> None:
    """Out for 20 s at 02:10 (settle time a minute): same session, one schedule, one pause."""
    await night.charger.plug_in()
    await night.step_to(utc(26, 2, 10))
    await night.charger.unplug()
    await night.clock.advance(timedelta(seconds=20))
    await night.charger.plug_in()
    assert controller.status is SessionStatus.PAUSED
    await night.run()
    await night.clock.advance(timedelta(seconds=61))

    assert [session.outcome for session in controller.history] == ["completed"]
    night.assert_ends([OFF, ON], schedules=1)
