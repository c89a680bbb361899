"""One simulated charger at run time: its device, what Home Assistant shows, and how reports arrive.

A command (a service call on one of its entities, or one of its actions) changes the device at
once; Home Assistant sees it only when the charger reports it: straight away under the caller's
context for a charger that reports at once, otherwise after the lag under a fresh context (a poll).
Reports run on Home Assistant's event-loop timers, so a frozen test clock decides when they land.
A fresh read (``homeassistant.update_entity``) is a poll made now: it shows the device as it is
(a command carried out shows, one ignored or not carried out yet does not), and an older poll's
stale value no longer comes after it.

The test-side helpers act as the people and things around the charger: the user in Home
Assistant (``user_set``), the vendor's app (``app_set``), the car (``plug_in``, ``unplug``,
``car_full``), the charger's own schedule (``own_schedule``) and its connection (``blip``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .device import Device

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.helpers.entity import Entity

    from .twins import Quirks, Twin, Value

DATA: Final = "sim_charger"


@dataclass(frozen=True, slots=True)
class Command:
    """A command the charger received (from anybody, the integration included)."""

    key: str  # the entity key, or the action as "domain.service"
    value: Any
    context_id: str
    user_id: str | None
    at: datetime


class SimCharger:
    """The runtime of one simulated charger (one config entry of its twin's domain)."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, twin: Twin, quirks: Quirks | None = None
    ) -> None:
        """Create the device in its initial state; entities register as they are added."""
        self.hass = hass
        self.entry_id = entry_id
        self.twin = twin
        self.quirks = quirks or twin.quirks
        self.device = Device(**twin.initial)
        self.shown: dict[str, Value] = {spec.key: spec.read(self.device) for spec in twin.entities}
        self.commands: list[Command] = []
        self.device_id: str | None = None
        # The person in Home Assistant: their calls carry their user id, as the frontend's do.
        self.user_id: str | None = None
        self._entities: dict[str, Entity] = {}
        self._timers: list[CALLBACK_TYPE] = []
        # The stale values still to come from older polls, by entity key.
        self._stale: dict[str, CALLBACK_TYPE] = {}
        self._blipping = False
        # While the connection is down (``blip``): when it comes back.
        self.blip_until: datetime | None = None
        self._to_ignore = 0

    # Plumbing for the entities

    def register(self, key: str, entity: Entity) -> None:
        """An entity of this charger was added to Home Assistant."""
        self._entities[key] = entity

    def shutdown(self) -> None:
        """Cancel the reports still on their way (the entry is unloaded)."""
        while self._timers:
            self._timers.pop()()

    def entity_id(self, key: str) -> str:
        """The entity id of one of the charger's entities."""
        spec = self.twin.spec(key)
        entity_id = er.async_get(self.hass).async_get_entity_id(
            spec.platform, self.twin.domain, f"{self.entry_id}_{key}"
        )
        assert entity_id is not None, f"{self.twin.profile} has no entity {key}"
        return entity_id

    def lag_of(self, key: str) -> float:
        """Seconds the charger takes to report that entity."""
        spec = self.twin.spec(key)
        lag = self.quirks.lag if spec.lag is None else spec.lag
        return max(lag, self.quirks.min_lag)

    @callback
    def _write(self, key: str, value: Value, context: Context | None) -> None:
        """Show ``value`` in Home Assistant, under ``context`` (None: a fresh one, as a poll)."""
        self.shown[key] = value
        entity = self._entities.get(key)
        if entity is None or entity.hass is None:
            return
        entity.async_set_context(context or Context())
        entity.async_write_ha_state()

    @callback
    def report(self, keys: tuple[str, ...] | None = None, context: Context | None = None) -> None:
        """Report the device as it is now: every entity whose value differs is written."""
        for spec in self.twin.entities:
            if keys is not None and spec.key not in keys:
                continue
            value = None if self._blipping else spec.read(self.device)
            if value != self.shown[spec.key]:
                self._write(spec.key, value, context)

    def _later(self, delay: float, action: Any) -> CALLBACK_TYPE:
        """Run ``action()`` after ``delay`` seconds of Home Assistant's clock; return a cancel."""

        @callback
        def _run(_now: datetime) -> None:
            self._timers.remove(cancel)
            action()

        cancel = async_call_later(self.hass, delay, _run)
        self._timers.append(cancel)

        def _cancel() -> None:
            if cancel in self._timers:
                self._timers.remove(cancel)
                cancel()

        return _cancel

    @callback
    def refresh(self, key: str) -> None:
        """Home Assistant asks for a fresh read of one entity: a poll now, under a fresh context."""
        if (cancel := self._stale.pop(key, None)) is not None:
            cancel()
        self.report((key,))

    @callback
    def report_changes(self, context: Context | None = None) -> None:
        """Report a change of the device: each entity after its lag (at once when it has none)."""
        by_lag: dict[float, list[str]] = {}
        for spec in self.twin.entities:
            by_lag.setdefault(self.lag_of(spec.key), []).append(spec.key)
        for lag, keys in sorted(by_lag.items()):
            if lag <= 0:
                self.report(tuple(keys), None if self.quirks.poll else context)
            else:
                self._later(lag, lambda keys=tuple(keys): self.report(keys))

    # Commands from Home Assistant

    @callback
    def command(self, key: str, value: Any, context: Context | None) -> None:
        """An entity was asked to change (a service call); ``context`` is the caller's."""
        self.commands.append(
            Command(
                key=key,
                value=value,
                context_id=context.id if context else "",
                user_id=context.user_id if context else None,
                at=dt_util.utcnow(),
            )
        )
        if self._ignores():
            return
        spec = self.twin.spec(key)
        assert spec.write is not None, f"{key} is read only"
        write = spec.write
        before = self.shown[key]
        lag = self.lag_of(key)
        if self.quirks.stale_first and lag > 0:
            # The entity shows the asked-for value at once; the next poll still has the old one.
            self._write(key, value, context)
            self._stale[key] = self._later(lag / 2, lambda: self._write(key, before, None))

        @callback
        def carry_out() -> None:
            write(self.device, value)
            self.report_changes(context)

        if self.quirks.actuation > 0:
            # The device carries the command out later; a fresh read meanwhile shows the old value.
            self._later(self.quirks.actuation, carry_out)
        else:
            carry_out()

    @callback
    def action(self, name: str, data: dict[str, Any], context: Context | None) -> None:
        """One of the twin's actions was called."""
        self.commands.append(
            Command(
                key=name,
                value=dict(data),
                context_id=context.id if context else "",
                user_id=context.user_id if context else None,
                at=dt_util.utcnow(),
            )
        )
        if self._ignores():
            return
        self.twin.actions[name](self.device, data)
        self.report_changes(context)

    # The people and things around the charger (test side)

    def _ignores(self) -> bool:
        """Whether the command just received is silently ignored."""
        if self._to_ignore > 0:
            self._to_ignore -= 1
            return True
        return self.quirks.ignore_commands

    def ignore_next(self, count: int) -> None:
        """Silently ignore the next ``count`` commands (then carry them out again)."""
        self._to_ignore = count

    def set_quirks(self, **changes: Any) -> None:
        """Change the charger's quirks from now on (e.g. ``ignore_commands=True``)."""
        self.quirks = replace(self.quirks, **changes)

    async def user_set(self, key: str, value: Any) -> None:
        """The user changes an entity in Home Assistant (a service call under their context)."""
        spec = self.twin.spec(key)
        data: dict[str, Any] = {ATTR_ENTITY_ID: self.entity_id(key)}
        if spec.platform == "switch":
            domain, service = "switch", "turn_on" if value else "turn_off"
        elif spec.platform == "lock":
            domain, service = "lock", "lock" if value else "unlock"
        elif spec.platform == "select":
            domain, service = "select", "select_option"
            data["option"] = value
        elif spec.platform == "number":
            domain, service = "number", "set_value"
            data["value"] = value
        else:
            raise AssertionError(f"{key} cannot be set")
        await self.hass.services.async_call(
            domain, service, data, blocking=True, context=Context(user_id=self.user_id)
        )
        await self.hass.async_block_till_done()

    async def user_action(self, name: str, data: dict[str, Any]) -> None:
        """The user calls one of the twin's actions in Home Assistant."""
        domain, _, service = name.partition(".")
        await self.hass.services.async_call(
            domain,
            service,
            {"device_id": self.device_id, **data},
            blocking=True,
            context=Context(user_id=self.user_id),
        )
        await self.hass.async_block_till_done()

    @callback
    def apply_app_changes(self, changes: dict[str, Any]) -> None:
        """Change the device as the vendor's app does; reported by the next poll."""
        for name, value in changes.items():
            setattr(self.device, name, value)
        self.report_changes()

    @callback
    def set_connected(self, connected: bool) -> None:
        """Plug the car in or out; the plug state is reported at once (a push)."""
        self.device.connected = connected
        self.device.car_full = False
        self.report()

    @callback
    def set_car_full(self) -> None:
        """The car stops drawing power by itself; reported after the lag."""
        self.device.car_full = True
        self.report_changes()

    async def app_set(self, **changes: Any) -> None:
        """The vendor's app changes the charger: no user in Home Assistant; reported by poll."""
        self.apply_app_changes(changes)
        await self.hass.async_block_till_done()

    async def plug_in(self) -> None:
        """The car is plugged in; the plug state is reported at once (a push)."""
        self.set_connected(True)
        await self.hass.async_block_till_done()

    async def unplug(self) -> None:
        """The car is unplugged; reported at once (a push)."""
        self.set_connected(False)
        await self.hass.async_block_till_done()

    async def car_full(self) -> None:
        """The car stops drawing power by itself; reported after the lag."""
        self.set_car_full()
        await self.hass.async_block_till_done()

    async def own_schedule(self, holding: bool) -> None:
        """The charger's own schedule starts (or stops) holding charging off."""
        self.device.own_schedule = holding
        self.report_changes()
        await self.hass.async_block_till_done()

    async def blip(self, seconds: float) -> None:
        """Every entity is unavailable for ``seconds``, then reports the device as it is."""
        self._blipping = True
        self.blip_until = dt_util.utcnow() + timedelta(seconds=seconds)
        self.report()

        def _back() -> None:
            self._blipping = False
            self.blip_until = None
            self.report()

        self._later(seconds, _back)
        await self.hass.async_block_till_done()

    @property
    def charging(self) -> bool:
        """Whether power flows to the car now (the device's truth, not what is shown)."""
        device = self.device
        return (
            device.connected
            and not device.car_full
            and not device.own_schedule
            and self.twin.allowed(device)
        )

    def state(self, key: str) -> str | None:
        """The state Home Assistant shows for one of the charger's entities."""
        state = self.hass.states.get(self.entity_id(key))
        return None if state is None else state.state

    def integration_commands(self) -> list[Command]:
        """The commands that did not come from the test's user (the integration's)."""
        return [
            command
            for command in self.commands
            if self.user_id is None or command.user_id != self.user_id
        ]


@callback
def register_device(hass: HomeAssistant, entry_id: str, sim: SimCharger) -> None:
    """Create the charger's device (so that actions can name it before the entities exist)."""
    twin = sim.twin
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry_id,
        identifiers={(twin.domain, entry_id)},
        name=twin.device_name,
        manufacturer=twin.manufacturer,
        model=twin.model,
    )
    sim.device_id = device.id
