"""Diagnostics of Axle Flex Lite: what a bug report needs, without anything personal."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME

from .const import (
    CONF_ASSET_ID,
    CONF_CONSENT_AT,
    CONF_EMAIL,
    CONF_EXTERNAL_ID,
    CONF_MPAN,
    CONF_POSTCODE,
    CONF_SITE_ID,
    CONF_STREET_ADDRESS,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from . import AxleFlexLiteConfigEntry

# The entry's title and unique id hold the postcode and the MPAN.
TO_REDACT = {
    CONF_USERNAME,
    CONF_PASSWORD,
    "token",
    "access_token",
    CONF_MPAN,
    CONF_STREET_ADDRESS,
    CONF_POSTCODE,
    CONF_EMAIL,
    CONF_SITE_ID,
    CONF_ASSET_ID,
    CONF_EXTERNAL_ID,
    CONF_CONSENT_AT,
    "title",
    "unique_id",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AxleFlexLiteConfigEntry
) -> dict[str, Any]:
    """Diagnostics of one config entry, redacted."""
    runtime = entry.runtime_data
    controller = runtime.controller
    rewards = runtime.rewards
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            # Status, participation, the current session and the last few sessions.
            "controller": controller.diagnostics(),
            "api_exchanges": [asdict(exchange) for exchange in runtime.client.exchanges],
            "rewards": {
                "last_update_success": rewards.last_update_success,
                "data": asdict(rewards.data) if rewards.data is not None else None,
            },
        },
        TO_REDACT,
    )
