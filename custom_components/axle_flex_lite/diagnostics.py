"""Diagnostics of Axle Flex Lite: what a bug report needs, without anything personal."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Final

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
from .storage import time_to_json

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from . import AxleFlexLiteConfigEntry
    from .controller import SessionController

RECENT_HISTORY_IN_DIAGNOSTICS: Final = 5

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
    rewards = runtime.rewards
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            # Per charger: its settings, status, participation, the current session and the
            # last few sessions.
            "chargers": [
                {
                    "data": dict(controller.settings),
                    "controller": controller_diagnostics(controller),
                }
                for controller in runtime.controllers.values()
            ],
            "api_exchanges": [asdict(exchange) for exchange in runtime.client.exchanges],
            "rewards": {
                "last_update_success": rewards.last_update_success,
                "data": asdict(rewards.data) if rewards.data is not None else None,
            },
        },
        TO_REDACT,
    )


def controller_diagnostics(controller: SessionController) -> dict[str, Any]:
    """Return the controller's state as plain JSON, without anything personal."""
    window_start, window_end = controller.window
    next_pause = controller.next_pause
    session = controller.session
    return {
        "status": controller.status.value,
        "participating": controller.participating,
        "consent_blocked": controller.axle.consent_blocked,
        "plugged_in": controller.plugged_in,
        "pause_active": controller.pause_active,
        "next_pause": [time_to_json(edge) for edge in next_pause] if next_pause else None,
        "next_change": time_to_json(controller.next_change),
        "control_mode": controller.control_mode.value,
        "window": [window_start.isoformat(), window_end.isoformat()],
        "charger_entities": list(controller.charger.entities.all),
        "values_to_restore": controller.values_to_restore,
        "retry_pending": controller.axle.retry_pending,
        "last_schedule_sync": time_to_json(controller.axle.last_schedule_sync),
        "last_api_error": controller.last_api_error,
        "session": session.to_json() if session else None,
        "history_length": len(controller.history),
        "recent_history": [
            record.to_json() for record in controller.history[-RECENT_HISTORY_IN_DIAGNOSTICS:]
        ],
    }
