"""Binary sensors of Axle Flex Lite: pause running, car plugged in, rewards withdrawable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

# Home Assistant 2026.x moved the device classes to .const and re-exports them implicitly.
from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined,unused-ignore]
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)

from .entity import LOW_USE_DIAGNOSTIC, AxleFlexLiteControllerEntity, AxleFlexLiteRewardsEntity

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from . import AxleFlexLiteConfigEntry
    from .controller import SessionController

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AxleFlexLiteBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A binary sensor read from the session controller."""

    is_on_fn: Callable[[SessionController], bool | None]


BINARY_SENSORS: tuple[AxleFlexLiteBinarySensorEntityDescription, ...] = (
    AxleFlexLiteBinarySensorEntityDescription(
        key="pause_active",
        is_on_fn=lambda controller: controller.pause_active,
    ),
    AxleFlexLiteBinarySensorEntityDescription(
        key="plugged_in",
        device_class=BinarySensorDeviceClass.PLUG,
        # The charger's own plug entity shows the same; this one shows how the integration reads it.
        **LOW_USE_DIAGNOSTIC,
        is_on_fn=lambda controller: controller.plugged_in,
    ),
)

CAN_WITHDRAW = BinarySensorEntityDescription(key="can_withdraw")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AxleFlexLiteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the home's rewards binary sensor and each charger's session binary sensors."""
    async_add_entities([AxleFlexLiteCanWithdrawBinarySensor(entry, CAN_WITHDRAW)])
    entry.runtime_data.chargers.async_add_described_entities(
        AxleFlexLiteBinarySensorEntity, BINARY_SENSORS, async_add_entities
    )


class AxleFlexLiteBinarySensorEntity(AxleFlexLiteControllerEntity, BinarySensorEntity):
    """A binary sensor that follows the charging session."""

    entity_description: AxleFlexLiteBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The value read from the controller (None: unknown)."""
        return self.entity_description.is_on_fn(self.controller)


class AxleFlexLiteCanWithdrawBinarySensor(AxleFlexLiteRewardsEntity, BinarySensorEntity):
    """On when Axle lets the rewards balance be withdrawn."""

    @property
    def is_on(self) -> bool:
        """Read from the latest balance."""
        return self.coordinator.data.can_withdraw
