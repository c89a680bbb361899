"""Drives the charger for the session controller: pause it, let it charge, put back what we changed.

Whatever it changes it remembers first (the values to put back are stored by the controller), so
that exactly the user's own value returns at the end of a pause, at unplug, unload and shutdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .charger import values_match
from .const import LOGGER, ControlKind
from .scheduling import ChargerCommand

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import datetime

    from .charger import Charger
    from .storage import RestoreValue


class ChargerDriver:
    """Brings the charger to a ``ChargerCommand`` and keeps the values to put back."""

    def __init__(self, charger: Charger, save: Callable[[], Awaitable[None]]) -> None:
        """Drive ``charger``; ``save`` stores the values to put back before the first change."""
        self.charger = charger
        self._save = save
        self.restore: dict[str, RestoreValue] = {}
        # The control's last value seen that lets the car charge (stored): a select or current
        # with no fixed charging value resumes to it when a new night charges over the user's
        # own "no charging" from an earlier night.
        self.charging: dict[str, RestoreValue] = {}
        # Put-backs sent that the charger could not confirm (unavailable, or the car gone).
        self._owed: set[str] = set()
        charger.on_unconfirmed = self._async_owe

    async def async_follow(self, command: ChargerCommand) -> None:
        """Pause, allow charging, or let go (put back what we changed)."""
        if command is ChargerCommand.PAUSE:
            await self.async_hold_pause()
            return
        control = self.charger.entities.control
        charge = control.charge_value if control is not None else None
        if command is ChargerCommand.CHARGE and control is not None and charge is None:
            charge = self._resume_over_users_pause()
        if command is not ChargerCommand.CHARGE or control is None or charge is None:
            await self.async_release()
            return
        # The control's value to put back stays while it charges, so that the window's end and
        # the unplug put back the user's own, never the value we set. A switch's "off" found
        # now is not remembered: it may only show the charger's status (a switch that follows
        # it), and the car must not be left held after unplug. A lock, a "lock charger" switch
        # or a select shows a setting: the user's "no charging" found now is put back later.
        await self.async_release(keep=control.key)
        if (kept := self.restore.get(control.key)) is not None and values_match(kept, charge):
            self.restore.pop(control.key)
        elif kept is None and control.kind is not ControlKind.SWITCH and control.readable:
            value = self._value_now(control.key)
            if value is not None and self._allows_charging(value) is False:
                self.restore[control.key] = value
                await self._save()
        await self.charger.async_ensure(control.key, charge)

    def _resume_over_users_pause(self) -> RestoreValue | None:
        """Return the value to charge at when a control with no fixed one is held at "no charging".

        A select or current kept to put back at a value that does not charge, or found so with
        nothing to put back, was left so by the user before this plan (an earlier night they took
        over, or before Flex Lite was turned on). This plan charges all the same, at the last
        charging value seen; the user's value is kept, to be put back after the window and at
        unplug. None: its own charging value comes back, it charges already, or none is known.
        """
        control = self.charger.entities.control
        if control is None or not control.readable:
            return None
        key = control.key
        resume = self.charging.get(key)
        if resume is None:
            return None
        if (kept := self.restore.get(key)) is not None:
            return resume if self._allows_charging(kept) is False else None
        value = self._value_now(key)
        if value is None or self._allows_charging(value) is not False:
            return None
        self.restore[key] = value
        return resume

    def _value_now(self, entity_id: str) -> RestoreValue | None:
        """Return the entity's value, or the one our command or a checked put-back brings."""
        if (sent := self.charger.awaiting(entity_id)) is not None:
            # A command of ours is on its way (a put-back before a reload): that is the value.
            return sent.wanted
        if (checked := self.charger.checking(entity_id)) is not None:
            # A put-back owed from before the car left is being checked: that is the value.
            return checked
        return self.charger.value(entity_id)

    def _allows_charging(self, value: RestoreValue) -> bool | None:
        """Whether the control set to ``value`` would let the car charge."""
        control = self.charger.entities.control
        if control is None:
            return None
        state = self.charger.hass.states.get(control.entity_id) if control.entity_id else None
        return control.allows_charging(value, state)

    def note_charging_value(self) -> bool:
        """Remember the control's value if it lets the car charge; return whether it is new."""
        control = self.charger.entities.control
        if control is None or not control.readable or self.charger.charging_allowed is not True:
            return False
        value = self.charger.value(control.key)
        if value is None or self.charging.get(control.key) == value:
            return False
        self.charging = {control.key: value}
        return True

    async def async_hold_pause(self) -> None:
        """Pause the charger the way its control kind does (see ``controls.py``).

        The value found is remembered before the first change, so that exactly it is put back.
        """
        control = self.charger.entities.control
        if control is None:
            return
        entity_id = control.key
        wanted = self.charger.pause_value()
        current = self._value_now(entity_id)
        self._owed.discard(entity_id)
        if current is None and not control.readable:
            # Actions cannot be read back: before our first pause the charger was allowed to charge.
            current = control.charge_value
        if current is None or wanted is None:
            LOGGER.warning("%s is unavailable at a pause; it is paused when it is back", entity_id)
            return
        if entity_id not in self.restore and not values_match(current, wanted):
            self.restore[entity_id] = current
            await self._save()
        await self.charger.async_ensure(entity_id, wanted)

    async def async_release(self, *, verify: bool = True, keep: str | None = None) -> None:
        """Put back every value we changed (but ``keep``'s); an unavailable one when it returns."""
        for entity_id, value in list(self.restore.items()):
            if entity_id == keep:
                continue
            if verify and entity_id in self._owed:
                if self.charger.plug_state is not True:
                    continue  # still no car: the entity cannot show the value yet
                # The car is back: its charger reports within its latency; sent only if not.
                self._owed.discard(entity_id)
                self.restore.pop(entity_id, None)
                self.charger.check_later(entity_id, value)
                continue
            if not await self.charger.async_ensure(entity_id, value, verify=verify):
                LOGGER.warning("%s is unavailable; it is put back when it returns", entity_id)
                continue
            self.restore.pop(entity_id, None)

    def follow_rename(self, old: str, new: str) -> None:
        """Move the value to put back of entity ``old`` to its new id ``new``."""
        if old in self.restore:
            self.restore[new] = self.restore.pop(old)
        if old in self.charging:
            self.charging[new] = self.charging.pop(old)
        if old in self._owed:
            self._owed.discard(old)
            self._owed.add(new)

    async def _async_owe(self, entity_id: str, value: RestoreValue) -> None:
        """Keep a put-back the charger could not confirm (unavailable, or no car), for later.

        Kept with the values to put back (so it is stored): the next apply with a car plugged in
        checks it after the latency window and sends it only if the entity still says otherwise.
        A pause is never owed.
        """
        pause = self.charger.pause_value()
        control = self.charger.entities.control
        is_pause = (
            control is not None
            and entity_id == control.key
            and pause is not None
            and values_match(value, pause)
        )
        if entity_id in self.restore or is_pause:
            return
        self.restore[entity_id] = value
        self._owed.add(entity_id)
        await self._save()

    def keep_users_pause(self) -> None:
        """Put the control back to its value later when it does not charge (the user left it so)."""
        control = self.charger.entities.control
        value = self.charger.value(control.key) if control is not None else None
        if control is not None and value is not None and self.charger.charging_allowed is False:
            self.restore.setdefault(control.key, value)

    def keep_put_back_pause(self, values: dict[str, RestoreValue]) -> None:
        """Keep, from ``values`` just put back, the control's "no charging" (the user's kept one).

        Not for actions: nothing shows them, so after a removal nobody could tell it was done.
        """
        control = self.charger.entities.control
        value = values.get(control.key) if control is not None else None
        if (
            control is not None
            and control.readable
            and value is not None
            and control.allows_charging(value) is False
        ):
            self.restore.setdefault(control.key, value)

    def drop_users_pause(self) -> bool:
        """Drop a "no charging" still to put back (unavailable at unplug); return whether it was.

        Only a user's kept pause can be one; the next plug-in must find the car allowed to charge.
        """
        control = self.charger.entities.control
        value = self.restore.get(control.key) if control is not None else None
        if control is None or value is None or control.allows_charging(value) is not False:
            return False
        del self.restore[control.key]
        return True

    def sent_the_pause(self, entity_id: str, since: datetime) -> bool:
        """Whether the pause the control shows is one we sent (not one it showed by itself).

        Our last command to it since ``since`` (the session's start) tells: one before is the
        last car's. Not known (a person's change dropped it, or a store from before the last
        command was kept): a value to put back that charges tells that we paused a charging
        charger; a kept "no charging" of the user's, or a put-back owed since the car left, is no
        pause of ours.
        """
        wanted = self.charger.pause_value()
        sent = self.charger.sent.get(entity_id)
        if sent is not None and wanted is not None:
            return sent.sent_at >= since and values_match(sent.wanted, wanted)
        control = self.charger.entities.control
        kept = self.restore.get(entity_id)
        return (
            control is not None
            and kept is not None
            and entity_id not in self._owed
            and control.allows_charging(kept) is not False
        )

    def forget(self, entity_id: str) -> None:
        """Do not put this entity back: the user set it themselves."""
        self.restore.pop(entity_id, None)
        self._owed.discard(entity_id)
