"""Select entity of Axle Flex Lite: how much of the charging the integration drives."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory

from .chargers import charger_platform_setup
from .const import CONF_CONTROL_MODE, DEFAULT_CONTROL_MODE, ControlMode
from .entity import AxleFlexLiteOptionEntity

PARALLEL_UPDATES = 1

CONTROL_MODE = SelectEntityDescription(
    key="control_mode",
    entity_category=EntityCategory.CONFIG,
    options=[mode.value for mode in ControlMode],
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


# Home Assistant sets the platform up with this: each charger's control mode select.
async_setup_entry = charger_platform_setup(AxleFlexLiteControlModeSelect, (CONTROL_MODE,))
