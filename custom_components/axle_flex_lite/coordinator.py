"""Rewards coordinator of Axle Flex Lite: the site's rewards balance, about once an hour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import AxleAuthenticationError, AxleClient, AxleError, BalanceInfo
from .const import CONF_SITE_ID, DOMAIN, LOGGER, REWARDS_UPDATE_INTERVAL

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from . import AxleFlexLiteConfigEntry


class RewardsCoordinator(DataUpdateCoordinator[BalanceInfo]):
    """Fetches the rewards balance; Axle updates it at most daily, so hourly is plenty."""

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
