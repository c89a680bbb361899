"""Select entity of Axle Flex Lite: how much of the charging the integration drives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory

from .const import CONF_CONTROL_MODE, DEFAULT_CONTROL_MODE, ControlMode
from .entity import AxleFlexLiteOptionEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from . import AxleFlexLiteConfigEntry

PARALLEL_UPDATES = 1

CONTROL_MODE = SelectEntityDescription(
    key="control_mode",
    entity_category=EntityCategory.CONFIG,
    options=[mode.value for mode in ControlMode],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AxleFlexLiteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each charger's control mode select."""
    entry.runtime_data.chargers.async_add_described_entities(
        AxleFlexLiteControlModeSelect, (CONTROL_MODE,), async_add_entities
    )


class AxleFlexLiteControlModeSelect(AxleFlexLiteOptionEntity, SelectEntity):
    """Pause only (the charger keeps its schedule) or full schedule (switched for the window)."""

    @property
    def current_option(self) -> str:
        """The control mode stored in the charger's settings."""
        return str(self.settings.get(CONF_CONTROL_MODE, DEFAULT_CONTROL_MODE))

    async def async_select_option(self, option: str) -> None:
        """Store the new mode; the options listener re-plans the running session."""
        self.async_update_option(CONF_CONTROL_MODE, ControlMode(option).value)
