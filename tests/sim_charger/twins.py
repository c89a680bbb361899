"""The simulated twins of the chargers UK homes have, one per charger profile.

Each twin has the real integration's domain (so its entities' platform is what Home Assistant
shows for the real one), entity ids built the way the real integration builds them (device name
plus entity name), the same states and options, and the quirks of the real one as defaults
(see ``Quirks``). The facts come from the integrations' own source; the twins are built apart
from the integration's charger profiles on purpose, so that the profiles are tested against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

    from .device import Device

# A reported value: bool for switches, binary sensors and locks (True = on / locked), str for
# sensors and selects, float for numbers; None for unavailable.
type Value = bool | str | float | None
# Whether the charger's controls allow charging.
type Allowed = Callable[[Device], bool]


@dataclass(frozen=True, slots=True, kw_only=True)
class Quirks:
    """How the real charger reports, as settings.

    ``lag``: seconds from a change of the charger to the report in Home Assistant.
    ``poll``: reports come from a poll or a push of the charger (a fresh context), not under the
    context of the call that caused them.
    ``stale_first``: the entity shows the asked-for value at once (optimistically, under the
    caller's context), the next poll (at half the lag) reports the old value again, and the new
    value only arrives after the whole lag.
    ``ignore_commands``: the charger accepts commands and silently does nothing.
    ``min_lag``: no entity reports sooner than this (also those that report at once).
    ``actuation``: seconds the device takes to carry a command out (its reports come after);
    until then a fresh read shows the old value. Report lag, by contrast, is only the poll: a
    fresh read shows a command carried out at once.
    """

    lag: float = 0.0
    poll: bool = False
    stale_first: bool = False
    ignore_commands: bool = False
    min_lag: float = 0.0
    actuation: float = 0.0


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One entity of a twin: how its value is read from the device and, if writable, written."""

    platform: str  # sensor, binary_sensor, switch, select, lock, number
    key: str  # unique id suffix and the entity's name in snake case
    name: str
    read: Callable[[Device], Value]
    write: Callable[[Device, Any], None] | None = None
    options: tuple[str, ...] = ()  # select options, or the options of an enum sensor
    device_class: str | None = None
    minimum: float = 0.0
    maximum: float = 32.0
    # Reported after this many seconds instead of the twin's lag (None: the twin's lag).
    lag: float | None = None


class Brand(NamedTuple):
    """Whose charger it is: its profile, its integration's domain, and its device's names."""

    profile: str
    domain: str
    device_name: str
    manufacturer: str
    model: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Twin:
    """A simulated charger: its integration, its device, its entities and quirks."""

    profile: str
    domain: str
    device_name: str
    manufacturer: str
    model: str
    entities: tuple[EntitySpec, ...]
    allowed: Allowed  # the controls allow charging
    quirks: Quirks = Quirks()
    initial: dict[str, Any] = field(default_factory=dict)
    # Actions the integration registers, as {"domain.service": handler(device, data)}.
    actions: dict[str, Callable[[Device, dict[str, Any]], None]] = field(default_factory=dict)

    def spec(self, key: str) -> EntitySpec:
        """Return the entity spec with that key."""
        return next(spec for spec in self.entities if spec.key == key)


# An entity whose reading depends on whether the twin's controls allow charging (a status sensor,
# a switch that mirrors charging): made once the twin's ``allowed`` is known.
type Part = EntitySpec | Callable[[Allowed], EntitySpec]


def twin(
    brand: Brand,
    allowed: Allowed,
    quirks: Quirks,
    *parts: Part,
    initial: dict[str, Any] | None = None,
    actions: dict[str, Callable[[Device, dict[str, Any]], None]] | None = None,
) -> Twin:
    """A twin of ``brand`` with the entities ``parts``; what it alone has is said by name."""
    return Twin(
        **brand._asdict(),
        allowed=allowed,
        quirks=quirks,
        entities=tuple(part if isinstance(part, EntitySpec) else part(allowed) for part in parts),
        initial=initial or {},
        actions=actions or {},
    )


def polled(lag: float, *, stale_first: bool = False) -> Quirks:
    """The quirks of a charger whose reports come from polls (or pushes), ``lag`` seconds late."""
    return Quirks(lag=lag, poll=True, stale_first=stale_first)


def charging(twin_allowed: Allowed, device: Device) -> bool:
    """Whether power flows: a car that wants charge, controls that allow it, no own schedule."""
    return (
        device.connected
        and not device.car_full
        and not device.own_schedule
        and twin_allowed(device)
    )


def plug(device: Device) -> Value:
    return device.connected


def current(device: Device) -> Value:
    return device.current


def set_current(device: Device, value: Any) -> None:
    device.current = float(value)


def mode(device: Device) -> Value:
    return device.mode


def set_mode(device: Device, value: Any) -> None:
    device.mode = str(value)


def enabled(device: Device) -> Value:
    return device.enabled


def set_enabled(device: Device, value: Any) -> None:
    device.enabled = bool(value)


def disabled(device: Device) -> Value:
    return not device.enabled


def set_disabled(device: Device, value: Any) -> None:
    device.enabled = not bool(value)


def when_connected(read: Callable[[Device], Value]) -> Callable[[Device], Value]:
    """Entities that are unavailable while no car is connected."""
    return lambda device: read(device) if device.connected else None


class States(NamedTuple):
    """What a status sensor shows: no car, charging, car full, its own schedule, held off."""

    unplugged: str
    charging: str
    full: str
    own_schedule: str
    stopped: str  # the charger's controls hold charging off


def status(allowed: Allowed, states: States) -> Callable[[Device], Value]:
    """A status sensor: which of the charger's states it is in."""

    def read(device: Device) -> Value:
        if not device.connected:
            return states.unplugged
        if not allowed(device):
            return states.stopped
        if device.car_full:
            return states.full
        if device.own_schedule:
            return states.own_schedule
        return states.charging

    return read


def status_sensor(
    key: str, name: str, states: States, options: tuple[str, ...] = ()
) -> Callable[[Allowed], EntitySpec]:
    """A status sensor; with ``options`` an enum sensor that lists them."""
    return lambda allowed: EntitySpec(
        platform="sensor",
        key=key,
        name=name,
        read=status(allowed, states),
        options=options,
        device_class="enum" if options else None,
    )


def switch(
    key: str,
    name: str,
    read: Callable[[Device], Value],
    write: Callable[[Device, Any], None] = set_enabled,
    lag: float | None = None,
) -> EntitySpec:
    return EntitySpec(platform="switch", key=key, name=name, read=read, write=write, lag=lag)


def select(
    key: str, name: str, options: tuple[str, ...], read: Callable[[Device], Value] = mode
) -> EntitySpec:
    return EntitySpec(
        platform="select", key=key, name=name, options=options, read=read, write=set_mode
    )


def number(key: str, name: str, minimum: float, maximum: float) -> EntitySpec:
    return EntitySpec("number", key, name, current, set_current, minimum=minimum, maximum=maximum)


def plug_sensor(key: str, name: str) -> EntitySpec:
    return EntitySpec(platform="binary_sensor", key=key, name=name, read=plug, device_class="plug")


def mirror(allowed: Allowed) -> Callable[[Device], Value]:
    """A switch that shows whether the charger is charging (it flips by itself)."""
    return lambda device: charging(allowed, device)


def mirror_switch(
    key: str, name: str, *, lag: float | None = None, only_connected: bool = False
) -> Callable[[Allowed], EntitySpec]:
    """A switch that shows whether the charger is charging (unavailable without a car if told)."""

    def made(allowed: Allowed) -> EntitySpec:
        read = mirror(allowed)
        return switch(key, name, when_connected(read) if only_connected else read, lag=lag)

    return made


def enabled_allowed(device: Device) -> bool:
    return device.enabled


def mode_allowed(stop: str) -> Allowed:
    return lambda device: device.mode != stop


def _all_twins() -> dict[str, Twin]:
    from . import twins_cloud, twins_local

    made = [*twins_local.TWINS, *twins_cloud.TWINS]
    return {twin.profile: twin for twin in made}


TWINS: Final[dict[str, Twin]] = _all_twins()
