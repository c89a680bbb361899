"""Switch of Axle Flex Lite: take part in Flex Lite or not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from .actions import translate_axle_errors
from .entity import AxleFlexLiteControllerEntity

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


class AxleFlexLiteParticipationSwitch(AxleFlexLiteControllerEntity, SwitchEntity):
    """On: the site is enrolled in Flex Lite and plug-ins are sent to Axle.

    Off unenrols the site; the charger then follows the user's own schedule only.
    """

    @property
    def is_on(self) -> bool:
        """Whether the site takes part in Flex Lite."""
        return self.controller.participating

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Enrol the site again."""
        with translate_axle_errors("participation_failed"):
            await self.controller.async_set_participation(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Unenrol the site."""
        with translate_axle_errors("participation_failed"):
            await self.controller.async_set_participation(False)
