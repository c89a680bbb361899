"""Actions (services) of Axle Flex Lite. CONTRACT STUB: registration is being written."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions once, when Home Assistant loads the integration."""
