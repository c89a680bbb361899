"""Switch of Axle Flex Lite: take part in Flex Lite or not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from .actions import translate_axle_errors
from .entity import AxleFlexLiteEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from . import AxleFlexLiteConfigEntry

PARALLEL_UPDATES = 1

PARTICIPATION = SwitchEntityDescription(key="participation")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AxleFlexLiteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the participation switch of one config entry."""
    async_add_entities([AxleFlexLiteParticipationSwitch(entry, PARTICIPATION)])


class AxleFlexLiteParticipationSwitch(AxleFlexLiteEntity, SwitchEntity):
    """On: the site is enrolled in Flex Lite and plug-ins are sent to Axle.

    Off unenrols the site; every charger then follows the user's own schedule only.
    """

    _attr_should_poll = False

    async def async_added_to_hass(self) -> None:
        """Follow the chargers: each follows the home's participation."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.entry.runtime_data.chargers.async_add_listener(self.async_write_ha_state)
        )

    @property
    def is_on(self) -> bool:
        """Whether the site takes part in Flex Lite."""
        return self.entry.runtime_data.chargers.participating

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Enrol the site again."""
        with translate_axle_errors("participation_failed"):
            await self.entry.runtime_data.chargers.async_set_participation(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Unenrol the site."""
        with translate_axle_errors("participation_failed"):
            await self.entry.runtime_data.chargers.async_set_participation(False)
