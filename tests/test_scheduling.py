"""Tests for the pure scheduling core: windows, DST, Axle's answer, pauses and the charger at t."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.axle_flex_lite.api.models import ScheduleBlock
from custom_components.axle_flex_lite.const import ControlMode
from custom_components.axle_flex_lite.scheduling import (
    ChargerCommand,
    InvalidScheduleError,
    Plan,
    PlanPhase,
    build_plan,
    charger_command_at,
    derive_pauses,
    desired_schedule,
    inside as inside_blocks,
    local_to_utc,
    next_change_after,
    next_edge,
    plan_phase,
    remaining_schedule,
    skip_pauses,
    validate_modified_schedule,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
HAVANA = ZoneInfo("America/Havana")  # clocks jump at midnight: 00:00 never happens that day
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST shift
APIA = ZoneInfo("Pacific/Apia")  # skipped all of 30 December 2011

PAUSE_ONLY = ControlMode.PAUSE_ONLY
FULL = ControlMode.FULL_SCHEDULE

# The HA test plugin adds function-scoped autouse fixtures; none of them holds state these pure
# examples depend on. Derandomised so that the suite gives the same answer on every run.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these tests need no Home Assistant instance."""


def utc(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    mins: int = 0,
    /,
    *,
    sec: int = 0,
    micro: int = 0,
) -> datetime:
    """Build an aware UTC datetime."""
    return datetime(year, month, day, hour, mins, sec, micro, tzinfo=UTC)


def block(start: datetime, end: datetime) -> ScheduleBlock:
    """Build a schedule block."""
    return ScheduleBlock(start=start, end=end)


def spans(blocks: Iterable[ScheduleBlock]) -> list[tuple[datetime, datetime]]:
    """The blocks as plain UTC pairs, for readable comparisons."""
    return [(item.start.astimezone(UTC), item.end.astimezone(UTC)) for item in blocks]


def one_block(result: tuple[ScheduleBlock, ...]) -> tuple[datetime, datetime]:
    """Unpack the single block ``desired_schedule`` promises."""
    assert len(result) == 1
    return spans(result)[0]


# --------------------------------------------------------------------------------------------------
# local_to_utc: wall times, folds and gaps
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "wall", "tz", "expected"),
    [
        (date(2026, 1, 14), time(23, 30), LONDON, utc(2026, 1, 14, 23, 30)),
        (date(2026, 7, 1), time(23, 30), LONDON, utc(2026, 7, 1, 22, 30)),
        # Spring forward in London: 01:00-02:00 never happens; it all means the jump at 01:00 UTC.
        (date(2026, 3, 29), time(1, 0), LONDON, utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), time(1, 30), LONDON, utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), time(1, 59, 59, 999999), LONDON, utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), time(0, 59, 59), LONDON, utc(2026, 3, 29, 0, 59, sec=59)),
        (date(2026, 3, 29), time(2, 0), LONDON, utc(2026, 3, 29, 1, 0)),
        (date(2026, 3, 29), time(2, 1), LONDON, utc(2026, 3, 29, 1, 1)),
        # Fall back in London: 01:00-02:00 happens twice; the first (BST) occurrence wins.
        (date(2026, 10, 25), time(1, 0), LONDON, utc(2026, 10, 25, 0, 0)),
        (date(2026, 10, 25), time(1, 30), LONDON, utc(2026, 10, 25, 0, 30)),
        (date(2026, 10, 25), time(2, 0), LONDON, utc(2026, 10, 25, 2, 0)),
        # A fold=1 wall time asks for the second occurrence; the rule still gives the first.
        (date(2026, 10, 25), time(1, 30, fold=1), LONDON, utc(2026, 10, 25, 0, 30)),
        (date(2026, 3, 8), time(2, 30), NEW_YORK, utc(2026, 3, 8, 7, 0)),
        (date(2026, 11, 1), time(1, 30), NEW_YORK, utc(2026, 11, 1, 5, 30)),
        (date(2026, 3, 8), time(0, 0), HAVANA, utc(2026, 3, 8, 5, 0)),
        (date(2026, 10, 4), time(2, 15), LORD_HOWE, utc(2026, 10, 3, 15, 30)),
        (date(2026, 6, 1), time(23, 30), KOLKATA, utc(2026, 6, 1, 18, 0)),
        # A whole skipped day: the jump took Apia from 29 December (UTC-10) to 31 December (UTC+14).
        (date(2011, 12, 30), time(8, 0), APIA, utc(2011, 12, 30, 10, 0)),
    ],
)
def test_local_to_utc(day: date, wall: time, tz: ZoneInfo, expected: datetime) -> None:
    """Existing wall times convert plainly; repeated ones take the first; skipped ones the jump."""
    assert local_to_utc(day, wall, tz) == expected


# --------------------------------------------------------------------------------------------------
# desired_schedule: examples
# --------------------------------------------------------------------------------------------------

NIGHT = (time(23, 30), time(5, 30))
DAY = (time(10, 0), time(16, 0))


@pytest.mark.parametrize(
    ("window", "now", "expected"),
    [
        # Winter, London = UTC. Before today's window: the whole window tonight.
        (NIGHT, utc(2026, 1, 14, 12, 0), (utc(2026, 1, 14, 23, 30), utc(2026, 1, 15, 5, 30))),
        # Inside, before midnight.
        (NIGHT, utc(2026, 1, 14, 23, 45), (utc(2026, 1, 14, 23, 45), utc(2026, 1, 15, 5, 30))),
        # Inside, after midnight: the window that opened yesterday.
        (NIGHT, utc(2026, 1, 15, 2, 0), (utc(2026, 1, 15, 2, 0), utc(2026, 1, 15, 5, 30))),
        # Exactly at the start: the whole window.
        (NIGHT, utc(2026, 1, 14, 23, 30), (utc(2026, 1, 14, 23, 30), utc(2026, 1, 15, 5, 30))),
        # Exactly at the end: that window is over, tonight's is next.
        (NIGHT, utc(2026, 1, 15, 5, 30), (utc(2026, 1, 15, 23, 30), utc(2026, 1, 16, 5, 30))),
        # A microsecond before the end: still inside.
        (
            NIGHT,
            utc(2026, 1, 15, 5, 29, sec=59, micro=999999),
            (utc(2026, 1, 15, 5, 29, sec=59, micro=999999), utc(2026, 1, 15, 5, 30)),
        ),
        # Summer: local times are BST, an hour ahead of UTC.
        (NIGHT, utc(2026, 7, 1, 11, 0), (utc(2026, 7, 1, 22, 30), utc(2026, 7, 2, 4, 30))),
        (NIGHT, utc(2026, 7, 1, 23, 0), (utc(2026, 7, 1, 23, 0), utc(2026, 7, 2, 4, 30))),
        # A same-day window: before, inside, at the end, after.
        (DAY, utc(2026, 1, 14, 9, 0), (utc(2026, 1, 14, 10, 0), utc(2026, 1, 14, 16, 0))),
        (DAY, utc(2026, 1, 14, 12, 0), (utc(2026, 1, 14, 12, 0), utc(2026, 1, 14, 16, 0))),
        (DAY, utc(2026, 1, 14, 16, 0), (utc(2026, 1, 15, 10, 0), utc(2026, 1, 15, 16, 0))),
        (DAY, utc(2026, 1, 14, 20, 0), (utc(2026, 1, 15, 10, 0), utc(2026, 1, 15, 16, 0))),
        # Windows touching midnight from either side.
        (
            (time(22, 0), time(0, 0)),
            utc(2026, 1, 14, 23, 0),
            (utc(2026, 1, 14, 23, 0), utc(2026, 1, 15, 0, 0)),
        ),
        (
            (time(22, 0), time(0, 0)),
            utc(2026, 1, 15, 0, 0),
            (utc(2026, 1, 15, 22, 0), utc(2026, 1, 16, 0, 0)),
        ),
        (
            (time(0, 0), time(6, 0)),
            utc(2026, 1, 14, 23, 0),
            (utc(2026, 1, 15, 0, 0), utc(2026, 1, 15, 6, 0)),
        ),
        (
            (time(0, 0), time(6, 0)),
            utc(2026, 1, 15, 0, 0),
            (utc(2026, 1, 15, 0, 0), utc(2026, 1, 15, 6, 0)),
        ),
        # Equal start and end: a 24-hour window, so every plug-in is inside one.
        (
            (time(7, 0), time(7, 0)),
            utc(2026, 1, 14, 7, 0),
            (utc(2026, 1, 14, 7, 0), utc(2026, 1, 15, 7, 0)),
        ),
        (
            (time(7, 0), time(7, 0)),
            utc(2026, 1, 14, 6, 59),
            (utc(2026, 1, 14, 6, 59), utc(2026, 1, 14, 7, 0)),
        ),
        (
            (time(7, 0), time(7, 0)),
            utc(2026, 1, 14, 12, 0),
            (utc(2026, 1, 14, 12, 0), utc(2026, 1, 15, 7, 0)),
        ),
        # Plug-in at 02:30 BST, just after the jump, inside the spring-forward night.
        (NIGHT, utc(2026, 3, 29, 1, 30), (utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 4, 30))),
        # Plug-in during the second 01:30 (GMT) of the fall-back night.
        (NIGHT, utc(2026, 10, 25, 1, 30), (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 5, 30))),
        # A window starting in the skipped hour starts when the clocks jump.
        (
            (time(1, 30), time(6, 0)),
            utc(2026, 3, 28, 12, 0),
            (utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 5, 0)),
        ),
        # A window ending in the skipped hour ends when the clocks jump.
        (
            (time(22, 0), time(1, 30)),
            utc(2026, 3, 28, 12, 0),
            (utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 1, 0)),
        ),
        # Both ends skipped: that night's window is empty, so the next night's is used.
        (
            (time(1, 15), time(1, 45)),
            utc(2026, 3, 29, 0, 30),
            (utc(2026, 3, 30, 0, 15), utc(2026, 3, 30, 0, 45)),
        ),
        # Starting in the repeated hour: its first (BST) occurrence.
        (
            (time(1, 30), time(3, 0)),
            utc(2026, 10, 24, 12, 0),
            (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 3, 0)),
        ),
        # Ending in the repeated hour: its first occurrence too.
        (
            (time(23, 0), time(1, 30)),
            utc(2026, 10, 24, 12, 0),
            (utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 0, 30)),
        ),
        # After the first 01:30 the window above is over, even though 01:30 comes round again.
        (
            (time(23, 0), time(1, 30)),
            utc(2026, 10, 25, 1, 0),
            (utc(2026, 10, 25, 23, 0), utc(2026, 10, 26, 1, 30)),
        ),
        # 24-hour windows are 23 and 25 real hours on the nights the clocks change.
        (
            (time(12, 0), time(12, 0)),
            utc(2026, 3, 28, 12, 0),
            (utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 11, 0)),
        ),
        (
            (time(12, 0), time(12, 0)),
            utc(2026, 10, 24, 11, 0),
            (utc(2026, 10, 24, 11, 0), utc(2026, 10, 25, 12, 0)),
        ),
    ],
)
def test_desired_schedule_london(
    window: tuple[time, time], now: datetime, expected: tuple[datetime, datetime]
) -> None:
    """Plug-ins before, inside, after and at the edges of a window; on the nights the clocks
    change, skipped and repeated wall times resolve by the documented rule."""
    assert one_block(desired_schedule(*window, now, LONDON)) == expected


def test_desired_schedule_returns_utc_blocks_for_any_now_zone() -> None:
    """``now`` may be in any zone: the answer depends on the instant only and comes back in UTC."""
    instant = utc(2026, 7, 1, 23, 0)
    for zone in (UTC, LONDON, SYDNEY, NEW_YORK):
        (result,) = desired_schedule(*NIGHT, instant.astimezone(zone), LONDON)
        assert result.start.tzinfo is UTC
        assert result.end.tzinfo is UTC
        assert (result.start, result.end) == (instant, utc(2026, 7, 2, 4, 30))


def test_desired_schedule_spring_forward_night_is_five_hours() -> None:
    """29 March 2026: 23:30 GMT to 05:30 BST is 5 real hours."""
    start, end = one_block(desired_schedule(*NIGHT, utc(2026, 3, 28, 12, 0), LONDON))
    assert (start, end) == (utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 4, 30))
    assert end - start == timedelta(hours=5)


def test_desired_schedule_fall_back_night_is_seven_hours() -> None:
    """25 October 2026: 23:30 BST to 05:30 GMT is 7 real hours."""
    start, end = one_block(desired_schedule(*NIGHT, utc(2026, 10, 24, 12, 0), LONDON))
    assert (start, end) == (utc(2026, 10, 24, 22, 30), utc(2026, 10, 25, 5, 30))
    assert end - start == timedelta(hours=7)


@pytest.mark.parametrize(
    ("window", "tz", "now", "expected"),
    [
        # New York springs forward on 8 March 2026: 22:00 EST to 06:00 EDT is 7 hours.
        (
            (time(22, 0), time(6, 0)),
            NEW_YORK,
            utc(2026, 3, 7, 12, 0),
            (utc(2026, 3, 8, 3, 0), utc(2026, 3, 8, 10, 0)),
        ),
        # ... and falls back on 1 November 2026: 22:00 EDT to 06:00 EST is 9 hours.
        (
            (time(22, 0), time(6, 0)),
            NEW_YORK,
            utc(2026, 10, 31, 12, 0),
            (utc(2026, 11, 1, 2, 0), utc(2026, 11, 1, 11, 0)),
        ),
        # Sydney leaves DST on 5 April 2026: 23:30 AEDT to 05:30 AEST is 7 hours.
        (
            NIGHT,
            SYDNEY,
            utc(2026, 4, 4, 0, 0),
            (utc(2026, 4, 4, 12, 30), utc(2026, 4, 4, 19, 30)),
        ),
        # Kolkata has no DST and a half-hour offset: 23:30-05:30 IST is always 6 hours.
        (NIGHT, KOLKATA, utc(2026, 6, 1, 12, 0), (utc(2026, 6, 1, 18, 0), utc(2026, 6, 2, 0, 0))),
        # Inside a Kolkata window that opened on the previous local day.
        (NIGHT, KOLKATA, utc(2026, 6, 1, 20, 0), (utc(2026, 6, 1, 20, 0), utc(2026, 6, 2, 0, 0))),
        # Havana skips midnight on 8 March 2026: the window opens when the clocks jump.
        (
            (time(0, 0), time(6, 0)),
            HAVANA,
            utc(2026, 3, 7, 12, 0),
            (utc(2026, 3, 8, 5, 0), utc(2026, 3, 8, 10, 0)),
        ),
        # Lord Howe Island moves its clocks by 30 minutes (02:00 -> 02:30 on 4 October 2026).
        (
            (time(1, 0), time(3, 0)),
            LORD_HOWE,
            utc(2026, 10, 3, 0, 0),
            (utc(2026, 10, 3, 14, 30), utc(2026, 10, 3, 16, 0)),
        ),
    ],
)
def test_desired_schedule_other_zones(
    window: tuple[time, time], tz: ZoneInfo, now: datetime, expected: tuple[datetime, datetime]
) -> None:
    """The same rules hold in other zones, hemispheres and odd offsets."""
    assert one_block(desired_schedule(*window, now, tz)) == expected


def test_desired_schedule_rejects_naive_now() -> None:
    """A naive ``now`` would silently mean the host's zone."""
    with pytest.raises(ValueError, match="timezone-aware"):
        desired_schedule(*NIGHT, datetime(2026, 1, 14, 12, 0), LONDON)


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
# validate_modified_schedule
# --------------------------------------------------------------------------------------------------

T0 = utc(2026, 11, 25, 23, 30)


def at(minutes: float) -> datetime:
    """An instant ``minutes`` after T0 (a winter night, 23:30 UTC)."""
    return T0 + timedelta(minutes=minutes)


def blk(start_minutes: float, end_minutes: float) -> ScheduleBlock:
    """A block between two offsets from T0, in minutes."""
    return block(at(start_minutes), at(end_minutes))


SUBMITTED = (blk(0, 360),)


def test_validate_accepts_axle_example_unchanged() -> None:
    """Axle's documented answer: two blocks around a 30-minute pause; the blocks come back as is."""
    modified = (blk(0, 150), blk(180, 360))
    assert validate_modified_schedule(SUBMITTED, modified) == modified


@pytest.mark.parametrize(
    "modified",
    [
        (blk(0, 360),),
        (blk(0, 100), blk(100, 360)),  # touching blocks are fine
        (blk(30, 60),),
        (blk(0, 60), blk(120, 180), blk(300, 360)),
    ],
)
def test_validate_accepts(modified: tuple[ScheduleBlock, ...]) -> None:
    """Sorted, non-overlapping blocks inside the submitted schedule pass unchanged."""
    assert validate_modified_schedule(SUBMITTED, modified) == modified


def test_validate_accepts_blocks_in_any_zone() -> None:
    """Blocks in a local zone across the repeated hour compare as instants, not wall times."""
    submitted = (block(utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 4, 0)),)
    first = block(utc(2026, 10, 25, 0, 0).astimezone(LONDON), utc(2026, 10, 25, 0, 45))
    # 01:10 GMT comes after 01:45 BST, although its wall time is earlier.
    second = block(utc(2026, 10, 25, 1, 10).astimezone(LONDON), utc(2026, 10, 25, 2, 0))
    assert second.start.astimezone(LONDON).time() < time(1, 45)
    assert validate_modified_schedule(submitted, (first, second)) == (first, second)


def test_validate_accepts_blocks_spread_over_several_submitted_blocks() -> None:
    """With several submitted blocks, each modified block must sit inside one of them."""
    submitted = (blk(0, 60), blk(120, 180))
    modified = (blk(10, 50), blk(120, 130), blk(150, 180))
    assert validate_modified_schedule(submitted, modified) == modified


def test_validate_accepts_block_across_touching_submitted_blocks() -> None:
    """Touching submitted blocks form one span; a block may run across the seam."""
    submitted = (blk(0, 60), blk(60, 120))
    assert validate_modified_schedule(submitted, (blk(30, 90),)) == (blk(30, 90),)


@pytest.mark.parametrize(
    ("modified", "reason"),
    [
        ((), "empty schedule"),
        ((blk(180, 360), blk(0, 150)), r"block 2 .* starts before block 1: not in time order"),
        (
            (blk(0, 200), blk(180, 360)),
            r"block 2 .* overlaps block 1, which ends at 2026-11-26 02:50",
        ),
        ((blk(0, 200), blk(0, 100)), "overlaps block 1"),  # same start
        ((blk(0, 200), blk(100, 120)), "overlaps block 1"),  # nested
        ((blk(0, 100), blk(0, 100)), "overlaps block 1"),  # duplicate
        (
            (blk(-60, 100),),
            r"block 1 \(2026-11-25 22:30:00-2026-11-26 01:10:00 UTC\) starts outside",
        ),
        ((blk(400, 460),), "block 1 .* starts outside the submitted schedule"),
        ((blk(0, 60), blk(360, 400)), "block 2 .* runs past the end"),  # starts at the end
        (
            (blk(300, 420),),
            "block 1 .* runs past the end of the submitted window at 2026-11-26 05:30",
        ),
    ],
)
def test_validate_rejects(modified: tuple[ScheduleBlock, ...], reason: str) -> None:
    """Every broken rule is refused with a reason a human can act on."""
    with pytest.raises(InvalidScheduleError, match=reason) as err:
        validate_modified_schedule(SUBMITTED, modified)
    assert err.value.reason == str(err.value)


def test_validate_rejects_block_in_gap_between_submitted_blocks() -> None:
    """Time between two submitted blocks was never offered, so it cannot come back."""
    submitted = (blk(0, 60), blk(120, 180))
    with pytest.raises(InvalidScheduleError, match=r"block 2 .* starts outside"):
        validate_modified_schedule(submitted, (blk(0, 60), blk(70, 110)))
    with pytest.raises(InvalidScheduleError, match=r"block 1 .* runs past the end .* 00:30"):
        validate_modified_schedule(submitted, (blk(30, 150),))


def test_validate_rejects_anything_against_empty_submission() -> None:
    """Nothing submitted: any block is outside."""
    with pytest.raises(InvalidScheduleError, match="starts outside"):
        validate_modified_schedule((), (blk(0, 60),))


SUB_SECOND = timedelta(milliseconds=400)


def test_validate_clips_sub_second_precision_noise() -> None:
    """Timestamps a fraction of a second outside (e.g. truncated) are clipped, not refused."""
    submitted = (block(at(0) + SUB_SECOND, at(360)),)
    answer = (block(at(0), at(150)), block(at(180), at(360) + SUB_SECOND))
    assert validate_modified_schedule(submitted, answer) == (
        block(at(0) + SUB_SECOND, at(150)),
        block(at(180), at(360)),
    )


def test_validate_drops_block_wholly_within_the_noise() -> None:
    """A sliver entirely outside but within tolerance disappears; the rest is kept."""
    answer = (blk(0, 150), block(at(360), at(360) + SUB_SECOND))
    assert validate_modified_schedule(SUBMITTED, answer) == (blk(0, 150),)


def test_validate_refuses_answer_that_is_only_noise() -> None:
    """If nothing is left after clipping, the answer would stop charging altogether."""
    with pytest.raises(InvalidScheduleError, match="leaves no charging time"):
        validate_modified_schedule(SUBMITTED, (block(at(360), at(360) + SUB_SECOND),))


def test_validate_noise_picks_the_submitted_block_that_fits() -> None:
    """Two submitted blocks closer than the tolerance: each answer block keeps to its own."""
    submitted = (blk(0, 60), block(at(60) + SUB_SECOND, at(120)))
    tail = block(at(60) - SUB_SECOND / 2, at(60))
    head = block(at(60) + SUB_SECOND / 2, at(90))
    assert validate_modified_schedule(submitted, (tail, head)) == (
        tail,
        block(at(60) + SUB_SECOND, at(90)),
    )


def test_validate_strict_without_tolerance() -> None:
    """``tolerance=0`` refuses even a microsecond outside."""
    answer = (block(at(0) - timedelta(microseconds=1), at(60)),)
    assert validate_modified_schedule(SUBMITTED, answer) == (blk(0, 60),)
    with pytest.raises(InvalidScheduleError, match="starts outside"):
        validate_modified_schedule(SUBMITTED, answer, tolerance=timedelta(0))


def test_validate_refuses_more_than_the_tolerance() -> None:
    """More than a second outside is extra time, not noise."""
    with pytest.raises(InvalidScheduleError, match="runs past the end"):
        validate_modified_schedule(SUBMITTED, (block(at(300), at(360) + timedelta(seconds=2)),))


# --------------------------------------------------------------------------------------------------
# derive_pauses and build_plan
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "modified", "pauses"),
    [
        (SUBMITTED, SUBMITTED, ()),
        (SUBMITTED, (blk(0, 150), blk(180, 360)), (blk(150, 180),)),
        (SUBMITTED, (blk(30, 360),), (blk(0, 30),)),
        (SUBMITTED, (blk(0, 330),), (blk(330, 360),)),
        (SUBMITTED, (blk(60, 120), blk(240, 300)), (blk(0, 60), blk(120, 240), blk(300, 360))),
        # Touching modified blocks leave no pause between them.
        (SUBMITTED, (blk(0, 100), blk(100, 200)), (blk(200, 360),)),
        # Unsorted, overlapping input is still read as a union.
        (
            (blk(120, 180), blk(0, 60), blk(30, 90)),
            (blk(150, 180), blk(0, 30)),
            (
                blk(30, 90),
                blk(120, 150),
            ),
        ),
        # A block nested inside another adds nothing to the union.
        ((blk(0, 360), blk(60, 120)), (blk(0, 100),), (blk(100, 360),)),
        (SUBMITTED, (), SUBMITTED),
    ],
)
def test_derive_pauses(
    submitted: tuple[ScheduleBlock, ...],
    modified: tuple[ScheduleBlock, ...],
    pauses: tuple[ScheduleBlock, ...],
) -> None:
    """Pauses are the submitted time Axle did not give back, merged and sorted."""
    assert spans(derive_pauses(submitted, modified)) == spans(pauses)


def test_build_plan_with_pause() -> None:
    """A valid answer becomes a plan with its pauses and no fallback reason."""
    modified = (blk(0, 150), blk(180, 360))
    plan, reason = build_plan(SUBMITTED, modified)
    assert reason is None
    assert plan == Plan(submitted=SUBMITTED, modified=modified, pauses=(blk(150, 180),))


def test_build_plan_unchanged_answer_has_no_pause() -> None:
    """An identical answer means Axle found nothing worth pausing for."""
    plan, reason = build_plan(list(SUBMITTED), list(SUBMITTED))
    assert reason is None
    assert plan == Plan(submitted=SUBMITTED, modified=SUBMITTED, pauses=())


def test_build_plan_without_answer_falls_back() -> None:
    """No answer (timeout, error): follow the user's own schedule."""
    plan, reason = build_plan(SUBMITTED, None)
    assert plan == Plan(submitted=SUBMITTED, modified=SUBMITTED, pauses=())
    assert reason == "Axle returned no schedule"


@pytest.mark.parametrize(
    ("modified", "reason"),
    [
        ((), "empty schedule"),
        ((blk(0, 400),), "runs past the end"),
        ((blk(100, 200), blk(0, 50)), "not in time order"),
    ],
)
def test_build_plan_invalid_answer_falls_back(
    modified: tuple[ScheduleBlock, ...], reason: str
) -> None:
    """An invalid answer is not applied: the fallback plan carries the validation reason."""
    plan, fallback_reason = build_plan(SUBMITTED, modified)
    assert plan == Plan(submitted=SUBMITTED, modified=SUBMITTED, pauses=())
    assert fallback_reason is not None
    assert reason in fallback_reason


# --------------------------------------------------------------------------------------------------
# charger_command_at and next_change_after: examples
# --------------------------------------------------------------------------------------------------

AXLE_PLAN = Plan(
    submitted=SUBMITTED, modified=(blk(0, 150), blk(180, 360)), pauses=(blk(150, 180),)
)


@pytest.mark.parametrize(
    ("minutes", "pause_only", "full"),
    [
        (-1, ChargerCommand.HANDS_OFF, ChargerCommand.PAUSE),
        (0, ChargerCommand.HANDS_OFF, ChargerCommand.CHARGE),
        (149.99, ChargerCommand.HANDS_OFF, ChargerCommand.CHARGE),
        (150, ChargerCommand.PAUSE, ChargerCommand.PAUSE),
        (179.99, ChargerCommand.PAUSE, ChargerCommand.PAUSE),
        (180, ChargerCommand.HANDS_OFF, ChargerCommand.CHARGE),
        (359.99, ChargerCommand.HANDS_OFF, ChargerCommand.CHARGE),
        (360, ChargerCommand.HANDS_OFF, ChargerCommand.PAUSE),
        (10_000, ChargerCommand.HANDS_OFF, ChargerCommand.PAUSE),
    ],
)
def test_charger_command_at(
    minutes: float, pause_only: ChargerCommand, full: ChargerCommand
) -> None:
    """Half-open blocks: a block's start is inside, its end is not."""
    assert charger_command_at(PAUSE_ONLY, AXLE_PLAN, at(minutes)) is pause_only
    assert charger_command_at(FULL, AXLE_PLAN, at(minutes)) is full


def test_charger_command_accepts_mode_as_stored_string() -> None:
    """Options store the mode as a plain string; it means the same."""
    assert charger_command_at("pause_only", AXLE_PLAN, at(160)) is ChargerCommand.PAUSE  # type: ignore[arg-type]
    assert charger_command_at("full_schedule", AXLE_PLAN, at(10)) is ChargerCommand.CHARGE  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minutes", "pause_only", "full"),
    [
        (-30, 150, 0),
        (0, 150, 150),
        (100, 150, 150),
        (150, 180, 180),
        (170, 180, 180),
        (180, None, 360),
        (359, None, 360),
        (360, None, None),
    ],
)
def test_next_change_after(minutes: float, pause_only: float | None, full: float | None) -> None:
    """The next edge strictly after ``at``; None once nothing changes any more."""
    expected_pause_only = None if pause_only is None else at(pause_only)
    expected_full = None if full is None else at(full)
    assert next_change_after(PAUSE_ONLY, AXLE_PLAN, at(minutes)) == expected_pause_only
    assert next_change_after(FULL, AXLE_PLAN, at(minutes)) == expected_full


def test_next_change_skips_seams_between_touching_blocks() -> None:
    """Touching blocks do not change the command where they meet."""
    plan = Plan(submitted=SUBMITTED, modified=(blk(0, 100), blk(100, 360)), pauses=())
    assert next_change_after(FULL, plan, at(50)) == at(360)
    assert next_change_after(PAUSE_ONLY, plan, at(50)) is None


def test_fallback_plan_commands() -> None:
    """A fallback plan never pauses in pause-only mode and follows the window in full mode."""
    plan, _ = build_plan(SUBMITTED, None)
    assert charger_command_at(PAUSE_ONLY, plan, at(100)) is ChargerCommand.HANDS_OFF
    assert next_change_after(PAUSE_ONLY, plan, at(-100)) is None
    assert charger_command_at(FULL, plan, at(-1)) is ChargerCommand.PAUSE
    assert next_change_after(FULL, plan, at(-1)) == at(0)


# --------------------------------------------------------------------------------------------------
# skip_pauses and remaining_schedule: examples
# --------------------------------------------------------------------------------------------------

TWO_PAUSE_PLAN = Plan(
    submitted=SUBMITTED,
    modified=(blk(0, 60), blk(90, 200), blk(230, 360)),
    pauses=(blk(60, 90), blk(200, 230)),
)


def test_skip_during_running_pause() -> None:
    """A running pause ends now; the later one goes; modified merges what it gains back."""
    skipped = skip_pauses(TWO_PAUSE_PLAN, at(70))
    assert skipped == Plan(
        submitted=SUBMITTED, modified=(blk(0, 60), blk(70, 360)), pauses=(blk(60, 70),)
    )


def test_skip_before_any_pause() -> None:
    """Skipping early removes every pause and gives back the whole window."""
    skipped = skip_pauses(TWO_PAUSE_PLAN, at(10))
    assert skipped == Plan(submitted=SUBMITTED, modified=SUBMITTED, pauses=())


def test_skip_between_pauses_keeps_the_past_one() -> None:
    """A pause that is over is history and stays."""
    skipped = skip_pauses(TWO_PAUSE_PLAN, at(120))
    assert skipped.pauses == (blk(60, 90),)
    assert skipped.modified == (blk(0, 60), blk(90, 360))


def test_skip_exactly_at_pause_start_removes_it() -> None:
    """A pause starting now has not run at all: nothing of it is kept."""
    skipped = skip_pauses(TWO_PAUSE_PLAN, at(200))
    assert skipped.pauses == (blk(60, 90),)
    assert skipped.modified == (blk(0, 60), blk(90, 360))


@pytest.mark.parametrize("minutes", [230, 300, 400])
def test_skip_with_nothing_left_to_skip_returns_the_same_plan(minutes: float) -> None:
    """Once the last pause is over (including exactly at its end) nothing changes."""
    assert skip_pauses(TWO_PAUSE_PLAN, at(minutes)) is TWO_PAUSE_PLAN


def test_skip_without_pauses_returns_the_same_plan() -> None:
    """A plan with no pause (unchanged or fallback) is left alone."""
    plan, _ = build_plan(SUBMITTED, None)
    assert skip_pauses(plan, at(100)) is plan


def test_skip_then_resend_the_rest() -> None:
    """The usual sequence: skip now, then send Axle what is left of the new schedule."""
    skipped = skip_pauses(TWO_PAUSE_PLAN, at(70))
    assert remaining_schedule(skipped.modified, at(70)) == (blk(70, 360),)


def test_remaining_schedule() -> None:
    """Past blocks are dropped, a running block is clipped to now, future blocks stay."""
    blocks = (blk(0, 60), blk(90, 200), blk(230, 360))
    assert remaining_schedule(blocks, at(-10)) == blocks
    assert remaining_schedule(blocks, at(0)) == blocks
    assert remaining_schedule(blocks, at(100)) == (blk(100, 200), blk(230, 360))
    assert remaining_schedule(blocks, at(200)) == (blk(230, 360),)
    assert remaining_schedule(blocks, at(360)) == ()


def test_remaining_schedule_sorts_and_converts_to_utc() -> None:
    """Whatever the input order and zone, the result is sorted UTC blocks."""
    late = block(at(230).astimezone(SYDNEY), at(360).astimezone(SYDNEY))
    early = block(at(0).astimezone(LONDON), at(60).astimezone(LONDON))
    result = remaining_schedule((late, early), at(30))
    assert result == (blk(30, 60), blk(230, 360))
    assert all(item.start.tzinfo is UTC and item.end.tzinfo is UTC for item in result)


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: desired_schedule(*NIGHT, naive, LONDON),
        lambda naive: charger_command_at(FULL, AXLE_PLAN, naive),
        lambda naive: next_change_after(FULL, AXLE_PLAN, naive),
        lambda naive: skip_pauses(AXLE_PLAN, naive),
        lambda naive: remaining_schedule(SUBMITTED, naive),
    ],
)
def test_naive_instants_are_refused(call: Callable[[datetime], object]) -> None:
    """Every function taking an instant refuses a naive one."""
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2026, 11, 26, 1, 0))


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


# The status the entities show and the controller's wake-up times


def _night_plan() -> Plan:
    """A night 23:30-05:30 UTC with Axle's pause 02:00-02:30."""
    submitted = (block(utc(2026, 11, 25, 23, 30), utc(2026, 11, 26, 5, 30)),)
    modified = (
        block(utc(2026, 11, 25, 23, 30), utc(2026, 11, 26, 2)),
        block(utc(2026, 11, 26, 2, 30), utc(2026, 11, 26, 5, 30)),
    )
    return Plan(submitted=submitted, modified=modified, pauses=derive_pauses(submitted, modified))


@pytest.mark.parametrize(
    ("at", "phase"),
    [
        (utc(2026, 11, 25, 23, 29), PlanPhase.WAITING),
        (utc(2026, 11, 25, 23, 30), PlanPhase.CHARGING),
        (utc(2026, 11, 26, 2), PlanPhase.PAUSED),
        (utc(2026, 11, 26, 2, 29), PlanPhase.PAUSED),
        (utc(2026, 11, 26, 2, 30), PlanPhase.CHARGING),
        (utc(2026, 11, 26, 5, 30), PlanPhase.WAITING),
    ],
)
def test_plan_phase(at: datetime, phase: PlanPhase) -> None:
    """Blocks are half-open; a pause wins over the window around it."""
    assert plan_phase(_night_plan(), at) is phase
    assert inside_blocks(_night_plan().pauses, at) is (phase is PlanPhase.PAUSED)


@pytest.mark.parametrize(
    ("at", "edge"),
    [
        (utc(2026, 11, 25, 18), utc(2026, 11, 25, 23, 30)),
        (utc(2026, 11, 25, 23, 30), utc(2026, 11, 26, 2)),
        (utc(2026, 11, 26, 2), utc(2026, 11, 26, 2, 30)),
        (utc(2026, 11, 26, 3), utc(2026, 11, 26, 5, 30)),
        (utc(2026, 11, 26, 5, 30), None),
    ],
)
def test_next_edge(at: datetime, edge: datetime | None) -> None:
    """The next instant the phase may change, strictly after ``at``, whatever the mode."""
    assert next_edge(_night_plan(), at) == edge


def test_next_edge_is_at_least_the_next_change() -> None:
    """In pause-only the command changes only at the pause, but the phase earlier: wake for both."""
    plan = _night_plan()
    at = utc(2026, 11, 25, 18)
    assert next_change_after(PAUSE_ONLY, plan, at) == utc(2026, 11, 26, 2)
    assert next_edge(plan, at) == utc(2026, 11, 25, 23, 30)


def test_status_functions_refuse_naive_times() -> None:
    """A naive instant would mean the host's zone: refused like everywhere in the core."""
    with pytest.raises(ValueError, match="timezone-aware"):
        next_edge(_night_plan(), datetime(2026, 11, 26, 2))
