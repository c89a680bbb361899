"""Time entities of Axle Flex Lite: the start and the end of the desired charging window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.const import EntityCategory

from .chargers import charger_platform_setup
from .const import CONF_WINDOW_END, CONF_WINDOW_START, DEFAULT_WINDOW_END, DEFAULT_WINDOW_START
from .entity import AxleFlexLiteOptionEntity

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AxleFlexLiteTimeEntityDescription(TimeEntityDescription):
    """A local wall time kept in the charger's settings."""

    option: str
    default: time


TIMES: tuple[AxleFlexLiteTimeEntityDescription, ...] = tuple(
    AxleFlexLiteTimeEntityDescription(
        key=option, entity_category=EntityCategory.CONFIG, option=option, default=default
    )
    for option, default in (
        (CONF_WINDOW_START, DEFAULT_WINDOW_START),
        (CONF_WINDOW_END, DEFAULT_WINDOW_END),
    )
)


class AxleFlexLiteTimeEntity(AxleFlexLiteOptionEntity, TimeEntity):
    """One end of the charging window; a change re-plans the running session."""

    entity_description: AxleFlexLiteTimeEntityDescription

    @property
    def native_value(self) -> time:
        """The wall time stored in the options (``HH:MM:SS``)."""
        stored = self.settings.get(self.entity_description.option)
        return time.fromisoformat(stored) if stored else self.entity_description.default

    async def async_set_value(self, value: time) -> None:
        """Store the new wall time, to the second; the options listener re-plans."""
        self.async_update_option(
            self.entity_description.option, value.replace(microsecond=0).isoformat()
        )


# Home Assistant sets the platform up with this: each charger's charging window start and end.
async_setup_entry = charger_platform_setup(AxleFlexLiteTimeEntity, TIMES)
