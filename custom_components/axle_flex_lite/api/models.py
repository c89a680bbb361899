"""Typed, immutable models for Axle's partner API (requests and responses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleBlock:
    """A span of time in which charging is planned (Axle's ``ChargingScheduleBlock``).

    Both ends are timezone-aware; ``start`` is strictly before ``end``.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        """Refuse naive or empty blocks: every later calculation relies on both."""
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("schedule block times must be timezone-aware")
        if self.start >= self.end:
            raise ValueError("schedule block must end after it starts")

    @property
    def duration_seconds(self) -> float:
        """Real elapsed seconds between start and end."""
        return (self.end - self.start).total_seconds()

    def to_json(self) -> dict[str, str]:
        """Axle's wire form: UTC ISO 8601 with an explicit ``+00:00`` offset."""
        return {
            "start_timestamp": self.start.astimezone(UTC).isoformat(),
            "end_timestamp": self.end.astimezone(UTC).isoformat(),
        }
