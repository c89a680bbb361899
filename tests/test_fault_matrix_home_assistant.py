"""The fault matrix's rows for Home Assistant: restarts and a crash mid-pause, the entry removed
mid-pause with the charger offline, a re-plug while reloading, and two homes on one Axle account.
The night and how every row ends are in ``tests/plugins/night.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_PASSWORD,
    CONF_USERNAME,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import (
    OFF,
    ON,
    SCHEDULE_PATH,
    controller_of,
    follow_notifications,
    set_up_entry,
    unload_entry,
    utc,
)
from tests.plugins.integration import CONSENT_AT, MPAN, SWITCH, SimulatedCharger
from tests.plugins.night import (
    LOGIN_PATH,
    MORNING,
    PAUSE,
    Night,
    assert_as_the_user_wants,
    assert_nothing_unhandled,
    state_of,
)
from tools.axle_simulator.state import DEFAULT_USERNAME, LIMITED_PAUSE, AssetInput, SiteInput

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tests.plugins.integration import Clock
    from tools.axle_simulator import AxleSimulator


# Home Assistant restarting


async def restart(
    hass: HomeAssistant, entry: MockConfigEntry, clock: Clock, down: timedelta
) -> None:
    """Stop the entry, keep Home Assistant down for ``down``, then start it again."""
    await unload_entry(hass, entry)
    await clock.advance(down)
    await set_up_entry(hass, entry)


@pytest.mark.parametrize(
    ("stop_at", "down", "expected"),
    [
        # Before the pause: it is still applied, from what was stored.
        (utc(26, 1), timedelta(minutes=5), [OFF, ON]),
        # During the pause: put back at the stop, paused again for the rest of it.
        (utc(26, 2, 10), timedelta(minutes=5), [OFF, ON, OFF, ON]),
        # During the pause, back after it ended: put back at the stop, nothing more.
        (utc(26, 2, 10), timedelta(minutes=35), [OFF, ON]),
        # After the pause.
        (utc(26, 3), timedelta(minutes=5), [OFF, ON]),
    ],
    ids=["before_pause", "during_pause", "during_pause_back_after_it", "after_pause"],
)
async def test_restart(
    hass: HomeAssistant,
    *,
    night: Night,
    stop_at: datetime,
    down: timedelta,
    expected: list[tuple[str, str, None]],
    plugged_in: MockConfigEntry,
) -> None:
    """A restart never sends the schedule again and never leaves the charger paused."""
    await night.step_to(stop_at)
    await restart(hass, plugged_in, night.clock, down)
    await night.run()

    night.assert_ends(expected, schedules=1)


async def test_crash_during_a_pause(
    hass: HomeAssistant,
    *,
    night: Night,
    hass_storage: dict[str, Any],
    plugged_in: MockConfigEntry,
) -> None:
    """Home Assistant dies mid-pause (nothing put back) and returns after it: switch back on."""
    await night.step_to(utc(26, 2, 10))
    key = storage_key(plugged_in.entry_id)
    at_crash = hass_storage[key]
    # Emulate the crash: unload (which puts the switch back), then restore the moment of the
    # crash: the switch off as we left it, and the store as it was written then.
    assert await hass.config_entries.async_unload(plugged_in.entry_id)
    await night.charger.set_switch(False)
    hass_storage[key] = at_crash
    night.charger.reset_calls()

    await night.clock.move_to(utc(26, 2, 45))
    assert await hass.config_entries.async_setup(plugged_in.entry_id)
    await hass.async_block_till_done()
    assert night.charger.calls() == [ON]
    await night.run()

    night.assert_ends([ON])


# Two homes on one Axle account

SECOND_MPAN = "1400012345678"
SECOND_PLUG = "input_boolean.second_plug"
SECOND_SWITCH = "input_boolean.second_charger"


async def test_two_entries_share_one_account(
    hass: HomeAssistant,
    clock: Clock,
    config_entry: MockConfigEntry,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two homes, one partner account: each has its own session, token and pause."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                "ev_plug": {},
                "ev_charger": {"initial": True},
                "second_plug": {},
                "second_charger": {"initial": True},
            }
        },
    )
    assert await async_setup_component(
        hass,
        "input_number",
        {"input_number": {"ev_current": {"min": 6, "max": 32, "step": 1, "initial": 16}}},
    )
    charger = SimulatedCharger(hass)
    second_site = axle_simulator.onboard(
        DEFAULT_USERNAME,
        SiteInput(mpan=SECOND_MPAN, postcode="CT2 7NZ", consent_at=CONSENT_AT),
        [AssetInput(external_id="ha-charger-second", type="charger", power_kw=7.4)],
        LIMITED_PAUSE,
        False,
    )
    second = MockConfigEntry(
        domain=const.DOMAIN,
        title="Axle Flex Lite CT2 7NZ",
        unique_id=SECOND_MPAN,
        data={
            **config_entry.data,
            const.CONF_MPAN: SECOND_MPAN,
            const.CONF_SITE_ID: second_site["site"]["site_id"],
            const.CONF_ASSET_ID: second_site["assets"][0]["asset_id"],
            const.CONF_EXTERNAL_ID: "ha-charger-second",
        },
        options={
            const.CONF_PLUG_ENTITY: SECOND_PLUG,
            const.CONF_SWITCH_ENTITY: SECOND_SWITCH,
            const.CONF_POWER_KW: 7.4,
            const.CONF_WINDOW_START: "22:00:00",
            const.CONF_WINDOW_END: "06:00:00",
            const.CONF_CONTROL_MODE: "pause_only",
            const.CONF_UNPLUG_SETTLE: 0,
        },
    )
    assert config_entry.data[CONF_USERNAME] == second.data[CONF_USERNAME]
    assert config_entry.data[CONF_PASSWORD] == second.data[CONF_PASSWORD]
    asset_ids = [entry.data[const.CONF_ASSET_ID] for entry in (config_entry, second)]
    for entry in (config_entry, second):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert len(axle_simulator.requests_to(LOGIN_PATH)) == 2

    await charger.plug_in()
    await charger._user_call("input_boolean", "turn_on", {ATTR_ENTITY_ID: SECOND_PLUG}, wait=True)
    schedules = axle_simulator.requests_to(SCHEDULE_PATH)
    assert [request.path.split("/")[3] for request in schedules] == asset_ids
    assert controller_of(config_entry).next_pause == PAUSE
    assert controller_of(second).next_pause == PAUSE

    # Its own simulated charger (the fixture's has no second plug), so its own night.
    night = Night(charger, clock, axle_simulator, caplog)
    await night.step_to(utc(26, 2, 10))
    assert state_of(hass, SWITCH) == STATE_OFF
    assert state_of(hass, SECOND_SWITCH) == STATE_OFF
    # The second home is removed mid-pause: its charger is put back, the first stays paused.
    assert await hass.config_entries.async_remove(second.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, SECOND_SWITCH) == STATE_ON
    assert state_of(hass, SWITCH) == STATE_OFF
    assert axle_simulator.sites[SECOND_MPAN].enrolled == set()
    assert axle_simulator.sites[MPAN].enrolled == {LIMITED_PAUSE}
    await night.run()

    calls = charger.calls()
    # Both pauses start at 02:00: the two timers fire at the same instant, in either order.
    assert sorted(calls[:2]) == sorted([OFF, (SECOND_SWITCH, "turn_off", None)])
    assert calls[2:] == [(SECOND_SWITCH, "turn_on", None), ON]
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


# The integration removed or away


async def test_removed_mid_pause_with_the_charger_offline(
    hass: HomeAssistant,
    *,
    night: Night,
    plugged_in: MockConfigEntry,
) -> None:
    """Removed at 02:10 with the switch unavailable: nothing can be sent, the user is told."""
    notes = follow_notifications(hass)
    await night.step_to(utc(26, 2, 10))
    hass.states.async_set(SWITCH, STATE_UNAVAILABLE)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_remove(plugged_in.entry_id)
    await hass.async_block_till_done()
    await night.clock.move_to(MORNING)

    assert night.charger.calls() == [OFF]
    assert [SWITCH in note["message"] for note in notes.values()] == [True]
    assert_nothing_unhandled(night.caplog)


async def test_replugged_while_reloading(
    hass: HomeAssistant,
    *,
    night: Night,
    plugged_in: MockConfigEntry,
) -> None:
    """Unplugged and plugged in again while the entry was unloaded: a new session, one pause."""
    await night.step_to(utc(26, 1))
    assert await hass.config_entries.async_unload(plugged_in.entry_id)
    await hass.async_block_till_done()
    await night.charger.unplug()
    await night.clock.advance(timedelta(minutes=5))
    await night.charger.plug_in()
    await night.clock.advance(timedelta(minutes=5))
    assert await hass.config_entries.async_setup(plugged_in.entry_id)
    await hass.async_block_till_done()
    await night.run()

    assert [session.outcome for session in controller_of(plugged_in).history] == [
        "unplugged",
        "completed",
    ]
    night.assert_ends([OFF, ON], schedules=2)
