"""Pure scheduling core: windows, time zones and DST, Axle's answer, pauses, the charger's state at t.

No Home Assistant imports: everything here is a pure function of its arguments and is tested exhaustively.
CONTRACT STUB: signatures are fixed (the controller codes against them); bodies are being written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from .api.models import ScheduleBlock
from .const import ControlMode


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

    ``modified`` equals ``submitted`` when Axle changed nothing or when we fell back to the user's schedule.
    """

    submitted: tuple[ScheduleBlock, ...]
    modified: tuple[ScheduleBlock, ...]
    pauses: tuple[ScheduleBlock, ...]


def desired_schedule(
    window_start: time, window_end: time, now: datetime, tz: ZoneInfo
) -> tuple[ScheduleBlock, ...]:
    """The user's desired charging schedule for a plug-in at ``now`` (aware).

    Inside a window: one block from ``now`` to that window's end. Before or after today's window: the next
    whole window. Windows may cross midnight; local wall times are resolved in ``tz`` (DST-correct: a
    23:30-05:30 window lasts 5 or 7 real hours on the nights the clocks change). ``window_start ==
    window_end`` means a 24-hour window starting at that time. Returns exactly one block.
    """
    raise NotImplementedError


def validate_modified_schedule(
    submitted: Sequence[ScheduleBlock], modified: Sequence[ScheduleBlock]
) -> tuple[ScheduleBlock, ...]:
    """Return Axle's modified schedule when it is acceptable; raise ``InvalidScheduleError`` otherwise.

    Acceptable: non-empty, sorted by start, non-overlapping, every block inside the union of the submitted
    blocks. An empty answer is invalid: it would stop the car charging at all.
    """
    raise NotImplementedError


def derive_pauses(
    submitted: Sequence[ScheduleBlock], modified: Sequence[ScheduleBlock]
) -> tuple[ScheduleBlock, ...]:
    """Pauses = union(submitted) minus union(modified), as sorted, merged blocks."""
    raise NotImplementedError


def build_plan(
    submitted: Sequence[ScheduleBlock], modified: Sequence[ScheduleBlock] | None
) -> tuple[Plan, str | None]:
    """Validate Axle's answer and derive the pauses.

    Returns the plan and ``None``, or, when the answer is missing or invalid, the fallback plan (modified
    == submitted, no pauses) and the reason.
    """
    raise NotImplementedError


def charger_command_at(mode: ControlMode, plan: Plan, at: datetime) -> ChargerCommand:
    """What the charger should be doing at ``at``.

    ``pause_only``: PAUSE inside a pause, HANDS_OFF otherwise.
    ``full_schedule``: CHARGE inside a modified block, PAUSE otherwise (before, between and after blocks).
    Blocks are half-open: [start, end).
    """
    raise NotImplementedError


def next_change_after(mode: ControlMode, plan: Plan, at: datetime) -> datetime | None:
    """The first instant strictly after ``at`` at which ``charger_command_at`` changes, or None."""
    raise NotImplementedError


def skip_pauses(plan: Plan, now: datetime) -> Plan:
    """The plan after a skip-pause request at ``now``: no pause from ``now`` on (a running pause ends now).

    ``modified`` gains back the skipped time so that it can be sent to Axle as the new schedule.
    """
    raise NotImplementedError


def remaining_schedule(blocks: Sequence[ScheduleBlock], now: datetime) -> tuple[ScheduleBlock, ...]:
    """The blocks clipped to start no earlier than ``now`` (past blocks dropped): what to re-send to Axle."""
    raise NotImplementedError
