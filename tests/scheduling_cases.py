"""Shared by the scheduling core's tests: zones, instants, blocks and the night they plan for.

The scheduling functions are pure, so these tests need no Home Assistant instance: every
``test_scheduling_*`` module imports ``auto_enable_custom_integrations`` from here to turn off the
package-wide fixture that would start one.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from custom_components.axle_flex_lite.api.models import ScheduleBlock
from custom_components.axle_flex_lite.const import ControlMode

if TYPE_CHECKING:
    from collections.abc import Iterable

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
HAVANA = ZoneInfo("America/Havana")  # clocks jump at midnight: 00:00 never happens that day
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST shift
APIA = ZoneInfo("Pacific/Apia")  # skipped all of 30 December 2011

PAUSE_ONLY = ControlMode.PAUSE_ONLY
FULL = ControlMode.FULL_SCHEDULE


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


# The usual charging window, 23:30-05:30 local time.
NIGHT = (time(23, 30), time(5, 30))

# A winter night (London = UTC) on which plans and answers are written as minutes after T0.
T0 = utc(2026, 11, 25, 23, 30)


def at(minutes: float) -> datetime:
    """An instant ``minutes`` after T0 (a winter night, 23:30 UTC)."""
    return T0 + timedelta(minutes=minutes)


def blk(start_minutes: float, end_minutes: float) -> ScheduleBlock:
    """A block between two offsets from T0, in minutes."""
    return block(at(start_minutes), at(end_minutes))


SUBMITTED = (blk(0, 360),)
