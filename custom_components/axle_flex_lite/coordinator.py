"""Rewards coordinator of Axle Flex Lite: the site's rewards balance.

The balance is never more than 6 hours old: every fetch, whatever asked for it, restarts the
6-hour timer, so a session's end or the user's request stands in for the periodic read rather
than adding to it. On top of the timer the balance is read after each session ends (unless a
read already came at or after its end), when the user asks (``homeassistant.update_entity``),
when a withdrawal link is handed out and once that link has expired (a payment can only be made
through it meanwhile). The client logs in only when a call needs a token, and a token still alive
from another call (a schedule, a link) is reused. A failed read is tried again after an hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import AxleAuthenticationError, AxleClient, AxleError, BalanceInfo
from .const import (
    CONF_SITE_ID,
    DOMAIN,
    LOGGER,
    REWARDS_RETRY_INTERVAL,
    REWARDS_UPDATE_INTERVAL,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from homeassistant.core import HomeAssistant

    from . import AxleFlexLiteConfigEntry
    from .controller import SessionController


class RewardsCoordinator(DataUpdateCoordinator[BalanceInfo]):
    """Fetches the balance after sessions, payments and on request; 6 hours apart at most."""

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
        # When the last read that Axle answered was made (its answer is at least that recent).
        self.fetched_at: datetime | None = None
        self._cancel_after_link: CALLBACK_TYPE | None = None

    def _refresh_in_background(self, name: str) -> None:
        """Ask for a fresh balance without holding up the caller (debounced with the others)."""
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), f"{DOMAIN} rewards {name}"
        )

    @callback
    def async_refresh_after_sessions(self, controller: SessionController) -> Callable[[], None]:
        """Fetch the balance each time a session ends; returns a function that stops it."""
        last = controller.history[-1] if controller.history else None

        @callback
        def _controller_updated() -> None:
            nonlocal last
            newest = controller.history[-1] if controller.history else None
            if newest is last:
                return
            last = newest
            ended = newest.ended_at if newest is not None else None
            if ended is not None and self.fetched_at is not None and self.fetched_at >= ended:
                # The timer's read came at the session's end: it already shows its earnings.
                return
            self._refresh_in_background("after a session")

        return controller.async_add_listener(_controller_updated)

    @callback
    def async_refresh_after_link(self, expires_at: datetime) -> None:
        """Read the balance again once a withdrawal link has expired (a payment may be made).

        Only the latest link counts: it expires last, so its read comes after every payment.
        """
        self.async_cancel_link_refresh()

        @callback
        def _link_expired(_now: datetime) -> None:
            self._cancel_after_link = None
            self._refresh_in_background("after a withdrawal link")

        self._cancel_after_link = async_track_point_in_utc_time(
            self.hass, _link_expired, max(expires_at, dt_util.utcnow())
        )

    @callback
    def async_cancel_link_refresh(self) -> None:
        """Forget the read planned for a link's expiry (the entry unloads)."""
        if self._cancel_after_link is not None:
            self._cancel_after_link()
            self._cancel_after_link = None

    async def _async_update_data(self) -> BalanceInfo:
        """Fetch the balance; a refused login asks the user to sign in again."""
        requested_at = dt_util.utcnow()
        try:
            balance = await self.client.async_get_balance_info(self.config_entry.data[CONF_SITE_ID])
        except AxleAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="authentication_failed"
            ) from err
        except AxleError as err:
            # Sooner than the 6 hours: the balance is already as old as it may get.
            self.update_interval = REWARDS_RETRY_INTERVAL
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rewards_update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        self.update_interval = REWARDS_UPDATE_INTERVAL
        self.fetched_at = requested_at
        return balance
