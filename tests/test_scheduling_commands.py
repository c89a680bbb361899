"""Tests for what the charger should be doing at a time t: ``charger_command_at`` and
``next_change_after`` in both control modes, skipping pauses and the rest of the schedule to resend,
and the phase and wake-up times the entities and the controller read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite.scheduling import (
    ChargerCommand,
    Plan,
    PlanPhase,
    build_plan,
    charger_command_at,
    derive_pauses,
    desired_schedule,
    inside as inside_blocks,
    next_change_after,
    next_edge,
    plan_phase,
    remaining_schedule,
    skip_pauses,
)
from tests.scheduling_cases import (  # the autouse fixture turns off the package's Home Assistant
    FULL,
    LONDON,
    NIGHT,
    PAUSE_ONLY,
    SUBMITTED,
    SYDNEY,
    at,
    auto_enable_custom_integrations,  # noqa: F401
    blk,
    block,
    utc,
)

if TYPE_CHECKING:
    from collections.abc import Callable


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
