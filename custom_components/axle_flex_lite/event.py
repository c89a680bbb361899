"""Event entity of Axle Flex Lite: what Axle made of each schedule sent at plug-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .chargers import charger_platform_setup
from .entity import AxleFlexLiteChargerEntity

if TYPE_CHECKING:
    from datetime import datetime

    from .controller import ScheduleEvent

PARALLEL_UPDATES = 0

# modified: Axle cut a pause out; unchanged: no pause this time; override: the user took over;
# fallback: Axle failed, the charger follows the user's own schedule.
EVENT_TYPES = ["modified", "unchanged", "override", "fallback"]

SCHEDULE = EventEntityDescription(key="schedule", event_types=EVENT_TYPES)


def _iso(value: datetime | None) -> str | None:
    """Format an event attribute time as ISO 8601 (None stays None)."""
    return value.isoformat() if value else None


class AxleFlexLiteScheduleEvent(AxleFlexLiteChargerEntity, EventEntity):
    """Fires once per answer from Axle (or per override and fallback), with the pause it brought."""

    async def async_added_to_hass(self) -> None:
        """Listen to the charger's schedule events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.controller.async_add_schedule_event_listener(self._handle_event))

    @callback
    def _handle_event(self, event: ScheduleEvent) -> None:
        """Record the event and show it."""
        self._trigger_event(
            str(event.type),
            {
                "pause_start": _iso(event.pause_start),
                "pause_end": _iso(event.pause_end),
                "pause_minutes": event.pause_minutes,
            },
        )
        self.async_write_ha_state()


# Home Assistant sets the platform up with this: each charger's schedule event entity.
async_setup_entry = charger_platform_setup(AxleFlexLiteScheduleEvent, (SCHEDULE,))
