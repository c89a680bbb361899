"""Deterministic stand-in for Axle's plug-in schedule optimisation.

Axle answers a plug-in schedule with the same blocks, possibly with a pause cut out. The simulator
decides where the pause goes with a fixed price curve, so tests get the same answer every time.

Price curve (value of pausing one half-hour, by the half-hour of the day in UTC):

- 16:00 to 19:00 UTC, the evening peak, is worth 40;
- every other half-hour is worth 30 minus its distance, in half-hours, from 02:00 UTC, counted the
  short way round midnight (02:00 is worth 30, 01:30 and 02:30 are worth 29, 23:30 is worth 25,
  14:00 is worth 6).

Ties go to the earliest candidate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

type Block = tuple[datetime, datetime]

HALF_HOUR = timedelta(minutes=30)
HALF_HOURS_PER_DAY = 48
# A schedule shorter than this leaves no room for a pause in "price" mode.
MIN_TOTAL_FOR_PAUSE = timedelta(hours=2)

EVENING_PEAK_SLOTS = range(32, 38)  # 16:00 up to 19:00 UTC
EVENING_PEAK_VALUE = 40
NIGHT_BEST_SLOT = 4  # 02:00 UTC
NIGHT_BEST_VALUE = 30


def half_hour_value(start: datetime) -> int:
    """Return the value of pausing the half-hour that starts at ``start`` (see the module doc)."""
    utc = start.astimezone(UTC)
    slot = utc.hour * 2 + utc.minute // 30
    if slot in EVENING_PEAK_SLOTS:
        return EVENING_PEAK_VALUE
    distance = abs(slot - NIGHT_BEST_SLOT)
    distance = min(distance, HALF_HOURS_PER_DAY - distance)
    return NIGHT_BEST_VALUE - distance


def _ceil_to_half_hour(moment: datetime) -> datetime:
    """Return the first :00 or :30 boundary (UTC) at or after ``moment``."""
    utc = moment.astimezone(UTC)
    floor = utc.replace(minute=utc.minute - utc.minute % 30, second=0, microsecond=0)
    return floor if floor == utc else floor + HALF_HOUR


def price_pause(blocks: Sequence[Block], now: datetime) -> Block | None:
    """Pick the most valuable aligned half-hour inside one block, not starting before ``now``.

    Returns None when the blocks add up to less than two hours or no half-hour fits.
    """
    total = sum((end - start for start, end in blocks), timedelta())
    if total < MIN_TOTAL_FOR_PAUSE:
        return None
    best: Block | None = None
    best_value = 0
    for start, end in blocks:
        candidate = _ceil_to_half_hour(max(start, now))
        while candidate + HALF_HOUR <= end:
            value = half_hour_value(candidate)
            if best is None or value > best_value or (value == best_value and candidate < best[0]):
                best, best_value = (candidate, candidate + HALF_HOUR), value
            candidate += HALF_HOUR
    return best


def soon_pause(
    blocks: Sequence[Block], now: datetime, offset: timedelta, length: timedelta
) -> Block | None:
    """Return a pause ``offset`` after ``now`` lasting ``length`` if it fits inside one block.

    ``now`` is first rounded up to a whole second, so answers carry no fractions of a second.
    """
    if length <= timedelta():
        return None
    if now.microsecond:
        now = now.replace(microsecond=0) + timedelta(seconds=1)
    start = now + offset
    end = start + length
    if any(block_start <= start and end <= block_end for block_start, block_end in blocks):
        return (start, end)
    return None


def cut_pause(blocks: Sequence[Block], pause: Block) -> list[Block]:
    """Remove ``pause`` from the blocks, dropping pieces that end up empty."""
    pause_start, pause_end = pause
    result: list[Block] = []
    for start, end in blocks:
        if end <= pause_start or pause_end <= start:
            result.append((start, end))
            continue
        if start < pause_start:
            result.append((start, pause_start))
        if pause_end < end:
            result.append((pause_end, end))
    return result
