"""Base entities of Axle Flex Lite: one service device per config entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypedDict

from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import RewardsCoordinator

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from . import AxleFlexLiteConfigEntry
    from .controller import SessionController


class _EntityVisibility(TypedDict):
    entity_category: EntityCategory
    entity_registry_enabled_default: bool


# For an entity few people need (looking into a problem): a diagnostic, off until enabled.
LOW_USE_DIAGNOSTIC: Final[_EntityVisibility] = {
    "entity_category": EntityCategory.DIAGNOSTIC,
    "entity_registry_enabled_default": False,
}


def device_info(entry: AxleFlexLiteConfigEntry) -> DeviceInfo:
    """Describe the device that groups every entity of one config entry (one Axle site)."""
    return DeviceInfo(
        entry_type=DeviceEntryType.SERVICE,
        identifiers={(DOMAIN, entry.entry_id)},
        manufacturer="Axle Energy",
        model="Flex Lite",
        name=entry.title,
    )


class AxleFlexLiteEntity(Entity):
    """Common ground of all Axle Flex Lite entities: device, naming and unique id."""

    _attr_has_entity_name = True

    def __init__(self, entry: AxleFlexLiteConfigEntry, description: EntityDescription) -> None:
        """Attach the entity to the entry's device; the unique id is stable per entry and key.

        Every entity's translation key is its description's key.
        """
        self.entry = entry
        self.entity_description = description
        self._attr_translation_key = description.key
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = device_info(entry)


class AxleFlexLiteControllerEntity(AxleFlexLiteEntity):
    """An entity that shows the session controller's state and updates when it changes."""

    _attr_should_poll = False

    def __init__(self, entry: AxleFlexLiteConfigEntry, description: EntityDescription) -> None:
        """Keep a reference to the entry's session controller."""
        super().__init__(entry, description)
        self.controller: SessionController = entry.runtime_data.controller

    async def async_added_to_hass(self) -> None:
        """Follow the controller: it calls back whenever anything visible changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self.controller.async_add_listener(self.async_write_ha_state))


class AxleFlexLiteRewardsEntity(AxleFlexLiteEntity, CoordinatorEntity[RewardsCoordinator]):
    """An entity that shows the rewards balance fetched by the rewards coordinator."""

    def __init__(self, entry: AxleFlexLiteConfigEntry, description: EntityDescription) -> None:
        """Subscribe to the entry's rewards coordinator."""
        CoordinatorEntity.__init__(self, entry.runtime_data.rewards)
        super().__init__(entry, description)


class AxleFlexLiteOptionEntity(AxleFlexLiteEntity):
    """An entity that edits one of the entry's options (the charging window, the control mode).

    The options are the single source of truth: the entity shows them, writes them, and follows
    changes made elsewhere (the options flow).
    """

    _attr_should_poll = False

    async def async_added_to_hass(self) -> None:
        """Show the options again whenever the entry changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self.entry.add_update_listener(self._async_entry_updated))

    async def _async_entry_updated(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Write the state after the options changed."""
        self.async_write_ha_state()

    @callback
    def async_update_option(self, key: str, value: str) -> None:
        """Store one option; the entry's update listener applies it to the running session."""
        self.hass.config_entries.async_update_entry(
            self.entry, options={**self.entry.options, key: value}
        )
