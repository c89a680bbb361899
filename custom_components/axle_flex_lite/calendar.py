"""Calendar of Axle Flex Lite: planned charging and Axle's pauses, now and in the last 30 days."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.util import dt as dt_util

from .chargers import charger_platform_setup
from .entity import AxleFlexLiteControllerEntity

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from homeassistant.core import HomeAssistant

    from .api.models import ScheduleBlock
    from .controller import Session

PARALLEL_UPDATES = 0

CHARGING_SUMMARY = "Charging"
PAUSE_SUMMARY = "Flex pause"

CHARGING_SCHEDULE = CalendarEntityDescription(key="charging_schedule")


def _clipped(
    blocks: Iterable[ScheduleBlock], ended_at: datetime | None
) -> Iterable[tuple[datetime, datetime]]:
    """Yield the blocks as (start, end), cut where the session ended (nothing ran after)."""
    for block in blocks:
        end = block.end if ended_at is None else min(block.end, ended_at)
        if block.start < end:
            yield block.start, end


def session_events(session: Session) -> list[CalendarEvent]:
    """Calendar events of one session: its charging blocks and its pauses, by start time.

    Until Axle answers, the submitted schedule stands in for the charging blocks.
    """
    plan = session.plan
    charging = plan.modified if plan else session.submitted
    pauses = plan.pauses if plan else ()
    events = [
        CalendarEvent(
            start=start,
            end=end,
            summary=CHARGING_SUMMARY,
            uid=f"{session.session_id}-charging-{index}",
        )
        for index, (start, end) in enumerate(_clipped(charging, session.ended_at))
    ]
    events.extend(
        CalendarEvent(
            start=start,
            end=end,
            summary=PAUSE_SUMMARY,
            description="Axle pauses charging to balance the grid.",
            uid=f"{session.session_id}-pause-{index}",
        )
        for index, (start, end) in enumerate(_clipped(pauses, session.ended_at))
    )
    events.sort(key=lambda event: event.start_datetime_local)
    return events


class AxleFlexLiteCalendarEntity(AxleFlexLiteControllerEntity, CalendarEntity):
    """Charging blocks and Flex pauses of the current session and of the stored history."""

    def _all_events(self) -> list[CalendarEvent]:
        """Events of every known session, oldest first."""
        sessions = list(self.controller.history)
        if self.controller.session is not None:
            sessions.append(self.controller.session)
        events = [event for session in sessions for event in session_events(session)]
        events.sort(key=lambda event: event.start_datetime_local)
        return events

    @property
    def event(self) -> CalendarEvent | None:
        """The event running now, else the next one."""
        # Finished sessions are cut at their end, so only the current one can run now or later:
        # leaving the history out keeps this cheap on every controller update.
        session = self.controller.session
        if session is None:
            return None
        now = dt_util.now()
        return next(
            (event for event in session_events(session) if event.end_datetime_local > now), None
        )

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Events that overlap the range [start_date, end_date)."""
        return [
            event
            for event in self._all_events()
            if event.start_datetime_local < end_date and event.end_datetime_local > start_date
        ]


# Home Assistant sets the platform up with this: each charger's charging schedule calendar.
async_setup_entry = charger_platform_setup(AxleFlexLiteCalendarEntity, (CHARGING_SCHEDULE,))
