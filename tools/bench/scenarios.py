# ruff: noqa: S101  (a pytest module: assert guards each measurement)
"""Bench scenarios, run by ``scripts/bench`` under the Home Assistant test harness.

Not collected by the test suite (the file name does not match ``test_*.py`` and it lives outside
``tests/``): ``python -m tools.bench`` names it explicitly. Each ``test_*`` function measures one
thing and records figures through ``results.record``; the assertions only guard the measurement
itself (a scenario that measured nothing fails rather than printing an empty row).

Latencies on the real clock are taken with ``CLOCK_MONOTONIC`` straight from the kernel, which
freezegun does not patch, so the same stopwatch works in the scenarios that freeze Home Assistant's
clock. Axle is the simulator, served over loopback in the same event loop as Home Assistant.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, time as wall_time, timedelta
import gc
import itertools
import logging
import math
from pathlib import Path
import statistics
import tempfile
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from homeassistant.const import (
    ATTR_ENTITY_ID,
    EVENT_CALL_SERVICE,
    EVENT_STATE_CHANGED,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.file import write_utf8_file_atomic
import orjson
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.api.validation import mpan_check_digit
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import change_options, charger_settings, controller_of
from tests.plugins.integration import PLUG, SWITCH, TIME_ZONE, onboarded_entry

from .results import Figure, percentile, record

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.api import ApiExchange
    from custom_components.axle_flex_lite.controller import SessionController
    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator
    from tools.axle_simulator.records import RecordedRequest

# The suite's fixtures (tests/conftest.py is not loaded for a file outside tests/).
pytest_plugins = ["tests.plugins.simulator", "tests.plugins.integration"]

SCHEDULE_PATH = "plug-in-schedule"
BALANCE_PATH = "/info"
LOGIN_PATH = "/auth/token-form"
PLUG_IN_SESSIONS = 200
CROWDED_SESSIONS = 200
ANSWER_SESSIONS = 100
BOUNDARY_SESSIONS = 25  # two boundaries each: at least 50
SETUP_RUNS = 30
NIGHTS = 14
STORAGE_NIGHTS = const.HISTORY_DAYS + 5
CHARGER_COUNTS = (1, 5, 10, 20)
SCALE_ROUNDS = 7
# A short pause on the real clock: it starts a little after the answer, so its start is a timer.
BOUNDARY_PAUSE_OFFSET = timedelta(milliseconds=300)
BOUNDARY_PAUSE_LENGTH = timedelta(milliseconds=400)
BOUNDARY_SETTLE = 0.15  # seconds after a pause's end before looking at the calls

PLUG_TARGET_MS = 20.0
BOUNDARY_TARGET_MS = 50.0
SECTION_LATENCY = "Latency (loopback, one event loop)"
SECTION_CALLS = "Calls (frozen clock, 14 nights)"
SECTION_SCALE = "Many chargers plugged in at once (real clock)"
SECTION_MEMORY = "Storage"


def stopwatch_ms() -> float:
    """Milliseconds on the kernel's monotonic clock (freezegun leaves it alone)."""
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) / 1e6


@dataclass(slots=True)
class FullCollections:
    """Full (generation 2) garbage collections, as stopwatch intervals.

    The test process holds pytest, the harness and all of Home Assistant, so a full collection
    takes a few hundred milliseconds and stalls the loop: that is the size of this process's heap,
    not the integration's doing. Samples that overlap one are counted and left out.
    """

    spans: list[tuple[float, float]] = field(default_factory=list)
    _started: float = 0.0

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        """Note the start and the end of each full collection."""
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = stopwatch_ms()
        else:
            self.spans.append((self._started, stopwatch_ms()))

    def clean(self, stamps: list[tuple[float, float]]) -> list[int]:
        """Return the indexes of the (start, end) samples that no full collection overlaps."""
        return [
            index
            for index, (start, end) in enumerate(stamps)
            if not any(gc_start < end and start < gc_end for gc_start, gc_end in self.spans)
        ]

    def note(self, kept: int, total: int) -> str:
        """Say how many samples were left out and why."""
        if kept == total:
            return ""
        longest = max(end - start for start, end in self.spans)
        return (
            f"; {total - kept} of {total} left out: they met a full garbage collection of the "
            f"test process (up to {longest:.0f} ms)"
        )


@pytest.fixture
def full_collections() -> Iterator[FullCollections]:
    """Watch the full garbage collections while a scenario runs."""
    watch = FullCollections()
    gc.callbacks.append(watch.on_gc)
    try:
        yield watch
    finally:
        gc.callbacks.remove(watch.on_gc)


@pytest.fixture(autouse=True)
def enable_event_loop_debug(event_loop: asyncio.AbstractEventLoop) -> None:
    """Measure with asyncio's debug mode off, as Home Assistant runs (the harness turns it on)."""
    event_loop.set_debug(False)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture(autouse=True)
def production_log_level() -> None:
    """Log at warning level, Home Assistant's default (the harness logs everything at info).

    This also keeps the simulator's access log quiet: it shares the event loop but is not our cost.
    """
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def window_around_now(before: timedelta, after: timedelta) -> tuple[str, str]:
    """Return a charging window (local wall times) that is open now, on the real clock."""
    now = datetime.now(ZoneInfo(TIME_ZONE))
    return (
        (now - before).time().replace(microsecond=0).isoformat(),
        (now + after).time().replace(microsecond=0).isoformat(),
    )


REAL_CLOCK_WINDOW = window_around_now(timedelta(hours=1), timedelta(hours=8))


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add the entry to Home Assistant (if need be) and set it up."""
    if entry.entry_id not in {known.entry_id for known in hass.config_entries.async_entries()}:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@dataclass(slots=True)
class RequestStamps:
    """When the simulator received each request, on the stopwatch."""

    stamps: list[tuple[str, float]] = field(default_factory=list)

    def attach(self, simulator: AxleSimulator) -> None:
        """Stamp every request the simulator records."""
        original = simulator.record

        def stamped(request: RecordedRequest) -> None:
            self.stamps.append((request.path, stopwatch_ms()))
            original(request)

        simulator.record = stamped  # type: ignore[method-assign]

    def to(self, fragment: str) -> list[tuple[str, float]]:
        """Return the stamps of requests whose path contains ``fragment``."""
        return [(path, at) for path, at in self.stamps if fragment in path]


@dataclass(slots=True)
class ChargerCommand:
    """A service call to the charger's switch, with what the switch showed when it was made."""

    service: str
    stamp_ms: float
    at: datetime
    state_before: str | None


def watch_switch_calls(hass: HomeAssistant, switch: str, calls: list[ChargerCommand]) -> None:
    """Record service calls aimed at ``switch`` (the state is read before the service runs)."""

    @callback
    def on_call(event: Event) -> None:
        data = event.data.get("service_data") or {}
        targets = data.get(ATTR_ENTITY_ID)
        targets = targets if isinstance(targets, list) else [targets]
        if switch not in targets:
            return
        state = hass.states.get(switch)
        calls.append(
            ChargerCommand(
                service=event.data["service"],
                stamp_ms=stopwatch_ms(),
                at=dt_util.utcnow(),
                state_before=state.state if state else None,
            )
        )

    hass.bus.async_listen(EVENT_CALL_SERVICE, on_call)


def watch_plug_on(hass: HomeAssistant, plugs: set[str], stamps: dict[str, list[float]]) -> None:
    """Stamp each plug entity's changes to on, at the moment the state is written."""

    @callback
    def on_change(event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        new_state = event.data["new_state"]
        if entity_id in plugs and new_state is not None and new_state.state == STATE_ON:
            stamps.setdefault(entity_id, []).append(stopwatch_ms())

    hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)


# Latency on the real clock


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


# Calls per session, on a frozen clock


async def run_until(
    clock: Clock,
    controller: SessionController,
    until: datetime,
    step: timedelta,
    simulator: AxleSimulator | None = None,
) -> None:
    """Step the frozen clock to ``until``: every ``step`` and exactly at each charger change.

    With ``simulator``, it also stops when the rewards balance is due again (a second late, for
    the coordinator's sub-second offset), so the balance's age is measured, not the step's.
    """
    while clock.now < until:
        stops = [until, clock.now + step]
        if controller.next_change is not None and clock.now < controller.next_change:
            stops.append(controller.next_change)
        if simulator is not None and (fetched := simulator.requests_to(BALANCE_PATH)):
            due = fetched[-1].at + const.REWARDS_UPDATE_INTERVAL + timedelta(seconds=1)
            if clock.now < due:
                stops.append(due)
        await clock.move_to(min(stops))


async def test_calls_per_session(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
) -> None:
    """Two weeks of nights: a pause each night, a window edit and an override now and then."""
    controller = controller_of(init_integration)
    calls: list[ChargerCommand] = []
    watch_switch_calls(hass, SWITCH, calls)
    axle_simulator.requests.clear()
    started = clock.now
    local = ZoneInfo(TIME_ZONE)
    user_changes = 0
    hour = timedelta(hours=1)

    for night in range(NIGHTS):
        evening = datetime.combine(
            started.astimezone(local).date() + timedelta(days=night), wall_time(18), local
        )
        await run_until(clock, controller, evening, hour, axle_simulator)
        await charger.plug_in()
        if night % 7 == 3:
            # The household moves the window's start while plugged in: one more schedule.
            await clock.advance(hour)
            await change_options(hass, init_integration, {const.CONF_WINDOW_START: "22:30:00"})
            user_changes += 1
        if night % 7 == 5:
            # The household switches charging back on ten minutes into the pause: an override.
            pause_start = controller.next_pause
            assert pause_start is not None
            await run_until(
                clock, controller, pause_start[0] + timedelta(minutes=10), hour, axle_simulator
            )
            await charger.set_switch(True)
            user_changes += 1
        await run_until(clock, controller, evening + timedelta(hours=13), hour, axle_simulator)
        await charger.unplug()
        if night % 7 == 3:
            await change_options(hass, init_integration, {const.CONF_WINDOW_START: "23:30:00"})

    hours = (clock.now - started).total_seconds() / 3600
    schedules = len(axle_simulator.requests_to(SCHEDULE_PATH))
    logins = len(axle_simulator.requests_to(LOGIN_PATH))
    axle_calls = len(axle_simulator.requests)
    # The balance's age: the longest time the rewards sensors went without a fresh balance.
    fetched = [request.at for request in axle_simulator.requests_to(BALANCE_PATH)]
    marks = [started, *fetched, clock.now]
    # To the minute: the coordinator's timer runs up to a second after its due time.
    oldest_minutes = round(max((b - a).total_seconds() for a, b in itertools.pairwise(marks)) / 60)
    oldest_hours = oldest_minutes / 60
    redundant = [
        call
        for call in calls
        if (call.service, call.state_before)
        in ((SERVICE_TURN_OFF, STATE_OFF), (SERVICE_TURN_ON, STATE_ON))
    ]
    assert len(controller.history) == NIGHTS
    for figure in (
        calls_figure(
            "charger commands per session",
            len(charger.service_calls) / NIGHTS,
            "2 (off, on)",
            note="overridden nights send only the off: the household's switch-on stands",
        ),
        calls_figure("redundant charger commands", len(redundant), "0", not redundant),
        calls_figure(
            "schedules per plug-in or user change",
            schedules / (NIGHTS + user_changes),
            "1",
            schedules == NIGHTS + user_changes,
            f"{schedules} schedules for {NIGHTS} plug-ins and {user_changes} user changes",
        ),
        # One login an hour at most, and one more for the first hour's part.
        calls_figure(
            "logins per hour",
            logins / hours,
            "<= 1",
            logins <= hours + 1,
            f"{logins} logins in {hours:.0f} h",
        ),
        calls_figure(
            "Axle calls per session (all kinds)",
            axle_calls / NIGHTS,
            "<= 6",
            axle_calls / NIGHTS <= 6,
            f"{axle_calls} calls in {NIGHTS} nights: {logins} logins, {schedules} schedules,"
            f" {len(fetched)} balance fetches (a fetch on its own needs a login: tokens live 1 h)",
        ),
        calls_floor_figure(),
        Figure(
            section=SECTION_CALLS,
            name="rewards balance, maximum age",
            unit="h",
            value=oldest_hours,
            target="<= 6",
            met=oldest_hours <= 6,
        ),
    ):
        record(figure)


def calls_figure(
    name: str, value: float, target: str, met: bool | None = None, note: str = ""
) -> Figure:
    """Return a figure of the calls section: a count and its target."""
    return Figure(
        section=SECTION_CALLS,
        name=name,
        unit="",
        value=value,
        target=target,
        met=met,
        note=note,
    )


def calls_floor_figure() -> Figure:
    """Return the fewest Axle calls a day with one plug-in while the balance stays fresh.

    Reads at most ``REWARDS_UPDATE_INTERVAL`` apart make at least 24 h / 6 h = 4 a day; a token
    lives an hour and Axle gives no refresh token, so reads hours apart each need a login. Only
    the plug-in's login (for its schedule) can serve one of them too.
    """
    reads = math.ceil(timedelta(days=1) / const.REWARDS_UPDATE_INTERVAL)
    logins = reads  # one per read, the plug-in's shared with one read
    floor = reads + logins + 1  # + the plug-in's schedule
    return Figure(
        section=SECTION_CALLS,
        name="Axle calls per day, floor with the balance never over 6 h old",
        unit="",
        value=floor,
        note=f"{reads} balance reads + {logins} logins (tokens live 1 h, no refresh token) + 1"
        " schedule: the 6-call target cannot be met while the balance is read every 6 h. Here the"
        " unplug (a read) comes 11 h before the next plug-in, so a read sharing the plug-in's"
        " login costs a fifth read: 10 a day",
    )


# Many chargers at once


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


# Storage


async def test_storage_size(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    hass_storage: dict[str, Any],
) -> None:
    """Bytes stored per session, and the store's size once 30 days of nightly sessions are kept."""
    controller = controller_of(init_integration)
    key = storage_key(init_integration.entry_id)
    local = ZoneInfo(TIME_ZONE)
    started = clock.now
    sizes: list[int] = []

    def stored_bytes() -> int:
        # What Home Assistant writes to disk: the whole store file, indented by two spaces.
        return len(orjson.dumps(hass_storage[key], option=orjson.OPT_INDENT_2))

    for night in range(STORAGE_NIGHTS):
        evening = datetime.combine(
            started.astimezone(local).date() + timedelta(days=night), wall_time(18), local
        )
        await clock.move_to(evening)
        await charger.plug_in()
        await run_until(clock, controller, evening + timedelta(hours=13), timedelta(hours=6))
        await charger.unplug()
        sizes.append(stored_bytes())

    per_session = [later - earlier for earlier, later in itertools.pairwise(sizes)]
    growing = per_session[: const.HISTORY_DAYS - 2]
    after_month = sizes[const.HISTORY_DAYS - 1]
    record(
        Figure(
            section=SECTION_MEMORY,
            name="stored bytes per finished session",
            unit="B",
            samples=[float(size) for size in growing],
        )
    )
    record(
        Figure(
            section=SECTION_MEMORY,
            name=f"store file after {const.HISTORY_DAYS} nightly sessions",
            unit="B",
            value=after_month,
        )
    )
    record(
        Figure(
            section=SECTION_MEMORY,
            name=f"store file after {STORAGE_NIGHTS} nightly sessions",
            unit="B",
            value=sizes[-1],
            target=f"<= {after_month + max(growing)} (bounded)",
            met=sizes[-1] <= after_month + max(growing),
            note=f"history keeps {len(controller.history)} sessions ({const.HISTORY_DAYS} days)",
        )
    )
    document = orjson.dumps(hass_storage[key], option=orjson.OPT_INDENT_2).decode()
    with tempfile.TemporaryDirectory(prefix="axle-bench-store-") as scratch:
        target = Path(scratch) / "store.json"
        writes = []
        for _ in range(50):
            began = stopwatch_ms()
            write_utf8_file_atomic(str(target), document)
            writes.append(stopwatch_ms() - began)
    record(
        Figure(
            section=SECTION_MEMORY,
            name="atomic write of that file to local disk",
            unit="ms",
            samples=writes,
            note="the harness keeps stores in memory; this is what a save costs on this disk",
        )
    )
