"""The Axle Flex Lite integration: Axle Energy's Flex Lite pauses for the household's EV charger."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .api import AxleClient, AxleConfigurationError, AxleError
from .chargers import HomeChargers
from .const import (
    CONF_BASE_URL,
    CONF_ENVIRONMENT,
    CONF_SITE_ID,
    DOMAIN,
    LOGGER,
    PLATFORMS,
    REMOVAL_TIMEOUT,
)
from .controller import SessionController, async_delete_entry_issues
from .coordinator import RewardsCoordinator
from .issues import async_notify_left_paused
from .migration import (
    async_migrate_entry,
    async_move_charger_to_subentry,
)
from .services import async_setup_services
from .site_eligibility import async_check_site_eligibility
from .storage import SessionStore, entity_keys
from .subentries import charger_key_prefix, charger_subentries

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

__all__ = ["async_migrate_entry", "async_remove_entry", "async_setup_entry", "async_unload_entry"]


@dataclass
class AxleFlexLiteData:
    """What a loaded entry (the home) holds: its Axle client, its rewards, its chargers."""

    client: AxleClient
    rewards: RewardsCoordinator
    chargers: HomeChargers

    @property
    def controllers(self) -> dict[str, SessionController]:
        """The session controller of each charger, by subentry id."""
        return self.chargers.controllers

    @property
    def controller(self) -> SessionController:
        """The controller of the home's first charger (a home with one charger has only it)."""
        return next(iter(self.chargers.controllers.values()))


type AxleFlexLiteConfigEntry = ConfigEntry[AxleFlexLiteData]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once; they find their entry by id."""
    async_setup_services(hass)
    return True


def _client(hass: HomeAssistant, entry: ConfigEntry[Any]) -> AxleClient:
    """Build an Axle client with the entry's credentials on Home Assistant's HTTP session."""
    return AxleClient.for_environment(
        async_get_clientsession(hass),
        entry.data[CONF_USERNAME],
        entry.data[CONF_PASSWORD],
        entry.data[CONF_ENVIRONMENT],
        base_url=entry.data.get(CONF_BASE_URL),
        clock=dt_util.utcnow,
    )


async def async_setup_entry(hass: HomeAssistant, entry: AxleFlexLiteConfigEntry) -> bool:
    """Set up one Axle site.

    Refused credentials stop the set-up and ask the user to sign in again. Axle being down does
    not: the chargers must stay protected, and the controllers and the rewards try Axle again later.
    An entry made before chargers were subentries gets its charger moved into one first.
    """
    # Before the update listener exists: the move itself must not reload the entry.
    async_move_charger_to_subentry(hass, entry)
    try:
        client = _client(hass, entry)
    except AxleConfigurationError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="invalid_configuration"
        ) from err
    rewards = RewardsCoordinator(hass, entry, client)
    # The first balance fetch logs in too (the client logs in only when a call needs a token). It
    # never raises: a refused login asks the user to sign in again, Axle being down waits for the
    # next refresh.
    await rewards.async_refresh()
    if isinstance(rewards.last_exception, ConfigEntryAuthFailed):
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="authentication_failed"
        ) from rewards.last_exception
    if not rewards.last_update_success:
        LOGGER.warning("Axle is unreachable; setting up without it for now")
    else:
        # The token is fresh: reading the site's eligibility costs one call, not a login. Awaited
        # rather than in the background: it is one call, never retried.
        await async_check_site_eligibility(hass, entry, client)

    chargers = HomeChargers(hass, entry, client, rewards)
    entry.async_on_unload(chargers.async_shutdown)
    entry.async_on_unload(rewards.async_cancel_link_refresh)
    await chargers.async_setup()
    entry.runtime_data = AxleFlexLiteData(client=client, rewards=rewards, chargers=chargers)
    _watch_entry_updates(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


def _watch_entry_updates(hass: HomeAssistant, entry: AxleFlexLiteConfigEntry) -> None:
    """Reload for a change of the home; a charger added, changed or removed is the charger's."""
    applied_data = dict(entry.data)
    applied_options = dict(entry.options)

    async def _async_entry_updated(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        if dict(entry.data) != applied_data or dict(entry.options) != applied_options:
            hass.config_entries.async_schedule_reload(entry.entry_id)
            return
        await entry.runtime_data.chargers.async_entry_updated()

    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))


async def async_unload_entry(hass: HomeAssistant, entry: AxleFlexLiteConfigEntry) -> bool:
    """Unload the entities, then let go of the charger (what we paused is put back)."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.chargers.async_shutdown()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: AxleFlexLiteConfigEntry) -> None:
    """Leave Flex Lite and forget the chargers' sessions and the repair issues.

    Unenrolling is best effort with a short timeout: removal never waits long and never fails. A
    charger value the unload could not put back (the charger offline) is left to the user, with a
    notification naming it.
    """
    try:
        async with asyncio.timeout(REMOVAL_TIMEOUT.total_seconds()):
            await _client(hass, entry).async_unenrol(entry.data[CONF_SITE_ID])
    except (AxleError, TimeoutError) as err:
        LOGGER.warning("Could not unenrol the site from Flex Lite while removing it: %s", err)
    prefixes = {
        charger_key_prefix(entry.entry_id, subentry.data) for subentry in charger_subentries(entry)
    } or {entry.entry_id}
    for key_prefix in sorted(prefixes):
        store = SessionStore(hass, key_prefix)
        # Unloading put back what it could; what is left (the charger offline) the user must set.
        left = entity_keys(hass, (await store.async_load()).restore)
        await store.async_remove()
        await async_notify_left_paused(hass, key_prefix, left)
    async_delete_entry_issues(hass, entry.entry_id)
