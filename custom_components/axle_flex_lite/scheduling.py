"""Pure scheduling core: windows, time zones and DST, Axle's answer, pauses, the charger at t.

No Home Assistant imports: everything here is a pure function of its arguments.

Conventions shared by every function:

* Blocks are half-open, ``[start, end)``.
* Instants are compared in UTC, and the blocks built here are UTC. Python compares two datetimes
  that share a ``tzinfo`` by wall time, which goes wrong across a DST change; UTC has no such trap.
* A local wall time that happens twice (clocks going back) means its first occurrence (``fold=0``).
* A local wall time that never happens (clocks going forward) means the instant the clocks jump:
  in Europe/London 01:30 on 29 March 2026 resolves to 01:00 UTC, when 01:00 GMT became 02:00 BST.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING

from .api.models import ScheduleBlock
from .const import ControlMode

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from zoneinfo import ZoneInfo

# Axle may hand back timestamps at a coarser precision than we sent; a difference this small is
# clock noise, not extra charging time, so it is clipped rather than treated as an invalid answer.
DEFAULT_TOLERANCE = timedelta(seconds=1)

# The finest step a datetime can take: the search for a clock jump stops at this precision.
_RESOLUTION = timedelta(microseconds=1)

type _Span = tuple[datetime, datetime]  # (start, end) in UTC with start < end


class ChargerCommand(StrEnum):
    """What the charger should be doing at an instant, as far as this integration is concerned."""

    CHARGE = "charge"  # charging must be allowed (switch on, remembered current restored)
    PAUSE = "pause"  # charging must be stopped (switch off / current at minimum)
    HANDS_OFF = "hands_off"  # no opinion: leave the charger as the user has it


class InvalidScheduleError(ValueError):
    """Axle's modified schedule breaks a rule; ``reason`` says which (for the log)."""

    def __init__(self, reason: str) -> None:
        """Keep the reason for the log and for the fallback status."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The answer for one session: what was asked, what Axle gave back, and the pauses between them.

    ``modified`` equals ``submitted`` when Axle changed nothing or when we fell back to the user's
    schedule.
    """

    submitted: tuple[ScheduleBlock, ...]
    modified: tuple[ScheduleBlock, ...]
    pauses: tuple[ScheduleBlock, ...]


def _as_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; refuse a naive one, which would silently mean the host's zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC)


def _spans(blocks: Iterable[ScheduleBlock]) -> list[_Span]:
    """Return the blocks as UTC spans, in their given order."""
    return [(block.start.astimezone(UTC), block.end.astimezone(UTC)) for block in blocks]


def _merge(spans: Iterable[_Span]) -> list[_Span]:
    """Return the union of the spans: sorted, with overlapping and touching spans joined."""
    merged: list[_Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(spans: Sequence[_Span], removed: Sequence[_Span]) -> list[_Span]:
    """Return ``spans`` minus ``removed``; both must be merged, and so is the result."""
    result: list[_Span] = []
    for start, end in spans:
        cursor = start
        for removed_start, removed_end in removed:
            if removed_end <= cursor or removed_start >= end:
                continue
            if removed_start > cursor:
                result.append((cursor, removed_start))
            cursor = removed_end
        if cursor < end:
            result.append((cursor, end))
    return result


def _blocks(spans: Iterable[_Span]) -> tuple[ScheduleBlock, ...]:
    """Turn spans back into schedule blocks."""
    return tuple(ScheduleBlock(start=start, end=end) for start, end in spans)


def _contains(spans: Iterable[_Span], at: datetime) -> bool:
    """Tell whether ``at`` lies inside one of the half-open spans."""
    return any(start <= at < end for start, end in spans)


def _clock_jump(naive: datetime, tz: tzinfo) -> datetime:
    """Return the UTC instant at which the clocks jumped over ``naive``, a wall time that never was.

    Read with the offset from before the jump (``fold=0``) the wall time lands after the jump; read
    with the offset from after it (``fold=1``) it lands before. The jump lies between: bisect to it.
    """
    after = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    before = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    offset_after = after.astimezone(tz).utcoffset()
    while after - before > _RESOLUTION:
        middle = before + (after - before) // 2
        if middle.astimezone(tz).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return after


def local_to_utc(day: date, wall: time, tz: tzinfo) -> datetime:
    """Return the UTC instant of wall time ``wall`` on ``day`` in ``tz``.

    A repeated wall time gives its first occurrence; a skipped one gives the instant the clocks
    jumped.
    """
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == naive:
        return instant
    return _clock_jump(naive, tz)


def _window(day: date, window_start: time, window_end: time, tz: tzinfo) -> _Span:
    """Return the window opening on local ``day``; an end not after the start is on the next day."""
    end_day = day if window_end > window_start else day + timedelta(days=1)
    return local_to_utc(day, window_start, tz), local_to_utc(end_day, window_end, tz)


def desired_schedule(
    window_start: time, window_end: time, now: datetime, tz: ZoneInfo
) -> tuple[ScheduleBlock, ...]:
    """Return the user's desired charging schedule for a plug-in at ``now`` (aware).

    Inside a window: one block from ``now`` to that window's end. Before or after today's window:
    the next whole window. Windows may cross midnight; local wall times are resolved in ``tz``
    (DST-correct: a 23:30-05:30 window lasts 5 or 7 real hours on the nights the clocks change).
    ``window_start == window_end`` means a 24-hour window (same wall time the next day) starting at
    that time. Returns exactly one block, in UTC.

    A window is over at its end instant, so a plug-in exactly then gets the next window. A window
    whose both ends fall in the same skipped hour is empty that day and is passed over.
    """
    now_utc = _as_utc(now)
    start_wall = window_start.replace(tzinfo=None, fold=0)
    end_wall = window_end.replace(tzinfo=None, fold=0)
    # The window that opened yesterday may still be running (it crosses midnight); later windows
    # follow in order and never overlap, so the first one still open is the answer.
    day = now_utc.astimezone(tz).date() - timedelta(days=1)
    while True:
        start, end = _window(day, start_wall, end_wall, tz)
        if start < end and now_utc < end:
            return (ScheduleBlock(start=max(start, now_utc), end=end),)
        day += timedelta(days=1)


def _describe(number: int, span: _Span) -> str:
    """Describe a block for a human reading the log: its position and UTC times."""
    start, end = span
    return f"block {number} ({start:%Y-%m-%d %H:%M:%S}-{end:%Y-%m-%d %H:%M:%S} UTC)"


def validate_modified_schedule(
    submitted: Sequence[ScheduleBlock],
    modified: Sequence[ScheduleBlock],
    *,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> tuple[ScheduleBlock, ...]:
    """Return Axle's modified schedule when acceptable; raise ``InvalidScheduleError`` otherwise.

    Acceptable: non-empty, sorted by start, non-overlapping, every block inside the union of the
    submitted blocks. An empty answer is invalid: it would stop the car charging at all.

    Blocks may touch. A block may stick out of the submitted union by up to ``tolerance`` (timestamp
    precision, not extra charging): that sliver is clipped off, and a block left empty is dropped.
    """
    if not modified:
        raise InvalidScheduleError("Axle returned an empty schedule")
    spans = _spans(modified)
    for number in range(2, len(spans) + 1):
        previous, current = spans[number - 2], spans[number - 1]
        if current[0] < previous[0]:
            raise InvalidScheduleError(
                f"{_describe(number, current)} starts before block {number - 1}: not in time order"
            )
        if current[0] < previous[1]:
            raise InvalidScheduleError(
                f"{_describe(number, current)} overlaps block {number - 1}, which ends at "
                f"{previous[1]:%Y-%m-%d %H:%M:%S} UTC"
            )
    windows = _merge(_spans(submitted))
    accepted: list[ScheduleBlock] = []
    for number, (block, (start, end)) in enumerate(zip(modified, spans, strict=True), start=1):
        reached = [
            (window_start, window_end)
            for window_start, window_end in windows
            if window_start - tolerance <= start < window_end + tolerance
        ]
        if not reached:
            raise InvalidScheduleError(
                f"{_describe(number, (start, end))} starts outside the submitted schedule"
            )
        fitting = [window for window in reached if end <= window[1] + tolerance]
        if not fitting:
            raise InvalidScheduleError(
                f"{_describe(number, (start, end))} runs past the end of the submitted window at "
                f"{reached[-1][1]:%Y-%m-%d %H:%M:%S} UTC"
            )
        window_start, window_end = fitting[0]
        clipped_start, clipped_end = max(start, window_start), min(end, window_end)
        if (clipped_start, clipped_end) == (start, end):
            accepted.append(block)
        elif clipped_start < clipped_end:
            accepted.append(ScheduleBlock(start=clipped_start, end=clipped_end))
    if not accepted:
        raise InvalidScheduleError(
            "Axle's schedule leaves no charging time in the submitted schedule"
        )
    return tuple(accepted)


def derive_pauses(
    submitted: Sequence[ScheduleBlock], modified: Sequence[ScheduleBlock]
) -> tuple[ScheduleBlock, ...]:
    """Pauses = union(submitted) minus union(modified), as sorted, merged blocks."""
    return _blocks(_subtract(_merge(_spans(submitted)), _merge(_spans(modified))))


def build_plan(
    submitted: Sequence[ScheduleBlock], modified: Sequence[ScheduleBlock] | None
) -> tuple[Plan, str | None]:
    """Validate Axle's answer and derive the pauses.

    Returns the plan and ``None``, or, when the answer is missing or invalid, the fallback plan
    (modified == submitted, no pauses) and the reason.
    """
    asked = tuple(submitted)
    fallback = Plan(submitted=asked, modified=asked, pauses=())
    if modified is None:
        return fallback, "Axle returned no schedule"
    try:
        accepted = validate_modified_schedule(asked, modified)
    except InvalidScheduleError as err:
        return fallback, err.reason
    return Plan(submitted=asked, modified=accepted, pauses=derive_pauses(asked, accepted)), None


def _driving_blocks(mode: ControlMode, plan: Plan) -> tuple[ScheduleBlock, ...]:
    """Return the blocks whose edges switch the charger in ``mode``."""
    return plan.pauses if mode == ControlMode.PAUSE_ONLY else plan.modified


def charger_command_at(mode: ControlMode, plan: Plan, at: datetime) -> ChargerCommand:
    """Return what the charger should be doing at ``at``.

    ``pause_only``: PAUSE inside a pause, HANDS_OFF otherwise.
    ``full_schedule``: CHARGE inside a modified block, PAUSE otherwise (before, between and after
    blocks).
    Blocks are half-open: [start, end).
    """
    inside = _contains(_spans(_driving_blocks(mode, plan)), _as_utc(at))
    if mode == ControlMode.PAUSE_ONLY:
        return ChargerCommand.PAUSE if inside else ChargerCommand.HANDS_OFF
    return ChargerCommand.CHARGE if inside else ChargerCommand.PAUSE


def next_change_after(mode: ControlMode, plan: Plan, at: datetime) -> datetime | None:
    """Return the first instant strictly after ``at`` when the command changes, or None."""
    at_utc = _as_utc(at)
    # The command only depends on being inside the union, so each edge of the union is a change.
    for start, end in _merge(_spans(_driving_blocks(mode, plan))):
        if start > at_utc:
            return start
        if end > at_utc:
            return end
    return None


def skip_pauses(plan: Plan, now: datetime) -> Plan:
    """Return the plan after a skip-pause request at ``now``: no pause from ``now`` on.

    A running pause ends at ``now``. ``modified`` gains back the skipped time (merged with its
    neighbours) so that it can be sent to Axle as the new schedule. Pauses already over stay as
    they were (history); a plan with nothing to skip comes back unchanged.
    """
    now_utc = _as_utc(now)
    pauses = _spans(plan.pauses)
    if all(end <= now_utc for _, end in pauses):
        return plan
    kept = [(start, min(end, now_utc)) for start, end in pauses if start < now_utc]
    skipped = [(max(start, now_utc), end) for start, end in pauses if end > now_utc]
    return replace(
        plan,
        modified=_blocks(_merge([*_spans(plan.modified), *skipped])),
        pauses=_blocks(_merge(kept)),
    )


def remaining_schedule(blocks: Sequence[ScheduleBlock], now: datetime) -> tuple[ScheduleBlock, ...]:
    """Return the blocks clipped to start no earlier than ``now``: what to re-send to Axle.

    Past blocks are dropped, including one ending exactly at ``now``. The result is sorted, in UTC.
    """
    now_utc = _as_utc(now)
    return _blocks(
        sorted((max(start, now_utc), end) for start, end in _spans(blocks) if end > now_utc)
    )


class PlanPhase(StrEnum):
    """Where an instant falls in a plan (the status the user sees, before any override)."""

    WAITING = "waiting"  # outside every charging block
    CHARGING = "charging"  # inside one of Axle's (modified) blocks
    PAUSED = "paused"  # inside one of Axle's pauses


def inside(blocks: Iterable[ScheduleBlock], at: datetime) -> bool:
    """Tell whether ``at`` lies in one of the half-open blocks."""
    return _contains(_spans(blocks), _as_utc(at))


def plan_phase(plan: Plan, at: datetime) -> PlanPhase:
    """Return the plan's phase at ``at``: a pause wins over the block around it."""
    if inside(plan.pauses, at):
        return PlanPhase.PAUSED
    if inside(plan.modified, at):
        return PlanPhase.CHARGING
    return PlanPhase.WAITING


def next_edge(plan: Plan, at: datetime) -> datetime | None:
    """Return the first start or end of any block of the plan strictly after ``at``.

    The phase may change there, so the controller wakes up at it even when the charger's command
    does not change (e.g. WAITING to CHARGING in ``pause_only``).
    """
    at_utc = _as_utc(at)
    edges = (
        edge
        for start, end in _spans((*plan.submitted, *plan.modified, *plan.pauses))
        for edge in (start, end)
        if edge > at_utc
    )
    return min(edges, default=None)
