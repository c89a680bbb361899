"""Following the charger's entities across renames: a new entity id, the same registry entry.

The charger's settings (its subentry's data) name its entities by id. When the user renames one
(its entity id in the entity registry), the controller follows the registry entry: its commands on
their way, the values to put back and its listeners move to the new id, and the settings are
updated to it without a reload. What is stored is keyed by registry id (``storage.py``), so a
reload or a restart finds it under the new name too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, callback
from homeassistant.helpers.event import (
    async_track_entity_registry_updated_event,
    async_track_state_change_event,
)

from .charger import ChargerEntities
from .const import (
    CONF_CURRENT_ENTITY,
    CONF_LOCK_ENTITY,
    CONF_PLUG_ENTITY,
    CONF_SELECT_ENTITY,
    CONF_SWITCH_ENTITY,
    LOGGER,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from homeassistant.helpers.entity_registry import EventEntityRegistryUpdatedData

    from .controller import SessionController

# The options that name one of the charger's entities.
ENTITY_OPTIONS: Final = (
    CONF_PLUG_ENTITY,
    CONF_SWITCH_ENTITY,
    CONF_LOCK_ENTITY,
    CONF_SELECT_ENTITY,
    CONF_CURRENT_ENTITY,
)


def renamed_options(options: Mapping[str, Any], old: str, new: str) -> dict[str, Any] | None:
    """Return the options with entity ``old`` named ``new``; None when no field names ``old``."""
    if not any(options.get(key) == old for key in ENTITY_OPTIONS):
        return None
    return {
        key: new if key in ENTITY_OPTIONS and value == old else value
        for key, value in options.items()
    }


class EntityTracker:
    """Follows the state changes of the charger's entities, under whatever id they have."""

    def __init__(
        self,
        controller: SessionController,
        on_state_change: Callable[[Event[EventStateChangedData]], None],
    ) -> None:
        """Report the entities' state changes to ``on_state_change``; renames to ``controller``."""
        self._controller = controller
        self._on_state_change = on_state_change
        self._cancel: list[CALLBACK_TYPE] = []
        # The options the controller follows since a rename: saving them needs no reload.
        self.followed_options: dict[str, Any] | None = None

    def track(self) -> None:
        """Listen to the charger's entities as the controller knows them now."""
        self.cancel()
        hass = self._controller.hass
        entities = self._controller.charger.entities.all
        self._cancel = [
            async_track_state_change_event(hass, entities, self._on_state_change),
            async_track_entity_registry_updated_event(hass, entities, self._on_registry_update),
        ]

    def cancel(self) -> None:
        """Stop listening."""
        while self._cancel:
            self._cancel.pop()()

    @callback
    def _on_registry_update(self, event: Event[EventEntityRegistryUpdatedData]) -> None:
        """Follow a configured entity to its new id when the user renames it."""
        data: Mapping[str, Any] = event.data
        old, new = data.get("old_entity_id"), data.get("entity_id")
        if data.get("action") != "update" or not old or not new or old == new:
            return
        controller = self._controller
        options = renamed_options(self.followed_options or controller.settings, old, new)
        if options is not None and not controller.closed:
            controller.create_task(self._async_follow(old, new, options), "entity renamed")

    async def _async_follow(self, old: str, new: str, options: dict[str, Any]) -> None:
        """Move what the controller keeps about ``old`` to ``new``, save the options, apply."""
        controller = self._controller
        if controller.closed:
            return
        LOGGER.info("%s is now %s: following it", old, new)
        controller.charger.follow_rename(old, new, ChargerEntities.from_options(options))
        controller.driver.follow_rename(old, new)
        self.track()
        self.followed_options = options
        controller.update_settings(options)
        controller.issues.refresh_missing(controller.charger.entities.all)
        await controller.async_apply()
