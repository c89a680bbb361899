"""Actions of Axle Flex Lite: skip the pause, resend the schedule, offboard, withdrawal link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.helpers.service import async_register_admin_service
import voluptuous as vol

from .actions import (
    async_resend_schedule,
    async_skip_pause,
    translate_axle_errors,
    validation_error,
)
from .const import CONF_SITE_ID, DOMAIN, LOGGER
from .entity import on_home_device, own_device_identifier

if TYPE_CHECKING:
    from . import AxleFlexLiteConfigEntry
    from .controller import SessionController

SERVICE_SKIP_PAUSE = "skip_pause"
SERVICE_RESEND_SCHEDULE = "resend_schedule"
SERVICE_OFFBOARD = "offboard"
SERVICE_GET_WITHDRAWAL_LINK = "get_withdrawal_link"

# Home Assistant's own constant of this name is missing from the oldest release we support (2025.4).
ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_SUBENTRY_ID = "subentry_id"
ATTR_CONFIRM = "confirm"
ATTR_FORCE = "force"

# Where Axle's withdrawal portal sends the user back when Home Assistant has no URL of its own:
# the companion apps open this scheme.
FALLBACK_REDIRECT_URI = "homeassistant://"

ENTRY_SCHEMA = vol.Schema({vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string})
# A charger by its device, or by its home's entry (and its subentry when the home has several).
CHARGER_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional(ATTR_DEVICE_ID): cv.string,
            vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
            vol.Optional(ATTR_SUBENTRY_ID): cv.string,
        }
    ),
    cv.has_at_least_one_key(ATTR_DEVICE_ID, ATTR_CONFIG_ENTRY_ID),
)
OFFBOARD_SCHEMA = ENTRY_SCHEMA.extend(
    {
        vol.Required(ATTR_CONFIRM): cv.boolean,
        vol.Optional(ATTR_FORCE, default=False): cv.boolean,
    }
)


def _loaded_entry(hass: HomeAssistant, call: ServiceCall) -> AxleFlexLiteConfigEntry:
    """Return the loaded Axle Flex Lite entry the action names; refuse anything else."""
    return _loaded_entry_by_id(hass, call.data[ATTR_CONFIG_ENTRY_ID])


def _loaded_entry_by_id(hass: HomeAssistant, entry_id: str) -> AxleFlexLiteConfigEntry:
    """Return the loaded Axle Flex Lite entry with this id; refuse anything else."""
    entry: AxleFlexLiteConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise validation_error("entry_not_found", entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise validation_error("entry_not_loaded", entry_id=entry_id)
    return entry


def _home_charger(entry: AxleFlexLiteConfigEntry, subentry_id: str | None) -> SessionController:
    """Return the home's charger ``subentry_id``, or its only one when none is named."""
    controllers = entry.runtime_data.controllers
    if subentry_id is None:
        if len(controllers) != 1:
            raise validation_error("charger_required")
        return next(iter(controllers.values()))
    if (controller := controllers.get(subentry_id)) is None:
        raise validation_error("charger_not_found", charger=subentry_id)
    return controller


def _home_device_charger(entry: AxleFlexLiteConfigEntry) -> SessionController:
    """Return the charger whose entities are on the home's device, else the home's only one."""
    for controller in entry.runtime_data.controllers.values():
        if on_home_device(entry, controller):
            return controller
    return _home_charger(entry, None)


def _charger(call: ServiceCall) -> SessionController:
    """Return the charger the action names: by its device, or by its home and subentry.

    Our devices are told apart by their identifiers: the entry id for the home's device, the entry
    and subentry ids for an added charger's.
    """
    hass = call.hass
    if (device_id := call.data.get(ATTR_DEVICE_ID)) is None:
        entry = _loaded_entry(hass, call)
        return _home_charger(entry, call.data.get(ATTR_SUBENTRY_ID))
    device = dr.async_get(hass).async_get(device_id)
    identifiers = (
        {value for domain, value in device.identifiers if domain == DOMAIN} if device else set()
    )
    for home in hass.config_entries.async_entries(DOMAIN):
        if home.entry_id in identifiers:
            return _home_device_charger(_loaded_entry_by_id(hass, home.entry_id))
        for subentry_id in home.subentries:
            if own_device_identifier(home.entry_id, subentry_id) in identifiers:
                return _home_charger(_loaded_entry_by_id(hass, home.entry_id), subentry_id)
    raise validation_error("charger_not_found", charger=device_id)


async def _async_handle_skip_pause(call: ServiceCall) -> None:
    """Handle the ``skip_pause`` action."""
    await async_skip_pause(_charger(call))


async def _async_handle_resend_schedule(call: ServiceCall) -> None:
    """Handle the ``resend_schedule`` action."""
    await async_resend_schedule(_charger(call))


async def _async_handle_offboard(call: ServiceCall) -> None:
    """Handle the ``offboard`` action: leave Axle for good, then remove the entry.

    Axle deletes the site and its rewards with it, so a remaining balance stops the action unless
    ``force`` says the user gives it up.
    """
    entry = _loaded_entry(call.hass, call)
    if not call.data[ATTR_CONFIRM]:
        raise validation_error("offboard_not_confirmed")
    client = entry.runtime_data.client
    site_id: str = entry.data[CONF_SITE_ID]
    if not call.data[ATTR_FORCE]:
        with translate_axle_errors("balance_unavailable"):
            balance = await client.async_get_balance_info(site_id)
        if balance.current_balance_pence > 0:
            raise validation_error(
                "balance_remaining", balance=f"£{balance.current_balance_pence / 100:.2f}"
            )
    with translate_axle_errors("offboard_failed"):
        await client.async_offboard(site_id)
    LOGGER.info("Offboarded the site from Axle; removing the config entry")
    await call.hass.config_entries.async_remove(entry.entry_id)


async def _async_handle_get_withdrawal_link(call: ServiceCall) -> ServiceResponse:
    """Handle ``get_withdrawal_link``: a short-lived link to Axle's withdrawal portal."""
    entry = _loaded_entry(call.hass, call)
    try:
        redirect_uri = get_url(call.hass, prefer_external=True)
    except NoURLAvailableError:
        redirect_uri = FALLBACK_REDIRECT_URI
    with translate_axle_errors("withdrawal_link_failed"):
        link = await entry.runtime_data.client.async_get_withdrawal_url(
            entry.data[CONF_SITE_ID], redirect_uri=redirect_uri
        )
    # Someone about to withdraw wants to see the balance that the portal will show (the token the
    # link needed is still alive); a payment made through it shows once the link has expired.
    rewards = entry.runtime_data.rewards
    await rewards.async_request_refresh()
    rewards.async_refresh_after_link(link.expires_at)
    return {"url": link.url, "expires_at": link.expires_at.isoformat()}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions once, when Home Assistant loads the integration."""
    hass.services.async_register(
        DOMAIN, SERVICE_SKIP_PAUSE, _async_handle_skip_pause, schema=CHARGER_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_RESEND_SCHEDULE, _async_handle_resend_schedule, schema=CHARGER_SCHEMA
    )
    # Offboarding deletes the home at Axle, with its rewards: only an administrator may do that.
    async_register_admin_service(
        hass, DOMAIN, SERVICE_OFFBOARD, _async_handle_offboard, schema=OFFBOARD_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_WITHDRAWAL_LINK,
        _async_handle_get_withdrawal_link,
        schema=ENTRY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
