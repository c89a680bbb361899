"""Tests for turning Axle's answer into a plan: ``validate_modified_schedule`` (what is accepted,
refused or clipped as noise), the pauses ``derive_pauses`` finds and ``build_plan``'s fallback."""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite.scheduling import (
    InvalidScheduleError,
    Plan,
    build_plan,
    derive_pauses,
    validate_modified_schedule,
)
from tests.scheduling_cases import (  # the autouse fixture turns off the package's Home Assistant
    LONDON,
    SUBMITTED,
    at,
    auto_enable_custom_integrations,  # noqa: F401
    blk,
    block,
    spans,
    utc,
)

if TYPE_CHECKING:
    from custom_components.axle_flex_lite.api.models import ScheduleBlock


# --------------------------------------------------------------------------------------------------
# validate_modified_schedule
# --------------------------------------------------------------------------------------------------


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
