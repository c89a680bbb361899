# ruff: noqa: S101  (a pytest module: assert guards each measurement)
"""Many chargers plugged in at once, each with its own entry, on the real clock."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.setup import async_setup_component
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.api.validation import mpan_check_digit
from tests.helpers import charger_settings, controller_of
from tests.plugins.integration import TIME_ZONE, onboarded_entry

from ..results import Figure, record
from .shared import (
    REAL_CLOCK_WINDOW,
    SCHEDULE_PATH,
    RequestStamps,
    set_up,
    stopwatch_ms,
    watch_plug_on,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tools.axle_simulator import AxleSimulator

SECTION_SCALE = "Many chargers plugged in at once (real clock)"
CHARGER_COUNTS = (1, 5, 10, 20)
SCALE_ROUNDS = 7


def site_entry(
    simulator: AxleSimulator, base_url: str, index: int, window: tuple[str, str]
) -> MockConfigEntry:
    """Onboard site ``index`` in the simulator and return its config entry (own charger)."""
    # Not the simulator's sample meters (which start "19"): one of those is a shop.
    first12 = f"18{index:010d}"
    return onboarded_entry(
        simulator,
        base_url,
        {
            const.CONF_PLUG_ENTITY: f"input_boolean.bench_plug_{index}",
            const.CONF_SWITCH_ENTITY: f"input_boolean.bench_switch_{index}",
            const.CONF_POWER_KW: 7.4,
            const.CONF_WINDOW_START: window[0],
            const.CONF_WINDOW_END: window[1],
            const.CONF_CONTROL_MODE: "pause_only",
            # Each round unplugs and plugs in again at once: with the settle time the replug
            # would be a cable wiggle of the same session, not a new plug-in.
            const.CONF_UNPLUG_SETTLE: 0,
        },
        mpan=f"{first12}{mpan_check_digit(first12)}",
        external_id=f"bench-charger-{index}",
        title=f"Axle Flex Lite bench {index}",
    )


@pytest.mark.parametrize("chargers", CHARGER_COUNTS)
async def test_chargers_plugged_in_at_once(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str, chargers: int
) -> None:
    """``chargers`` entries, each with its own charger, all plugged in by one service call."""
    await hass.config.async_set_time_zone(TIME_ZONE)
    axle_simulator.pause_mode = "price"
    helpers: dict[str, Any] = {}
    for index in range(chargers):
        helpers[f"bench_plug_{index}"] = {}
        helpers[f"bench_switch_{index}"] = {"initial": True}
    assert await async_setup_component(hass, "input_boolean", {"input_boolean": helpers})
    entries = [
        site_entry(axle_simulator, axle_base_url, index, REAL_CLOCK_WINDOW)
        for index in range(chargers)
    ]
    for entry in entries:
        await set_up(hass, entry)
    plugs = {f"input_boolean.bench_plug_{index}" for index in range(chargers)}
    plugged: dict[str, list[float]] = {}
    watch_plug_on(hass, plugs, plugged)
    requests = RequestStamps()
    requests.attach(axle_simulator)
    asset_of_plug = {
        settings[const.CONF_PLUG_ENTITY]: settings[const.CONF_ASSET_ID]
        for settings in map(charger_settings, entries)
    }

    totals: list[float] = []
    worst: list[float] = []
    for _ in range(SCALE_ROUNDS):
        plugged.clear()
        requests.stamps.clear()
        started = stopwatch_ms()
        await hass.services.async_call(
            "input_boolean", SERVICE_TURN_ON, {ATTR_ENTITY_ID: sorted(plugs)}, blocking=True
        )
        await hass.async_block_till_done()
        totals.append(stopwatch_ms() - started)
        sessions = [controller_of(entry).session for entry in entries]
        assert all(session is not None and session.plan is not None for session in sessions)
        received = requests.to(SCHEDULE_PATH)
        assert len(received) == chargers
        worst.append(
            max(
                next(at for path, at in received if asset_id in path) - plugged[plug][0]
                for plug, asset_id in asset_of_plug.items()
            )
        )
        await hass.services.async_call(
            "input_boolean", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: sorted(plugs)}, blocking=True
        )
        await hass.async_block_till_done()

    total = statistics.median(totals)
    record(
        Figure(
            section=SECTION_SCALE,
            name=f"{chargers:>2} chargers: every session planned",
            unit="ms",
            samples=totals,
            note=(
                f"{total / chargers:.2f} ms per charger; worst plug-in -> request "
                f"{statistics.median(worst):.1f} ms (median of {SCALE_ROUNDS} rounds)"
            ),
        )
    )
