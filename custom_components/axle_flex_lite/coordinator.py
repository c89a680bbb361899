"""Rewards coordinator of Axle Flex Lite: the site's rewards balance.

Rewards change when a session ends or a payment is made, so the balance is fetched after each
session, when the user asks (``homeassistant.update_entity`` on a rewards entity) and otherwise
every 6 hours. Each fetch outside a session costs a login too (tokens live an hour).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import AxleAuthenticationError, AxleClient, AxleError, BalanceInfo
from .const import CONF_SITE_ID, DOMAIN, LOGGER, REWARDS_UPDATE_INTERVAL

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant

    from . import AxleFlexLiteConfigEntry
    from .controller import SessionController


class RewardsCoordinator(DataUpdateCoordinator[BalanceInfo]):
    """Fetches the rewards balance after sessions, on request, and every 6 hours at most."""

    config_entry: AxleFlexLiteConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: AxleFlexLiteConfigEntry, client: AxleClient
    ) -> None:
        """Poll the balance of the entry's site with the entry's client."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} rewards",
            update_interval=REWARDS_UPDATE_INTERVAL,
        )
        self.client = client

    @callback
    def async_refresh_after_sessions(self, controller: SessionController) -> Callable[[], None]:
        """Fetch the balance each time a session ends; returns a function that stops it."""
        last = controller.history[-1] if controller.history else None

        @callback
        def _controller_updated() -> None:
            nonlocal last
            newest = controller.history[-1] if controller.history else None
            if newest is not last:
                last = newest
                self.config_entry.async_create_background_task(
                    self.hass, self.async_request_refresh(), f"{DOMAIN} rewards after a session"
                )

        return controller.async_add_listener(_controller_updated)

    async def _async_update_data(self) -> BalanceInfo:
        """Fetch the balance; a refused login asks the user to sign in again."""
        try:
            return await self.client.async_get_balance_info(self.config_entry.data[CONF_SITE_ID])
        except AxleAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="authentication_failed"
            ) from err
        except AxleError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rewards_update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
