"""What a charging session is: its record, its status and the events it raises.

Plain data only; the session controller decides what happens to them. A session is stored as plain
JSON (see ``storage.py``), so a restart finds it as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .storage import (
    StoredDataError,
    blocks_from_json,
    blocks_to_json,
    plan_from_json,
    plan_to_json,
    required_time,
    time_from_json,
    time_to_json,
)

if TYPE_CHECKING:
    from datetime import datetime

    from .api import ScheduleBlock
    from .scheduling import Plan


class SessionStatus(StrEnum):
    """What the controller is doing, as the status sensor shows it."""

    UNPLUGGED = "unplugged"  # no car, or a car plugged in before the integration was set up
    SCHEDULING = "scheduling"  # waiting for Axle's answer
    WAITING = "waiting"  # plugged in, outside the charging blocks
    CHARGING = "charging"  # inside a charging block
    PAUSED = "paused"  # inside one of Axle's pauses
    OVERRIDDEN = "overridden"  # the user took over the charger for this session
    FALLBACK = "fallback"  # Axle failed: the household's own schedule applies
    NOT_PARTICIPATING = "not_participating"  # Flex Lite switched off


class ScheduleEventType(StrEnum):
    """Kinds of schedule event (the event entity's event types)."""

    MODIFIED = "modified"  # Axle cut at least one pause out of the schedule
    UNCHANGED = "unchanged"  # Axle left the schedule as it was
    OVERRIDE = "override"  # the user took over
    FALLBACK = "fallback"  # Axle failed: the household's own schedule applies


class SessionOutcome(StrEnum):
    """How a finished session ended."""

    COMPLETED = "completed"  # unplugged after the charging window
    UNPLUGGED = "unplugged"  # unplugged before the end of the charging window
    OVERRIDDEN = "overridden"
    FALLBACK = "fallback"
    NOT_PARTICIPATING = "not_participating"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEvent:
    """What Axle made of a schedule (or that the user or a failure took over).

    ``pause_start`` and ``pause_end`` are the first pause of the session's plan, if any;
    ``pause_minutes`` is the length of all its pauses together.
    """

    type: ScheduleEventType
    pause_start: datetime | None = None
    pause_end: datetime | None = None
    pause_minutes: float = 0.0


@dataclass(slots=True, kw_only=True)
class Session:
    """One charging session, from plug-in to unplug; stored as plain JSON."""

    session_id: str
    plugged_in_at: datetime
    submitted: tuple[ScheduleBlock, ...] = ()
    plan: Plan | None = None
    fallback_reason: str | None = None
    overridden: bool = False
    # After an override: whether the user's own setting of the control lets the car charge
    # (None: not known), so that a status that shows "off" later is not taken for theirs.
    users_choice: bool | None = None
    ended_at: datetime | None = None
    outcome: str | None = None

    @property
    def pause_minutes(self) -> float | None:
        """Minutes of pause in the plan (None until Axle has answered)."""
        if self.plan is None:
            return None
        return sum(block.duration_seconds for block in self.plan.pauses) / 60

    @property
    def window_end(self) -> datetime | None:
        """When the session's charging window ends."""
        return max((block.end for block in self.submitted), default=None)

    def schedule_event(self, event_type: ScheduleEventType) -> ScheduleEvent:
        """Describe the session's plan as a schedule event of that type."""
        pauses = self.plan.pauses if self.plan else ()
        first = min(pauses, key=lambda block: block.start) if pauses else None
        return ScheduleEvent(
            type=event_type,
            pause_start=first.start if first else None,
            pause_end=first.end if first else None,
            pause_minutes=self.pause_minutes or 0.0,
        )

    def to_json(self) -> dict[str, Any]:
        """Return the session as stored."""
        return {
            "session_id": self.session_id,
            "plugged_in_at": time_to_json(self.plugged_in_at),
            "submitted": blocks_to_json(self.submitted),
            "plan": plan_to_json(self.plan),
            "fallback_reason": self.fallback_reason,
            "overridden": self.overridden,
            "ended_at": time_to_json(self.ended_at),
            "outcome": self.outcome,
            # Only when known: older records and most sessions stay as they were.
            **({} if self.users_choice is None else {"users_choice": self.users_choice}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Session:
        """Read a stored session; raises ``StoredDataError`` when it is damaged."""
        session_id = data.get("session_id")
        if not isinstance(session_id, str) or not session_id:
            raise StoredDataError("a stored session has no id")
        fallback_reason = data.get("fallback_reason")
        outcome = data.get("outcome")
        users_choice = data.get("users_choice")
        return cls(
            session_id=session_id,
            plugged_in_at=required_time(data.get("plugged_in_at")),
            submitted=blocks_from_json(data.get("submitted", [])),
            plan=plan_from_json(data.get("plan")),
            fallback_reason=fallback_reason if isinstance(fallback_reason, str) else None,
            overridden=data.get("overridden") is True,
            users_choice=users_choice if isinstance(users_choice, bool) else None,
            ended_at=time_from_json(data.get("ended_at")),
            outcome=outcome if isinstance(outcome, str) else None,
        )
