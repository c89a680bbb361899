# ruff: noqa: S101  (a pytest module: assert guards each measurement)
"""Latency on the real clock: plug-in to schedule request, answer to command, timers, set-up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time as wall_time, timedelta
import statistics
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from homeassistant.const import SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.util import dt as dt_util
import pytest

from custom_components.axle_flex_lite import const
from tests.helpers import controller_of
from tests.plugins.integration import PLUG, SWITCH, TIME_ZONE

from ..results import Figure, percentile, record
from .shared import (
    REAL_CLOCK_WINDOW,
    SCHEDULE_PATH,
    ChargerCommand,
    RequestStamps,
    set_up,
    stopwatch_ms,
    watch_plug_on,
    watch_switch_calls,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.api import ApiExchange
    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

    from .shared import FullCollections

SECTION_LATENCY = "Latency (loopback, one event loop)"
PLUG_IN_SESSIONS = 200
CROWDED_SESSIONS = 200
ANSWER_SESSIONS = 100
BOUNDARY_SESSIONS = 25  # two boundaries each: at least 50
SETUP_RUNS = 30
# A short pause on the real clock: it starts a little after the answer, so its start is a timer.
BOUNDARY_PAUSE_OFFSET = timedelta(milliseconds=300)
BOUNDARY_PAUSE_LENGTH = timedelta(milliseconds=400)
BOUNDARY_SETTLE = 0.15  # seconds after a pause's end before looking at the calls
PLUG_TARGET_MS = 20.0
BOUNDARY_TARGET_MS = 50.0


async def test_plug_in_to_schedule_request(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
    charger: SimulatedCharger,
    clock: Clock,
    full_collections: FullCollections,
) -> None:
    """Plug-in state change to the schedule request arriving at the simulator.

    One plug-in each evening, so the stored history holds what it holds in real use: the sessions
    of the last 30 days. Only the sessions after the first month are measured (steady state).
    """
    axle_simulator.pause_mode = "none"
    requests = RequestStamps()
    requests.attach(axle_simulator)
    plugged: dict[str, list[float]] = {}
    watch_plug_on(hass, {PLUG}, plugged)
    local = ZoneInfo(TIME_ZONE)
    first_evening = datetime.combine(clock.now.astimezone(local).date(), wall_time(18), local)

    for day in range(const.HISTORY_DAYS + PLUG_IN_SESSIONS):
        await clock.move_to(first_evening + timedelta(days=day))
        await charger.plug_in()
        await clock.advance(timedelta(hours=12))
        await charger.unplug()

    received = [at for _, at in requests.to(SCHEDULE_PATH)]
    assert len(received) == len(plugged[PLUG]) == const.HISTORY_DAYS + PLUG_IN_SESSIONS
    spans = list(zip(plugged[PLUG], received, strict=True))[const.HISTORY_DAYS :]
    kept = full_collections.clean(spans)
    steady = [spans[index][1] - spans[index][0] for index in kept]
    record(
        p99_figure(
            "plug-in -> schedule request at Axle",
            steady,
            PLUG_TARGET_MS,
            f"a month of history kept ({len(controller_of(init_integration).history)} "
            f"sessions); worst {max(steady):.2f} ms" + full_collections.note(len(kept), len(spans)),
        )
    )
    record(
        Figure(
            section=SECTION_LATENCY,
            name="charger commands in sessions without a pause",
            unit="",
            value=len(charger.service_calls),
            target="0",
            met=not charger.service_calls,
        )
    )


@pytest.mark.parametrize("charging_window", [REAL_CLOCK_WINDOW])
async def test_plug_in_latency_against_history(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    charger: SimulatedCharger,
    config_entry: MockConfigEntry,
) -> None:
    """How the plug-in latency grows with the sessions kept: many sessions in a few seconds.

    The history keeps 30 days, not a number of sessions, so a car plugged in and out many times a
    day makes it longer; each save writes it all.
    """
    await hass.config.async_set_time_zone(TIME_ZONE)
    axle_simulator.pause_mode = "none"
    await set_up(hass, config_entry)
    requests = RequestStamps()
    requests.attach(axle_simulator)
    plugged: dict[str, list[float]] = {}
    watch_plug_on(hass, {PLUG}, plugged)

    for _ in range(CROWDED_SESSIONS):
        await charger.plug_in()
        await charger.unplug()

    received = [at for _, at in requests.to(SCHEDULE_PATH)]
    assert len(received) == len(plugged[PLUG]) == CROWDED_SESSIONS
    latencies = [done - start for start, done in zip(plugged[PLUG], received, strict=True)]
    slope, _ = statistics.linear_regression(range(CROWDED_SESSIONS), latencies)
    record(
        Figure(
            section=SECTION_LATENCY,
            name="plug-in -> request, cost of each session kept in history",
            unit="ms",
            value=slope,
            note=(
                f"median {statistics.median(latencies[:10]):.1f} ms over the first ten sessions, "
                f"{statistics.median(latencies[-10:]):.1f} ms over the last ten of "
                f"{CROWDED_SESSIONS} (all kept: they fit in a few seconds)"
            ),
        )
    )


@pytest.mark.parametrize("start_time", [datetime(2026, 11, 25, 23, 45, tzinfo=UTC)])
async def test_answer_to_first_command(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    full_collections: FullCollections,
) -> None:
    """Axle's answer received to the first charger command, for a pause that starts at once.

    The clock is frozen on a whole second so that the simulator's "soon" pause (offset 0) starts
    exactly at the plug-in: the pause is already running when the answer arrives.
    """
    axle_simulator.pause_mode = "soon"
    axle_simulator.soon_offset = timedelta(0)
    axle_simulator.soon_length = timedelta(minutes=30)
    client = init_integration.runtime_data.client
    answers: list[float] = []

    def on_exchange(exchange: ApiExchange) -> None:
        if SCHEDULE_PATH in exchange.path and exchange.status == 200:
            answers.append(stopwatch_ms())

    client.add_exchange_listener(on_exchange)
    calls: list[ChargerCommand] = []
    watch_switch_calls(hass, SWITCH, calls)

    for _ in range(ANSWER_SESSIONS):
        await charger.plug_in()
        assert controller_of(init_integration).pause_active
        await charger.unplug()
        await clock.advance(timedelta(minutes=1))

    offs = [call.stamp_ms for call in calls if call.service == SERVICE_TURN_OFF]
    assert len(answers) == len(offs) == ANSWER_SESSIONS
    spans = list(zip(answers, offs, strict=True))
    kept = full_collections.clean(spans)
    record(
        Figure(
            section=SECTION_LATENCY,
            name="Axle answer -> first charger command (pause starts now)",
            unit="ms",
            samples=[spans[index][1] - spans[index][0] for index in kept],
            note=full_collections.note(len(kept), len(spans)).removeprefix("; "),
        )
    )


@pytest.mark.parametrize("charging_window", [REAL_CLOCK_WINDOW])
async def test_pause_boundary_lateness(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    charger: SimulatedCharger,
    config_entry: MockConfigEntry,
    full_collections: FullCollections,
) -> None:
    """How late the charger command comes after a pause's start or end, on the real clock."""
    await hass.config.async_set_time_zone(TIME_ZONE)
    axle_simulator.pause_mode = "soon"
    axle_simulator.soon_offset = BOUNDARY_PAUSE_OFFSET
    axle_simulator.soon_length = BOUNDARY_PAUSE_LENGTH
    await set_up(hass, config_entry)
    controller = controller_of(config_entry)
    calls: list[ChargerCommand] = []
    watch_switch_calls(hass, SWITCH, calls)
    lateness: list[float] = []
    spans: list[tuple[float, float]] = []
    misses = 0

    for _ in range(BOUNDARY_SESSIONS):
        calls.clear()
        await charger.plug_in()
        session = controller.session
        assert session is not None
        assert session.plan is not None
        if not session.plan.pauses:
            misses += 1
            await charger.unplug()
            continue
        pause = session.plan.pauses[0]
        wait = (pause.end - dt_util.utcnow()).total_seconds() + BOUNDARY_SETTLE
        await asyncio.sleep(max(wait, 0))
        await hass.async_block_till_done()
        commanded = {call.service: call for call in calls}
        for service, boundary in ((SERVICE_TURN_OFF, pause.start), (SERVICE_TURN_ON, pause.end)):
            assert service in commanded, f"no {service} at the pause boundary"
            late = (commanded[service].at - boundary).total_seconds() * 1000
            lateness.append(late)
            spans.append((commanded[service].stamp_ms - late, commanded[service].stamp_ms))
        await charger.unplug()

    assert len(lateness) >= 2 * (BOUNDARY_SESSIONS - misses)
    assert misses < BOUNDARY_SESSIONS // 5
    kept = full_collections.clean(spans)
    total = len(lateness)
    lateness = [lateness[index] for index in kept]
    record(
        p99_figure(
            "timer lateness at a pause boundary, real clock",
            lateness,
            BOUNDARY_TARGET_MS,
            f"earliest {min(lateness):+.2f} ms (negative would be early)"
            + full_collections.note(len(kept), total),
        )
    )


def p99_figure(name: str, samples: list[float], target_ms: float, note: str) -> Figure:
    """Return a latency figure whose target is a 99th percentile under ``target_ms``."""
    return Figure(
        section=SECTION_LATENCY,
        name=name,
        unit="ms",
        samples=samples,
        target=f"p99 < {target_ms:g}",
        met=percentile(samples, 99) < target_ms,
        note=note,
    )


@pytest.mark.parametrize("charging_window", [REAL_CLOCK_WINDOW])
async def test_config_entry_setup_time(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    charger: SimulatedCharger,
    config_entry: MockConfigEntry,
) -> None:
    """Set-up of the entry: login, first rewards fetch, controller, entities."""
    await hass.config.async_set_time_zone(TIME_ZONE)
    config_entry.add_to_hass(hass)
    durations: list[float] = []
    for _ in range(SETUP_RUNS + 1):
        started = stopwatch_ms()
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        durations.append(stopwatch_ms() - started)
        assert await hass.config_entries.async_unload(config_entry.entry_id)
        await hass.async_block_till_done()
    record(
        Figure(
            section=SECTION_LATENCY,
            name="config entry set-up, first in this Home Assistant",
            unit="ms",
            value=durations[0],
        )
    )
    record(
        Figure(
            section=SECTION_LATENCY,
            name="config entry set-up, again",
            unit="ms",
            samples=durations[1:],
        )
    )
