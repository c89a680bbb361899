"""Session controller: its options, and what it shows the rest of the integration.

Options changed mid-session (applied without a reload), missing or unreadable (the defaults apply);
listeners that can be removed; diagnostics that are plain JSON and private.

Axle is the simulator over loopback, cutting 02:00-02:30 UTC out of the 23:30-05:30 window; the
charger is the helper-based one from ``tests/plugins/integration.py``, its service calls counted.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigSubentry
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import ScheduleEvent, SessionController
from custom_components.axle_flex_lite.diagnostics import controller_diagnostics
from tests.helpers import OFF, ON, block, change_options, controller_of, sent_schedules, utc
from tests.plugins.integration import PLUG, SWITCH

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tests.plugins.home import Home
    from tests.plugins.integration import SimulatedCharger


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
