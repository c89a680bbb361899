"""Property tests (hypothesis) of the scheduling core: local times and the window around every
clock change in several zones, then plans on a one-minute grid: pauses and charging tile the
submission, the command holds until the next change, skipping pauses and the remaining schedule."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.axle_flex_lite.const import ControlMode
from custom_components.axle_flex_lite.scheduling import (
    ChargerCommand,
    Plan,
    build_plan,
    charger_command_at,
    desired_schedule,
    local_to_utc,
    next_change_after,
    remaining_schedule,
    skip_pauses,
)
from tests.scheduling_cases import (  # the autouse fixture turns off the package's Home Assistant
    FULL,
    HAVANA,
    KOLKATA,
    LONDON,
    LORD_HOWE,
    NEW_YORK,
    PAUSE_ONLY,
    SYDNEY,
    auto_enable_custom_integrations,  # noqa: F401
    block,
    one_block,
    utc,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from custom_components.axle_flex_lite.api.models import ScheduleBlock

# The HA test plugin adds function-scoped autouse fixtures; none of them holds state these pure
# examples depend on. Derandomised so that the suite gives the same answer on every run.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# --------------------------------------------------------------------------------------------------
# desired_schedule: properties
# --------------------------------------------------------------------------------------------------

PROPERTY_ZONES = (LONDON, NEW_YORK, SYDNEY, KOLKATA, HAVANA, LORD_HOWE, ZoneInfo("UTC"))


@cache
def offset_changes(tz: ZoneInfo) -> tuple[datetime, ...]:
    """Hours in 2025-2027 at which the zone's UTC offset has just changed (DST nights)."""
    found: list[datetime] = []
    moment = utc(2025, 1, 1)
    previous = moment.astimezone(tz).utcoffset()
    while moment < utc(2028, 1, 1):
        moment += timedelta(hours=1)
        offset = moment.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(moment)
        previous = offset
    return tuple(found) or (utc(2026, 6, 1),)


QUARTER = timedelta(minutes=15)
walls = st.integers(0, 24 * 4 - 1).map(lambda quarter: time(quarter // 4, quarter % 4 * 15))


any_moment = st.datetimes(
    min_value=datetime(2025, 1, 3), max_value=datetime(2027, 12, 28), timezones=st.just(UTC)
)


def lands_on_wall(instant: datetime, wall: time, tz: ZoneInfo) -> bool:
    """Whether ``instant`` is the first occurrence of ``wall``, or the jump over a skipped one."""
    local = instant.astimezone(tz)
    if local.time() == wall:
        return local.fold == 0
    wall_before = (instant - timedelta(microseconds=1)).astimezone(tz).replace(tzinfo=None)
    wall_after = local.replace(tzinfo=None)
    return any(
        wall_before < datetime.combine(day, wall) < wall_after
        for day in (wall_before.date(), wall_after.date())
    )


DST_ZONES = (LONDON, NEW_YORK, SYDNEY, HAVANA, LORD_HOWE)


@st.composite
def walls_near_changes(draw: st.DrawFn) -> tuple[ZoneInfo, datetime, datetime]:
    """A zone and two naive local wall times, in order, within hours of one of its clock changes."""
    tz = draw(st.sampled_from(DST_ZONES))
    change = draw(st.sampled_from(offset_changes(tz)))
    anchor = (change - timedelta(hours=2)).astimezone(tz).replace(tzinfo=None)
    first, second = sorted(draw(st.lists(st.integers(0, 4 * 3600), min_size=2, max_size=2)))
    return tz, anchor + timedelta(seconds=first), anchor + timedelta(seconds=second)


def resolves(instant: datetime, naive: datetime, tz: ZoneInfo) -> bool:
    """Whether ``instant`` is the first occurrence of ``naive``, or the jump over it if skipped."""
    local = instant.astimezone(tz)
    if local.replace(tzinfo=None) == naive:
        return local.fold == 0
    wall_before = (instant - timedelta(microseconds=1)).astimezone(tz).replace(tzinfo=None)
    return wall_before < naive < local.replace(tzinfo=None)


@PROPERTY
@given(walls_near_changes())
def test_local_to_utc_around_clock_changes(case: tuple[ZoneInfo, datetime, datetime]) -> None:
    """Around every change: first occurrence or the jump, and later wall times never go back."""
    tz, earlier, later = case
    earlier_instant = local_to_utc(earlier.date(), earlier.time(), tz)
    later_instant = local_to_utc(later.date(), later.time(), tz)
    assert resolves(earlier_instant, earlier, tz)
    assert resolves(later_instant, later, tz)
    assert earlier_instant <= later_instant


@st.composite
def desired_cases(draw: st.DrawFn) -> tuple[time, time, datetime, ZoneInfo]:
    """A window, a plug-in instant and a zone; half the time aimed at a night the clocks change."""
    tz = draw(st.sampled_from(PROPERTY_ZONES))
    if not draw(st.booleans()):
        return draw(walls), draw(walls), draw(any_moment), tz
    change = draw(st.sampled_from(offset_changes(tz)))
    # Wall times from an hour before the change to 90 minutes after: through any gap or fold.
    hour_before = (change - timedelta(hours=1)).astimezone(tz).replace(tzinfo=None)
    near = st.integers(0, 10).map(lambda quarter: (hour_before + quarter * QUARTER).time())
    # Plugged in up to a day and a bit before, so that the next window is usually that night's.
    now = change - timedelta(seconds=draw(st.integers(-2 * 3600, 30 * 3600)))
    return draw(near | walls), draw(near | walls), now, tz


@PROPERTY
@given(desired_cases())
def test_desired_schedule_properties(case: tuple[time, time, datetime, ZoneInfo]) -> None:
    """One block, never before ``now``, on the window's wall times, with no window skipped."""
    window_start, window_end, now, tz = case
    start, end = one_block(desired_schedule(window_start, window_end, now, tz))

    assert now <= start < end
    assert end - start <= timedelta(hours=25)
    assert lands_on_wall(end, window_end, tz)
    if start > now:
        assert lands_on_wall(start, window_start, tz)
        # No window opens between the plug-in and the answer: asking later gives the same block.
        middle = now + (start - now) / 2
        assert one_block(desired_schedule(window_start, window_end, middle, tz)) == (start, end)
    # Anywhere inside the block we are inside the same window.
    for inside in (start, start + (end - start) / 3, end - timedelta(microseconds=1)):
        assert one_block(desired_schedule(window_start, window_end, inside, tz)) == (inside, end)
    # At the end that window is over.
    next_start, _ = one_block(desired_schedule(window_start, window_end, end, tz))
    assert next_start >= end


# --------------------------------------------------------------------------------------------------
# Plans: properties. Everything sits on a one-minute grid so that minute sets are an exact oracle.
# --------------------------------------------------------------------------------------------------

HORIZON = 600  # minutes after BASE that examples use
# The autumn night in London, so that blocks written in local time cross the repeated hour.
BASE = utc(2026, 10, 24, 22, 0)


def minute(index: int) -> datetime:
    """The instant ``index`` minutes after BASE."""
    return BASE + timedelta(minutes=index)


def covered(blocks: Iterable[ScheduleBlock]) -> set[int]:
    """The minute indices (relative to BASE) that the blocks cover."""
    result: set[int] = set()
    for item in blocks:
        first = int((item.start - BASE) / timedelta(minutes=1))
        last = int((item.end - BASE) / timedelta(minutes=1))
        result.update(range(first, last))
    return result


def sorted_and_apart(blocks: tuple[ScheduleBlock, ...]) -> bool:
    """Whether the blocks are sorted with a real gap between neighbours (fully merged)."""
    return all(left.end < right.start for left, right in pairwise(blocks))


def pairs(points: list[int]) -> list[tuple[int, int]]:
    """Consecutive points as (start, end) pairs; an odd last point is ignored."""
    return list(zip(points[::2], points[1::2], strict=False))


EDGE_ZONES = ((UTC, UTC), (LONDON, UTC), (UTC, LONDON))


@st.composite
def minute_blocks(draw: st.DrawFn, low: int, high: int, max_blocks: int) -> list[ScheduleBlock]:
    """Sorted blocks between two minutes, apart or touching, maybe written in London time."""
    points = sorted(draw(st.sets(st.integers(low, high), max_size=2 * max_blocks)))
    result: list[ScheduleBlock] = []
    for start, end in pairs(points):
        cut = draw(st.none() | st.integers(start + 1, end - 1)) if end - start > 1 else None
        edges = [start, end] if cut is None else [start, cut, cut, end]
        for first, last in pairs(edges):
            # Mixed zones only: ScheduleBlock itself compares a same-zone pair by wall time.
            start_zone, end_zone = draw(st.sampled_from(EDGE_ZONES))
            result.append(
                block(minute(first).astimezone(start_zone), minute(last).astimezone(end_zone))
            )
    return result


@st.composite
def answered(draw: st.DrawFn) -> tuple[list[ScheduleBlock], list[ScheduleBlock]]:
    """A submitted schedule and a valid answer cut from inside it (possibly empty)."""
    submitted = draw(minute_blocks(0, HORIZON, 4))
    modified: list[ScheduleBlock] = []
    for item in submitted:
        first = int((item.start - BASE) / timedelta(minutes=1))
        last = int((item.end - BASE) / timedelta(minutes=1))
        modified.extend(draw(minute_blocks(first, last, 3)))
    return submitted, modified


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """A plan as ``build_plan`` makes it from a submission and an answer."""
    submitted, modified = draw(answered())
    return build_plan(submitted, modified)[0]


moments = st.integers(-60, HORIZON + 60).map(minute)
modes = st.sampled_from(ControlMode)


@PROPERTY
@given(answered())
def test_pauses_and_modified_tile_the_submission(
    case: tuple[list[ScheduleBlock], list[ScheduleBlock]],
) -> None:
    """Every submitted minute is either charging or paused, never both; pauses are merged."""
    submitted, modified = case
    plan, reason = build_plan(submitted, modified)
    if not submitted:
        assert reason is not None
        return
    if not modified:
        assert reason is not None
        assert "empty" in reason
        assert plan.modified == plan.submitted == tuple(submitted)
        assert plan.pauses == ()
        return
    assert reason is None
    assert plan.modified == tuple(modified)
    assert covered(plan.pauses) == covered(submitted) - covered(modified)
    assert covered(plan.pauses).isdisjoint(covered(plan.modified))
    assert sorted_and_apart(plan.pauses)


@PROPERTY
@given(plans(), modes, moments, st.integers(0, 59))
def test_command_is_steady_until_next_change(
    plan: Plan, mode: ControlMode, start: datetime, seconds: int
) -> None:
    """next_change_after is strictly later, the command holds until then and differs there."""
    now = start + timedelta(seconds=seconds)
    command = charger_command_at(mode, plan, now)
    minute_index = int((now - BASE) // timedelta(minutes=1))
    if mode is PAUSE_ONLY:
        expected = minute_index in covered(plan.pauses)
        assert command is (ChargerCommand.PAUSE if expected else ChargerCommand.HANDS_OFF)
    else:
        expected = minute_index in covered(plan.modified)
        assert command is (ChargerCommand.CHARGE if expected else ChargerCommand.PAUSE)

    change = next_change_after(mode, plan, now)
    if change is None:
        edges = [edge for item in plan.pauses + plan.modified for edge in (item.start, item.end)]
        for later in [edge for edge in edges if edge >= now] + [now + timedelta(days=400)]:
            assert charger_command_at(mode, plan, later) is command
        return
    assert change > now
    samples = [now + (change - now) * step / 8 for step in range(8)]
    samples.append(change - timedelta(microseconds=1))
    assert all(charger_command_at(mode, plan, sample) is command for sample in samples)
    assert charger_command_at(mode, plan, change) is not command


@PROPERTY
@given(plans(), moments)
def test_skip_pauses_properties(plan: Plan, now: datetime) -> None:
    """No pause from now on, the past untouched, the tiling kept, and skipping twice is once."""
    skipped = skip_pauses(plan, now)
    now_index = int((now - BASE) // timedelta(minutes=1))

    assert all(pause.end <= now for pause in skipped.pauses)
    assert skip_pauses(skipped, now) == skipped
    assert skipped.submitted == plan.submitted
    assert covered(skipped.pauses) == {index for index in covered(plan.pauses) if index < now_index}
    assert covered(skipped.pauses) | covered(skipped.modified) == covered(plan.submitted)
    assert covered(skipped.pauses).isdisjoint(covered(skipped.modified))
    assert sorted_and_apart(skipped.pauses)
    for mode in ControlMode:
        for later in (now, now + timedelta(minutes=30), minute(HORIZON)):
            if later >= now and charger_command_at(mode, skipped, later) is ChargerCommand.PAUSE:
                # Only full-schedule mode may still stop the car: outside the submitted time.
                assert mode is FULL
                assert int((later - BASE) // timedelta(minutes=1)) not in covered(plan.submitted)


@PROPERTY
@given(minute_blocks(0, HORIZON, 5), moments)
def test_remaining_schedule_properties(blocks: list[ScheduleBlock], now: datetime) -> None:
    """Nothing before now, nothing lost from now on, sorted."""
    rest = remaining_schedule(blocks, now)
    now_index = int((now - BASE) // timedelta(minutes=1))

    assert all(item.start >= now for item in rest)
    assert [item.start for item in rest] == sorted(item.start for item in rest)
    assert covered(rest) == {index for index in covered(blocks) if index >= now_index}
