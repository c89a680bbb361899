"""The repair issues of one config entry: entity missing, charger not responding, consent missing.

Their fix flows live in ``repairs.py``. Also the notification left behind when the entry is removed
while a value it changed could not be put back (no issue outlives its entry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant, State, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations

from .charger import values_match
from .const import (
    DOMAIN,
    ISSUE_CHARGER_ENTITY_MISSING,
    ISSUE_CHARGER_NOT_RESPONDING,
    ISSUE_CONSENT_MISSING,
    LOGGER,
)
from .controls import as_number

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .storage import RestoreValue

# The translation (``exceptions`` in strings.json) of the notification left at removal.
LEFT_PAUSED_KEY: Final = "charger_left_paused"
LEFT_PAUSED_TITLE: Final = "Axle Flex Lite"
# Should the translations not load: the same in plain English.
LEFT_PAUSED_FALLBACK: Final = (
    "Axle Flex Lite was removed while {entity_id} was paused, and it could not be set back. "
    "Set {entity_id} to {value} so that your car charges."
)


def issue_id(key: str, entry_id: str, entity_id: str | None = None) -> str:
    """Return the repair issue id of a config entry (and, for a missing entity, of that entity)."""
    return f"{key}_{entry_id}" if entity_id is None else f"{key}_{entry_id}_{entity_id}"


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Delete every repair issue of one config entry (it is being removed)."""
    registry = ir.async_get(hass)
    for domain, issue in list(registry.issues):
        if domain == DOMAIN and entry_id in issue:
            ir.async_delete_issue(hass, DOMAIN, issue)


def _shows(hass: HomeAssistant, entity_id: str, value: RestoreValue) -> bool:
    """Whether the entity's state is that value already."""
    state = hass.states.get(entity_id)
    if state is None or isinstance(value, str):
        return state is not None and state.state == value
    return values_match(as_number(state.state), value)


async def async_notify_left_paused(
    hass: HomeAssistant, entry_id: str, left: Mapping[str, RestoreValue]
) -> None:
    """Tell the user which charger values to set by hand: the removal could not put them back."""
    # A value the entity shows already (the user's own "off", kept for the next night) is done.
    left = {
        entity_id: value for entity_id, value in left.items() if not _shows(hass, entity_id, value)
    }
    if not left:
        return
    translations = await async_get_translations(hass, hass.config.language, "exceptions", [DOMAIN])
    template = translations.get(
        f"component.{DOMAIN}.exceptions.{LEFT_PAUSED_KEY}.message", LEFT_PAUSED_FALLBACK
    )
    for entity_id, value in left.items():
        LOGGER.warning("Removed while %s was paused: set it to %s by hand", entity_id, value)
        persistent_notification.async_create(
            hass,
            template.replace("{entity_id}", entity_id).replace("{value}", str(value)),
            title=LEFT_PAUSED_TITLE,
            notification_id=f"{DOMAIN}_{LEFT_PAUSED_KEY}_{entry_id}_{entity_id}",
        )


class EntryIssues:
    """Raises and clears the repair issues of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind to the entry."""
        self.hass = hass
        self.entry_id = entry_id

    def raise_issue(
        self,
        key: str,
        entity_id: str | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> None:
        """Create (or update) one of the entry's repair issues."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(key, self.entry_id, entity_id),
            is_fixable=key == ISSUE_CONSENT_MISSING,
            data={"entry_id": self.entry_id},
            severity=ir.IssueSeverity.ERROR,
            translation_key=key,
            translation_placeholders=placeholders,
        )

    def delete_issue(self, key: str, entity_id: str | None = None) -> None:
        """Delete one of the entry's repair issues (nothing happens when there is none)."""
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(key, self.entry_id, entity_id))

    def refresh_missing(self, entity_ids: Iterable[str]) -> None:
        """One issue per configured entity that does not exist; none for any other entity."""
        prefix = issue_id(ISSUE_CHARGER_ENTITY_MISSING, self.entry_id) + "_"
        registry = ir.async_get(self.hass)
        for domain, issue in list(registry.issues):
            if domain == DOMAIN and issue.startswith(prefix):
                ir.async_delete_issue(self.hass, DOMAIN, issue)
        for entity_id in entity_ids:
            if self.hass.states.get(entity_id) is None:
                self.raise_missing(entity_id)

    def raise_missing(self, entity_id: str) -> None:
        """Report a configured entity that does not exist."""
        LOGGER.warning("%s does not exist; Axle Flex Lite cannot use it", entity_id)
        self.raise_issue(ISSUE_CHARGER_ENTITY_MISSING, entity_id, {"entity_id": entity_id})

    def update_missing(
        self, entity_id: str, old_state: State | None, new_state: State | None
    ) -> None:
        """Raise or clear the missing-entity issue when an entity goes away or comes back."""
        if new_state is None:
            self.raise_missing(entity_id)
        elif old_state is None:
            self.delete_issue(ISSUE_CHARGER_ENTITY_MISSING, entity_id)

    @callback
    def charger_not_responding(self, entity_id: str, wanted: str, actual: str) -> None:
        """Tell the user that a command and its retry did not take (the next change tries again)."""
        self.raise_issue(
            ISSUE_CHARGER_NOT_RESPONDING,
            placeholders={"entity_id": entity_id, "wanted": wanted, "actual": actual},
        )

    @callback
    def charger_responding(self, _entity_id: str) -> None:
        """Clear the not-responding issue: a command took effect."""
        self.delete_issue(ISSUE_CHARGER_NOT_RESPONDING)
