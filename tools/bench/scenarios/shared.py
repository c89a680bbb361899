# ruff: noqa: S101  (assert guards each measurement)
"""What the scenarios of every section share: the stopwatch, what it stamps, and driving the entry.

Latencies on the real clock are taken with ``CLOCK_MONOTONIC`` straight from the kernel, which
freezegun does not patch, so the same stopwatch works in the scenarios that freeze Home Assistant's
clock. Axle is the simulator, served over loopback in the same event loop as Home Assistant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from homeassistant.const import ATTR_ENTITY_ID, EVENT_CALL_SERVICE, EVENT_STATE_CHANGED, STATE_ON
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from custom_components.axle_flex_lite import const
from tests.plugins.integration import TIME_ZONE

if TYPE_CHECKING:
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import SessionController
    from tests.plugins.integration import Clock
    from tools.axle_simulator import AxleSimulator
    from tools.axle_simulator.records import RecordedRequest

SCHEDULE_PATH = "plug-in-schedule"
BALANCE_PATH = "/info"


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
