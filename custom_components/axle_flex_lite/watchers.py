"""The session controller's patience: changes it waits out before acting on them.

* A value that contradicts our running pause is an override only when it persists past the
  charger's latency window (a stale poll or a bounce is gone by then; the vendor's app is not).
* An unplug ends the session only when it lasts the settle time (a cable wiggle does not).
* After an override, the user's plan goes to Axle once it has been steady for a minute, and only
  when it differs from the last plan sent (a flapping switch sends nothing new).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import CONF_UNPLUG_SETTLE, DEFAULT_UNPLUG_SETTLE, LOGGER, OVERRIDE_RESEND_DELAY
from .controls import as_number

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.core import CALLBACK_TYPE

    from .controller import SessionController


class Watchers:
    """Timers that let a change settle before the controller acts on it."""

    def __init__(self, controller: SessionController) -> None:
        """Wait on behalf of ``controller``."""
        self._controller = controller
        self._contradictions: dict[str, CALLBACK_TYPE] = {}
        self._cancel_unplug: CALLBACK_TYPE | None = None
        self._cancel_resend: CALLBACK_TYPE | None = None

    @property
    def unplug_settle(self) -> timedelta:
        """How long an unplug must last before it ends the session."""
        seconds = as_number(self._controller.settings.get(CONF_UNPLUG_SETTLE))
        return DEFAULT_UNPLUG_SETTLE if seconds is None else timedelta(seconds=max(seconds, 0))

    def cancel(self, *, unplug: bool = False) -> None:
        """Stop waiting for contradictions and resends (and, with ``unplug``, for an unplug)."""
        for cancel in self._contradictions.values():
            cancel()
        self._contradictions.clear()
        if unplug:
            self.cancel_unplug()
        if self._cancel_resend is not None:
            self._cancel_resend()
            self._cancel_resend = None

    # A change that fights our pause

    def watch_contradiction(self, entity_id: str) -> None:
        """Take a change of the charger's own as an override if it still fights our pause later."""
        if not self._controller.contradicts_pause(entity_id) or entity_id in self._contradictions:
            return
        charger = self._controller.charger
        sent = charger.awaiting(entity_id)
        delay = charger.latency_window
        if sent is not None:
            # Our command is still on its way: its window ends first.
            delay += max(sent.sent_at + charger.latency_window - dt_util.utcnow(), timedelta(0))

        async def _async_check(_now: datetime) -> None:
            self._contradictions.pop(entity_id, None)
            if self._controller.contradicts_pause(entity_id):
                LOGGER.info("%s keeps fighting the pause: taken as the user's", entity_id)
                self._controller.take_over(entity_id)

        self._contradictions[entity_id] = async_call_later(
            self._controller.hass, delay, _async_check
        )

    # Unplug

    def watch_unplug(self) -> None:
        """End the session if the plug stays out for the settle time."""
        if self._cancel_unplug is not None:
            return
        controller = self._controller
        if not self.unplug_settle:
            controller.create_task(controller.async_unplugged(), "unplug")
            return

        async def _async_settled(_now: datetime) -> None:
            self._cancel_unplug = None
            if controller.plugged_in is False and controller.session is not None:
                await controller.async_unplugged()

        self._cancel_unplug = async_call_later(controller.hass, self.unplug_settle, _async_settled)

    def cancel_unplug(self) -> None:
        """Stop waiting for an unplug to settle (the car is back, or gone for good)."""
        if self._cancel_unplug is not None:
            self._cancel_unplug()
            self._cancel_unplug = None

    # Resend after an override

    def schedule_resend(self) -> None:
        """Send the user's plan to Axle once it has been steady for a while (coalesced)."""
        if self._cancel_resend is not None:
            self._cancel_resend()
        controller = self._controller

        async def _async_resend(_now: datetime) -> None:
            self._cancel_resend = None
            await controller.async_send_user_plan()

        self._cancel_resend = async_call_later(
            controller.hass, OVERRIDE_RESEND_DELAY, _async_resend
        )
