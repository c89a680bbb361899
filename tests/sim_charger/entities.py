"""The simulated chargers' entities: each shows what its charger last reported.

``setup_entry_for(platform)`` returns the ``async_setup_entry`` of one entity platform; the same
functions serve the twins' domains in the tests (registered as mock platforms) and in a real
Home Assistant (through the small integrations ``install.py`` writes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.binary_sensor import BinarySensorDeviceClass, BinarySensorEntity
from homeassistant.components.lock import LockEntity
from homeassistant.components.number import NumberEntity
from homeassistant.components.select import SelectEntity
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.components.switch import SwitchEntity
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .runtime import DATA, SimCharger

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddEntitiesCallback

    from .twins import EntitySpec

PLATFORMS = ("binary_sensor", "lock", "number", "select", "sensor", "switch")


class SimEntity(Entity):
    """Base: named like the real one, no polling, available while it reports a value."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, sim: SimCharger, spec: EntitySpec) -> None:
        """Bind the entity to its charger and its spec."""
        self.sim = sim
        self.spec = spec
        self._attr_name = spec.name
        self._attr_unique_id = f"{sim.entry_id}_{spec.key}"
        self._attr_device_info = DeviceInfo(identifiers={(sim.twin.domain, sim.entry_id)})

    async def async_added_to_hass(self) -> None:
        """Let the charger write this entity's reports."""
        self.sim.register(self.spec.key, self)

    async def async_update(self) -> None:
        """A fresh read asked for by Home Assistant (``homeassistant.update_entity``)."""
        self.sim.refresh(self.spec.key)

    @property
    def shown(self) -> Any:
        """What the charger last reported for this entity."""
        return self.sim.shown[self.spec.key]

    @property
    def available(self) -> bool:
        """Unavailable while the charger reports nothing for it."""
        return self.shown is not None

    def _command(self, value: Any) -> None:
        self.sim.command(self.spec.key, value, self._context)


class SimSensor(SimEntity, SensorEntity):
    """A status sensor (an enum when the real one has options)."""

    def __init__(self, sim: SimCharger, spec: EntitySpec) -> None:
        """Enum sensors list their options."""
        super().__init__(sim, spec)
        if spec.device_class == "enum":
            self._attr_device_class = SensorDeviceClass.ENUM
            self._attr_options = list(spec.options)

    @property
    def native_value(self) -> str | None:
        """The reported state."""
        return None if self.shown is None else str(self.shown)


class SimBinarySensor(SimEntity, BinarySensorEntity):
    """A plug binary sensor."""

    def __init__(self, sim: SimCharger, spec: EntitySpec) -> None:
        """Plug sensors say so."""
        super().__init__(sim, spec)
        if spec.device_class == "plug":
            self._attr_device_class = BinarySensorDeviceClass.PLUG

    @property
    def is_on(self) -> bool | None:
        """The reported state."""
        return None if self.shown is None else bool(self.shown)


class SimSwitch(SimEntity, SwitchEntity):
    """A charger switch."""

    @property
    def is_on(self) -> bool | None:
        """The reported state."""
        return None if self.shown is None else bool(self.shown)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Ask the charger to switch on."""
        self._command(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Ask the charger to switch off."""
        self._command(False)


class SimLock(SimEntity, LockEntity):
    """A charger lock (locked = charging disabled): a switch whose "on" is "locked"."""

    is_locked = SimSwitch.is_on
    async_lock = SimSwitch.async_turn_on
    async_unlock = SimSwitch.async_turn_off


class SimSelect(SimEntity, SelectEntity):
    """A charge-mode select."""

    def __init__(self, sim: SimCharger, spec: EntitySpec) -> None:
        """The options are the real one's."""
        super().__init__(sim, spec)
        self._attr_options = list(spec.options)

    @property
    def current_option(self) -> str | None:
        """The reported option."""
        return None if self.shown is None else str(self.shown)

    async def async_select_option(self, option: str) -> None:
        """Ask the charger for a mode."""
        self._command(option)


class SimNumber(SimEntity, NumberEntity):
    """A charging-current number, in amperes."""

    _attr_native_step = 1.0
    _attr_native_unit_of_measurement = "A"

    def __init__(self, sim: SimCharger, spec: EntitySpec) -> None:
        """The range is the real one's."""
        super().__init__(sim, spec)
        self._attr_native_min_value = spec.minimum
        self._attr_native_max_value = spec.maximum

    @property
    def native_value(self) -> float | None:
        """The reported current."""
        return None if self.shown is None else float(self.shown)

    async def async_set_native_value(self, value: float) -> None:
        """Ask the charger for a current."""
        self._command(value)


ENTITY_CLASSES: dict[str, type[SimEntity]] = {
    "binary_sensor": SimBinarySensor,
    "lock": SimLock,
    "number": SimNumber,
    "select": SimSelect,
    "sensor": SimSensor,
    "switch": SimSwitch,
}


def setup_entry_for(
    platform: str,
) -> Callable[[HomeAssistant, ConfigEntry, AddEntitiesCallback], Coroutine[Any, Any, None]]:
    """Return the ``async_setup_entry`` of one entity platform of the simulated chargers."""

    async def async_setup_entry(
        hass: HomeAssistant, entry: ConfigEntry, async_add_entities: AddEntitiesCallback
    ) -> None:
        sim: SimCharger = hass.data[DATA][entry.entry_id]
        async_add_entities(
            ENTITY_CLASSES[platform](sim, spec)
            for spec in sim.twin.entities
            if spec.platform == platform
        )

    return async_setup_entry
