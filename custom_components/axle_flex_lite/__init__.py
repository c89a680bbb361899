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
from .charger_options import migrate_charger_options
from .const import (
    CONF_BASE_URL,
    CONF_ENVIRONMENT,
    CONF_SITE_ID,
    DOMAIN,
    LOGGER,
    PLATFORMS,
    REMOVAL_TIMEOUT,
    REPLAN_OPTIONS,
)
from .controller import SessionController, async_delete_entry_issues
from .coordinator import RewardsCoordinator
from .issues import async_notify_left_paused
from .services import async_setup_services
from .site_eligibility import async_check_site_eligibility
from .storage import SessionStore, entity_keys

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


@dataclass
class AxleFlexLiteData:
    """What a loaded entry holds: its Axle client, its session controller, its rewards."""

    client: AxleClient
    controller: SessionController
    rewards: RewardsCoordinator


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
    not: the charger must stay protected, and the controller and the rewards try Axle again later.
    """
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

    if (migrated := migrate_charger_options(entry.options)) is not None:
        # Before the update listener exists: the migration itself must not reload the entry.
        hass.config_entries.async_update_entry(entry, options=migrated)
    controller = SessionController(hass, entry, client)
    await controller.async_setup()
    entry.async_on_unload(controller.async_shutdown)
    entry.async_on_unload(rewards.async_refresh_after_sessions(controller))
    entry.async_on_unload(rewards.async_cancel_link_refresh)
    entry.runtime_data = AxleFlexLiteData(client=client, controller=controller, rewards=rewards)
    _watch_entry_updates(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


def _watch_entry_updates(hass: HomeAssistant, entry: AxleFlexLiteConfigEntry) -> None:
    """Re-plan when only the window or the control mode changed; reload for anything else."""
    applied_data = dict(entry.data)
    applied_options = dict(entry.options)

    async def _async_entry_updated(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        nonlocal applied_options
        changed = {
            key
            for key in applied_options.keys() | entry.options.keys()
            if applied_options.get(key) != entry.options.get(key)
        }
        controller: SessionController = entry.runtime_data.controller
        if changed and controller.entity_tracker.followed_options == dict(entry.options):
            # The controller already follows a renamed entity under its new id.
            applied_options = dict(entry.options)
            return
        if dict(entry.data) != applied_data or not changed <= REPLAN_OPTIONS:
            hass.config_entries.async_schedule_reload(entry.entry_id)
            return
        applied_options = dict(entry.options)
        if changed:
            await controller.async_settings_changed()

    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))


async def async_unload_entry(hass: HomeAssistant, entry: AxleFlexLiteConfigEntry) -> bool:
    """Unload the entities, then let go of the charger (what we paused is put back)."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.controller.async_shutdown()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: AxleFlexLiteConfigEntry) -> None:
    """Leave Flex Lite and forget the entry's sessions and repair issues.

    Unenrolling is best effort with a short timeout: removal never waits long and never fails. A
    charger value the unload could not put back (the charger offline) is left to the user, with a
    notification naming it.
    """
    try:
        async with asyncio.timeout(REMOVAL_TIMEOUT.total_seconds()):
            await _client(hass, entry).async_unenrol(entry.data[CONF_SITE_ID])
    except (AxleError, TimeoutError) as err:
        LOGGER.warning("Could not unenrol the site from Flex Lite while removing it: %s", err)
    store = SessionStore(hass, entry.entry_id)
    # Unloading put back what it could; what is left (the charger offline) the user must set.
    left = entity_keys(hass, (await store.async_load()).restore)
    await store.async_remove()
    async_delete_entry_issues(hass, entry.entry_id)
    await async_notify_left_paused(hass, entry.entry_id, left)
