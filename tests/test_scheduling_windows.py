"""Tests for the charging window in time: local wall times to UTC (folds, gaps, skipped days) and
the window ``desired_schedule`` sends on plug-in, in London and other zones, on the nights the
clocks change. Their properties are in ``test_scheduling_properties.py``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite.scheduling import desired_schedule, local_to_utc
from tests.scheduling_cases import (  # the autouse fixture turns off the package's Home Assistant
    APIA,
    HAVANA,
    KOLKATA,
    LONDON,
    LORD_HOWE,
    NEW_YORK,
    NIGHT,
    SYDNEY,
    auto_enable_custom_integrations,  # noqa: F401
    one_block,
    utc,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


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
