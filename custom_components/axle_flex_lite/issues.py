"""The repair issues of one charger: entity missing, charger not responding, consent missing.

Their ids carry the charger's key prefix (the entry id for an entry's first charger, so its issues
keep their ids; ``<entry_id>_<subentry_id>`` for a charger added later). Their fix flows live in
``repairs.py``. Also the notifications left behind when a charger or the entry is removed while a
value it changed could not be put back, or Axle could not be told (no issue outlives its charger).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.components import persistent_notification
from homeassistant.core import HomeAssistant, State, callback, valid_entity_id
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


# The issues a charger raises (the others belong to the home).
CHARGER_ISSUES: Final = (
    ISSUE_CHARGER_ENTITY_MISSING,
    ISSUE_CHARGER_NOT_RESPONDING,
    ISSUE_CONSENT_MISSING,
)
# The notification left when a removed charger could not be removed at Axle.
ASSET_NOT_DELETED_KEY: Final = "asset_not_deleted"
ASSET_NOT_DELETED_FALLBACK: Final = (
    "The charger {charger} was removed from Home Assistant, but Axle could not be told ({error}). "
    "Ask Axle's support to remove it from your home."
)


def issue_id(key: str, key_prefix: str, entity_id: str | None = None) -> str:
    """Return the repair issue id of a charger (and, for a missing entity, of that entity)."""
    return f"{key}_{key_prefix}" if entity_id is None else f"{key}_{key_prefix}_{entity_id}"


def is_charger_issue(issue: str, key: str, key_prefix: str) -> bool:
    """Whether ``issue`` is the charger's ``key`` issue (of any of its entities).

    Only an entity id may follow the prefix: the entry's first charger's prefix is the entry id,
    which begins the prefixes of the chargers added later too.
    """
    base = issue_id(key, key_prefix)
    return issue == base or (
        issue.startswith(f"{base}_") and valid_entity_id(issue[len(base) + 1 :])
    )


@callback
def async_delete_charger_issues(hass: HomeAssistant, key_prefix: str) -> None:
    """Delete every repair issue of one charger (it is being removed)."""
    registry = ir.async_get(hass)
    for domain, issue in list(registry.issues):
        if domain == DOMAIN and any(
            is_charger_issue(issue, key, key_prefix) for key in CHARGER_ISSUES
        ):
            ir.async_delete_issue(hass, DOMAIN, issue)


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


async def _async_message(hass: HomeAssistant, key: str, fallback: str) -> str:
    """Return the translated message ``key`` of ``exceptions`` (``fallback`` if none loads)."""
    translations = await async_get_translations(hass, hass.config.language, "exceptions", [DOMAIN])
    return translations.get(f"component.{DOMAIN}.exceptions.{key}.message", fallback)


async def async_notify_asset_not_deleted(
    hass: HomeAssistant, key_prefix: str, charger: str, error: str
) -> None:
    """Tell the user that Axle still has a removed charger: its removal there failed."""
    LOGGER.warning("Could not remove the charger %s at Axle: %s", charger, error)
    template = await _async_message(hass, ASSET_NOT_DELETED_KEY, ASSET_NOT_DELETED_FALLBACK)
    persistent_notification.async_create(
        hass,
        template.replace("{charger}", charger).replace("{error}", error),
        title=LEFT_PAUSED_TITLE,
        notification_id=f"{DOMAIN}_{ASSET_NOT_DELETED_KEY}_{key_prefix}",
    )


async def async_notify_left_paused(
    hass: HomeAssistant, key_prefix: str, left: Mapping[str, RestoreValue]
) -> None:
    """Tell the user which charger values to set by hand: the removal could not put them back."""
    # A value the entity shows already (the user's own "off", kept for the next night) is done.
    left = {
        entity_id: value for entity_id, value in left.items() if not _shows(hass, entity_id, value)
    }
    if not left:
        return
    template = await _async_message(hass, LEFT_PAUSED_KEY, LEFT_PAUSED_FALLBACK)
    for entity_id, value in left.items():
        LOGGER.warning("Removed while %s was paused: set it to %s by hand", entity_id, value)
        persistent_notification.async_create(
            hass,
            template.replace("{entity_id}", entity_id).replace("{value}", str(value)),
            title=LEFT_PAUSED_TITLE,
            notification_id=f"{DOMAIN}_{LEFT_PAUSED_KEY}_{key_prefix}_{entity_id}",
        )


class EntryIssues:
    """Raises and clears the repair issues of one charger."""

    def __init__(self, hass: HomeAssistant, entry_id: str, key_prefix: str) -> None:
        """Bind to the charger (its key prefix) of the entry (the consent fix re-enrols it)."""
        self.hass = hass
        self.entry_id = entry_id
        self.key_prefix = key_prefix

    def raise_issue(
        self,
        key: str,
        entity_id: str | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> None:
        """Create (or update) one of the charger's repair issues."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(key, self.key_prefix, entity_id),
            is_fixable=key == ISSUE_CONSENT_MISSING,
            data={"entry_id": self.entry_id},
            severity=ir.IssueSeverity.ERROR,
            translation_key=key,
            translation_placeholders=placeholders,
        )

    def delete_issue(self, key: str, entity_id: str | None = None) -> None:
        """Delete one of the charger's repair issues (nothing happens when there is none)."""
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(key, self.key_prefix, entity_id))

    def refresh_missing(self, entity_ids: Iterable[str]) -> None:
        """One issue per configured entity that does not exist; none for any other entity."""
        registry = ir.async_get(self.hass)
        for domain, issue in list(registry.issues):
            if domain == DOMAIN and is_charger_issue(
                issue, ISSUE_CHARGER_ENTITY_MISSING, self.key_prefix
            ):
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
