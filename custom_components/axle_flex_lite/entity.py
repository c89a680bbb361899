"""Base entities of Axle Flex Lite: the home's device, and a device under it per added charger.

The home's first charger (its key prefix is the entry id: the charger of an entry made before
chargers were subentries, or the one the config flow set up) keeps its entities on the home's
device, where a one-charger home always had them: device, entity names and areas stay. A charger
added later gets a device of its own under the home's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypedDict

from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import RewardsCoordinator

if TYPE_CHECKING:
    from collections.abc import Mapping

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
    """Describe the home's device (one Axle site): participation, rewards."""
    return DeviceInfo(
        entry_type=DeviceEntryType.SERVICE,
        identifiers={(DOMAIN, entry.entry_id)},
        manufacturer="Axle Energy",
        model="Flex Lite",
        name=entry.title,
    )


def on_home_device(entry: AxleFlexLiteConfigEntry, controller: SessionController) -> bool:
    """Whether the charger's entities are on the home's device (the home's first charger)."""
    return controller.key_prefix == entry.entry_id


def charger_subentry_id(
    entry: AxleFlexLiteConfigEntry, controller: SessionController
) -> str | None:
    """Return the subentry the charger's entities are registered under.

    None for a charger on the home's device: the newest release lets a device belong to one
    subentry only (one added from another moves it, and entities of the old one go), so these
    entities belong to the entry, as the home's do, and ``HomeChargers`` removes them itself.
    """
    return None if on_home_device(entry, controller) else controller.subentry_id


def own_device_identifier(entry_id: str, subentry_id: str) -> str:
    """Return the identifier of an added charger's own device (in the integration's domain)."""
    return f"{entry_id}_{subentry_id}"


def charger_device_info(
    entry: AxleFlexLiteConfigEntry, controller: SessionController
) -> DeviceInfo:
    """Describe the device of a charger's entities: the home's, or the charger's own."""
    if on_home_device(entry, controller):
        return device_info(entry)
    return DeviceInfo(
        entry_type=DeviceEntryType.SERVICE,
        identifiers={(DOMAIN, own_device_identifier(entry.entry_id, controller.subentry_id))},
        manufacturer="Axle Energy",
        model="Flex Lite charger",
        name=controller.title,
    )


@callback
def async_home_device(hass: HomeAssistant, entry: AxleFlexLiteConfigEntry) -> dr.DeviceEntry:
    """Create (or find) the home's device."""
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **device_info(entry)
    )


@callback
def async_charger_device(
    hass: HomeAssistant, entry: AxleFlexLiteConfigEntry, controller: SessionController
) -> None:
    """Create the charger's device (under the home's) before its entities are added.

    The link is set by device id: the oldest release's device info names the parent by its
    identifiers (``via_device``), the newest by its id (``via_device_id``), and neither takes
    the other's. A charger on the home's device has no device of its own.
    """
    registry = dr.async_get(hass)
    home = async_home_device(hass, entry)
    if on_home_device(entry, controller):
        _async_retire_own_device(hass, entry, controller, home)
        return
    device = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        config_subentry_id=controller.subentry_id,
        **charger_device_info(entry, controller),
    )
    if device.via_device_id != home.id:
        registry.async_update_device(device.id, via_device_id=home.id)


@callback
def _async_retire_own_device(
    hass: HomeAssistant,
    entry: AxleFlexLiteConfigEntry,
    controller: SessionController,
    home: dr.DeviceEntry,
) -> None:
    """Bring the entities back from the charger's own device, then remove it if left empty.

    An earlier version gave the home's first charger a device of its own; its entities return to
    the home's device (and to the entry, see ``charger_subentry_id``).
    """
    devices = dr.async_get(hass)
    identifier = (DOMAIN, own_device_identifier(entry.entry_id, controller.subentry_id))
    # Looked up among the entry's devices: the newest release deprecates a look-up by identifiers
    # alone, and the oldest lacks its replacement.
    for own in dr.async_entries_for_config_entry(devices, entry.entry_id):
        if identifier not in own.identifiers:
            continue
        entities = er.async_get(hass)
        for registered in er.async_entries_for_device(
            entities, own.id, include_disabled_entities=True
        ):
            if registered.config_entry_id == entry.entry_id:
                entities.async_update_entity(
                    registered.entity_id, device_id=home.id, config_subentry_id=None
                )
        if not er.async_entries_for_device(entities, own.id, include_disabled_entities=True):
            devices.async_remove_device(own.id)


@callback
def async_remove_home_device_entities(
    hass: HomeAssistant, entry: AxleFlexLiteConfigEntry, unique_ids: set[str]
) -> None:
    """Remove a removed charger's entities from the home's device; the home's own stay.

    Home Assistant removes only the entities registered under the removed subentry.
    """
    registry = er.async_get(hass)
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if registered.config_subentry_id is None and registered.unique_id in unique_ids:
            registry.async_remove(registered.entity_id)


class AxleFlexLiteEntity(Entity):
    """Common ground of all Axle Flex Lite entities: naming; a home entity's device and id."""

    _attr_has_entity_name = True

    def __init__(self, entry: AxleFlexLiteConfigEntry, description: EntityDescription) -> None:
        """Attach the entity to the home's device; the unique id is stable per entry and key.

        Every entity's translation key is its description's key.
        """
        self.entry = entry
        self.entity_description = description
        self._attr_translation_key = description.key
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = device_info(entry)


class AxleFlexLiteChargerEntity(AxleFlexLiteEntity):
    """An entity of one charger: on its device, with an id from its key prefix."""

    _attr_should_poll = False

    def __init__(
        self,
        entry: AxleFlexLiteConfigEntry,
        controller: SessionController,
        description: EntityDescription,
    ) -> None:
        """Attach the entity to its charger's device (the home's for the home's first charger).

        The unique id is ``<key_prefix>_<key>``: for the charger of an entry made before chargers
        were subentries the prefix is the entry id, so its entities keep their ids.
        """
        super().__init__(entry, description)
        self.controller = controller
        self._attr_unique_id = f"{controller.key_prefix}_{description.key}"
        self._attr_device_info = charger_device_info(entry, controller)


class AxleFlexLiteControllerEntity(AxleFlexLiteChargerEntity):
    """A charger entity that shows its session controller's state and updates when it changes."""

    async def async_added_to_hass(self) -> None:
        """Follow the controller: it calls back whenever anything visible changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self.controller.async_add_listener(self.async_write_ha_state))


class AxleFlexLiteRewardsEntity(AxleFlexLiteEntity, CoordinatorEntity[RewardsCoordinator]):
    """A home entity that shows the rewards balance fetched by the rewards coordinator."""

    def __init__(self, entry: AxleFlexLiteConfigEntry, description: EntityDescription) -> None:
        """Subscribe to the entry's rewards coordinator."""
        CoordinatorEntity.__init__(self, entry.runtime_data.rewards)
        super().__init__(entry, description)


class AxleFlexLiteOptionEntity(AxleFlexLiteChargerEntity):
    """A charger entity that edits one of its settings (the charging window, the control mode).

    The charger's subentry is the single source of truth: the entity shows it, writes it, and
    follows changes made elsewhere (the charger's settings form).
    """

    @property
    def settings(self) -> Mapping[str, Any]:
        """The charger's settings as they are now."""
        return self.controller.settings

    async def async_added_to_hass(self) -> None:
        """Show the settings again whenever the entry or one of its subentries changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self.entry.add_update_listener(self._async_entry_updated))

    async def _async_entry_updated(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Write the state after the settings changed."""
        self.async_write_ha_state()

    @callback
    def async_update_option(self, key: str, value: str) -> None:
        """Store one setting; the entry's update listener applies it to the running session."""
        self.controller.update_settings({**self.controller.settings, key: value})
