"""The home's chargers: one session controller per charger subentry, started and stopped alone.

Home Assistant fires the entry's update listener when a subentry is added, changed or removed, and
has no hook per subentry. ``HomeChargers`` compares the subentries with the running controllers
and acts on the one that changed, never reloading the whole entry (that would stop the other
charger's session): a new charger gets a controller and its entities; a changed one is reloaded
alone (a new window, control mode or settle time is only re-planned); a removed one is put back as
a removal of the entry does, then removed at Axle (best effort) and its store deleted.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .api import AxleError
from .const import CONF_ASSET_ID, CONF_SITE_ID, REMOVAL_TIMEOUT, REPLAN_OPTIONS
from .controller import SessionController
from .entity import (
    async_charger_device,
    async_remove_home_device_entities,
    charger_subentry_id,
    on_home_device,
)
from .issues import (
    async_delete_charger_issues,
    async_notify_asset_not_deleted,
    async_notify_left_paused,
)
from .storage import SessionStore, entity_keys
from .subentries import charger_subentries

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Sequence

    from homeassistant.config_entries import ConfigEntry, ConfigSubentry
    from homeassistant.helpers.entity import Entity, EntityDescription
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from . import AxleFlexLiteConfigEntry
    from .api import AxleClient
    from .coordinator import RewardsCoordinator

type EntityBuilder = Callable[[SessionController], Iterable[Entity]]
type PlatformSetup = Callable[
    [HomeAssistant, AxleFlexLiteConfigEntry, AddConfigEntryEntitiesCallback], Awaitable[None]
]


class HomeChargers:
    """The controllers of the home's chargers, by subentry id, and their entities."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: AxleClient,
        rewards: RewardsCoordinator,
    ) -> None:
        """Bind to the home's entry, its Axle client and its rewards (read after sessions)."""
        self.hass = hass
        self.entry = entry
        self.client = client
        self.rewards = rewards
        self.controllers: dict[str, SessionController] = {}
        # The subentry data each controller was built from or has followed since.
        self._applied: dict[str, dict[str, Any]] = {}
        self._entities: dict[str, list[Entity]] = {}
        self._unsubscribe: dict[str, list[CALLBACK_TYPE]] = {}
        self._builders: list[tuple[EntityBuilder, AddConfigEntryEntitiesCallback]] = []
        self._listeners: list[Callable[[], None]] = []
        self._lock = asyncio.Lock()

    # The home's view of its chargers

    @property
    def participating(self) -> bool:
        """Whether the home takes part in Flex Lite (every charger follows the home)."""
        return all(controller.participating for controller in self.controllers.values())

    async def async_set_participation(self, participating: bool) -> None:
        """Enrol the site again or unenrol it (once), and have every charger follow.

        On: nothing changes when Axle refuses. Off: every charger lets go whatever Axle says.
        Raises ``AxleError`` as ``SessionController.async_set_participation`` does.
        """
        if not self.controllers:
            site_id = self.entry.data[CONF_SITE_ID]
            if participating:
                await self.client.async_enrol(site_id, override_withdrawal=True)
            else:
                await self.client.async_unenrol(site_id)
            return
        first, *others = self.controllers.values()
        if participating:
            await first.async_set_participation(True)
            for controller in others:
                await controller.async_set_participation(True, tell_axle=False)
            return
        for controller in others:
            await controller.async_set_participation(False, tell_axle=False)
        await first.async_set_participation(False)

    @callback
    def async_add_listener(self, update_callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``update_callback`` whenever one of the chargers changes (or one comes or goes)."""
        self._listeners.append(update_callback)

        @callback
        def remove_listener() -> None:
            if update_callback in self._listeners:
                self._listeners.remove(update_callback)

        return remove_listener

    @callback
    def _notify(self) -> None:
        for update_callback in list(self._listeners):
            update_callback()

    @callback
    def async_add_charger_entities(
        self, build: EntityBuilder, add: AddConfigEntryEntitiesCallback
    ) -> None:
        """Add a platform's entities of every charger, now and of each charger added later."""
        self._builders.append((build, add))
        for controller in self.controllers.values():
            self._add_entities(controller, build, add)

    @callback
    def async_add_described_entities[DescriptionT: EntityDescription](
        self,
        entity: Callable[[ConfigEntry[Any], SessionController, DescriptionT], Entity],
        descriptions: Iterable[DescriptionT],
        add: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Add one ``entity`` per description for every charger, now and each one added later."""
        self.async_add_charger_entities(
            lambda controller: [entity(self.entry, controller, d) for d in descriptions], add
        )

    def _add_entities(
        self,
        controller: SessionController,
        build: EntityBuilder,
        add: AddConfigEntryEntitiesCallback,
    ) -> None:
        entities = list(build(controller))
        self._entities.setdefault(controller.subentry_id, []).extend(entities)
        add(entities, config_subentry_id=charger_subentry_id(self.entry, controller))

    # Set-up, changes and tear-down

    async def async_setup(self) -> None:
        """Start a controller for each charger of the entry (before the platforms add entities)."""
        for subentry in charger_subentries(self.entry):
            await self._async_start(subentry)

    async def async_shutdown(self) -> None:
        """Let go of every charger (the entry unloads): each puts back what it changed."""
        for subentry_id in list(self.controllers):
            await self._async_stop(subentry_id, remove_entities=False)

    async def async_entry_updated(self) -> None:
        """Start, re-plan, reload or remove the chargers whose subentries changed."""
        async with self._lock:
            subentries = {sub.subentry_id: sub for sub in charger_subentries(self.entry)}
            for subentry_id in [key for key in self.controllers if key not in subentries]:
                await self._async_remove(subentry_id)
            for subentry_id, subentry in subentries.items():
                if subentry_id not in self.controllers:
                    await self._async_start(subentry, participating=self.participating)
                    continue
                await self._async_follow(subentry)

    async def _async_follow(self, subentry: ConfigSubentry) -> None:
        """Follow a charger's new settings: re-plan for the window and the like, else reload."""
        subentry_id = subentry.subentry_id
        applied, data = self._applied[subentry_id], dict(subentry.data)
        if data == applied:
            return
        controller = self.controllers[subentry_id]
        self._applied[subentry_id] = data
        changed = {key for key in applied.keys() | data.keys() if applied.get(key) != data.get(key)}
        if controller.entity_tracker.followed_options == data:
            # The controller already follows a renamed entity under its new id.
            return
        if changed <= REPLAN_OPTIONS:
            await controller.async_settings_changed()
            return
        await self._async_stop(subentry_id, remove_entities=True)
        await self._async_start(subentry)

    async def _async_start(
        self, subentry: ConfigSubentry, *, participating: bool | None = None
    ) -> SessionController:
        """Start the charger's controller and add its entities to the platforms set up so far."""
        controller = SessionController(
            self.hass, self.entry, self.client, subentry, participating=participating
        )
        await controller.async_setup()
        subentry_id = subentry.subentry_id
        self.controllers[subentry_id] = controller
        self._applied[subentry_id] = dict(subentry.data)
        self._unsubscribe[subentry_id] = [
            controller.async_add_listener(self._notify),
            self.rewards.async_refresh_after_sessions(controller),
        ]
        async_charger_device(self.hass, self.entry, controller)
        for build, add in self._builders:
            self._add_entities(controller, build, add)
        self._notify()
        return controller

    async def _async_stop(self, subentry_id: str, *, remove_entities: bool) -> SessionController:
        """Remove the charger's entities (``remove_entities``), then let go of its charger."""
        controller = self.controllers.pop(subentry_id)
        self._applied.pop(subentry_id, None)
        for unsubscribe in self._unsubscribe.pop(subentry_id, []):
            unsubscribe()
        entities = self._entities.pop(subentry_id, [])
        if remove_entities:
            for entity in entities:
                if entity.hass is not None:
                    await entity.async_remove()
        await controller.async_shutdown()
        self._notify()
        return controller

    async def _async_remove(self, subentry_id: str) -> None:
        """Put a removed charger back, forget it, and remove it at Axle (best effort).

        Home Assistant clears the subentry's device and entities from the registries; the entities
        of a charger on the home's device belong to the entry, so they are removed here. A value
        that could not be put back is left to the user with a notification naming it, as at the
        removal of the whole entry.
        """
        entities = self._entities.get(subentry_id, [])
        unique_ids = {entity.unique_id for entity in entities if entity.unique_id}
        controller = await self._async_stop(subentry_id, remove_entities=True)
        if on_home_device(self.entry, controller):
            async_remove_home_device_entities(self.hass, self.entry, unique_ids)
        store = SessionStore(self.hass, controller.key_prefix)
        left = entity_keys(self.hass, (await store.async_load()).restore)
        await store.async_remove()
        async_delete_charger_issues(self.hass, controller.key_prefix)
        await async_notify_left_paused(self.hass, controller.key_prefix, left)
        asset_id = controller.settings.get(CONF_ASSET_ID)
        if not asset_id:
            return
        try:
            async with asyncio.timeout(REMOVAL_TIMEOUT.total_seconds()):
                await self.client.async_delete_asset(str(asset_id))
        except (AxleError, TimeoutError) as err:
            await async_notify_asset_not_deleted(
                self.hass, controller.key_prefix, controller.title, str(err) or "timed out"
            )


def charger_platform_setup[DescriptionT: EntityDescription](
    entity: Callable[[ConfigEntry[Any], SessionController, DescriptionT], Entity],
    descriptions: Sequence[DescriptionT],
) -> PlatformSetup:
    """Return the ``async_setup_entry`` of a platform whose entities are all the chargers'.

    It adds one ``entity`` per description for every charger, now and each one added later.
    """

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: AxleFlexLiteConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        entry.runtime_data.chargers.async_add_described_entities(
            entity, descriptions, async_add_entities
        )

    return async_setup_entry
