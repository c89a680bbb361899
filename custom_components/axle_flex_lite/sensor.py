"""Sensors of Axle Flex Lite: session status, pauses, schedule sync and rewards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfTime

from .controller import SessionStatus
from .entity import LOW_USE_DIAGNOSTIC, AxleFlexLiteControllerEntity, AxleFlexLiteRewardsEntity

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from . import AxleFlexLiteConfigEntry
    from .api.models import BalanceInfo, ScheduleBlock
    from .controller import SessionController

PARALLEL_UPDATES = 0


def _pence_to_pounds(pence: int) -> float:
    """Axle counts money in pence; Home Assistant shows pounds."""
    return pence / 100


def _next_pause_start(controller: SessionController) -> datetime | None:
    """Start of the current or next pause of this session."""
    return controller.next_pause[0] if controller.next_pause else None


def _next_pause_end(controller: SessionController) -> datetime | None:
    """End of the current or next pause of this session."""
    return controller.next_pause[1] if controller.next_pause else None


def _blocks(blocks: tuple[ScheduleBlock, ...]) -> list[dict[str, str]]:
    """Blocks as attribute values: ISO 8601 start and end."""
    return [{"start": block.start.isoformat(), "end": block.end.isoformat()} for block in blocks]


def _status_attributes(controller: SessionController) -> dict[str, Any]:
    """Explain the status: the session's times, its schedules and why it fell back."""
    session = controller.session
    if session is None:
        return {}
    plan = session.plan
    return {
        "plugged_in_at": session.plugged_in_at.isoformat(),
        "fallback_reason": session.fallback_reason,
        "submitted_schedule": _blocks(session.submitted),
        "modified_schedule": _blocks(plan.modified) if plan else [],
        "pauses": _blocks(plan.pauses) if plan else [],
    }


@dataclass(frozen=True, kw_only=True)
class AxleFlexLiteSensorEntityDescription(SensorEntityDescription):
    """A sensor read from the session controller."""

    value_fn: Callable[[SessionController], StateType | datetime]
    attributes_fn: Callable[[SessionController], dict[str, Any]] | None = None


@dataclass(frozen=True, kw_only=True)
class AxleFlexLiteRewardsSensorEntityDescription(SensorEntityDescription):
    """A sensor read from Axle's rewards balance."""

    value_fn: Callable[[BalanceInfo], StateType]


SENSORS: tuple[AxleFlexLiteSensorEntityDescription, ...] = (
    AxleFlexLiteSensorEntityDescription(
        key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in SessionStatus],
        value_fn=lambda controller: controller.status.value,
        attributes_fn=_status_attributes,
    ),
    AxleFlexLiteSensorEntityDescription(
        key="next_pause_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_next_pause_start,
    ),
    AxleFlexLiteSensorEntityDescription(
        key="next_pause_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_next_pause_end,
    ),
    AxleFlexLiteSensorEntityDescription(
        key="session_pause_minutes",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=lambda controller: controller.session_pause_minutes,
    ),
    AxleFlexLiteSensorEntityDescription(
        key="last_schedule_sync",
        device_class=SensorDeviceClass.TIMESTAMP,
        # For looking into a problem; the status sensor already says whether Axle answered.
        **LOW_USE_DIAGNOSTIC,
        value_fn=lambda controller: controller.axle.last_schedule_sync,
    ),
)


def _money(
    key: str, pence_fn: Callable[[BalanceInfo], int]
) -> AxleFlexLiteRewardsSensorEntityDescription:
    """Describe an amount of the rewards balance, shown in pounds."""
    return AxleFlexLiteRewardsSensorEntityDescription(
        key=key,
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement="GBP",
        suggested_display_precision=2,
        value_fn=lambda balance: _pence_to_pounds(pence_fn(balance)),
    )


REWARDS_SENSORS: tuple[AxleFlexLiteRewardsSensorEntityDescription, ...] = (
    _money("balance", lambda balance: balance.current_balance_pence),
    _money("total_earnings", lambda balance: balance.total_earnings_pence),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AxleFlexLiteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the home's rewards sensors and each charger's session sensors."""
    async_add_entities(
        AxleFlexLiteRewardsSensorEntity(entry, description) for description in REWARDS_SENSORS
    )
    entry.runtime_data.chargers.async_add_described_entities(
        AxleFlexLiteSensorEntity, SENSORS, async_add_entities
    )


class AxleFlexLiteSensorEntity(AxleFlexLiteControllerEntity, SensorEntity):
    """A sensor that follows the charging session."""

    entity_description: AxleFlexLiteSensorEntityDescription
    # The schedules are lists that change every session: useful now, noise in the history.
    _unrecorded_attributes = frozenset({"submitted_schedule", "modified_schedule", "pauses"})

    @property
    def native_value(self) -> StateType | datetime:
        """The value read from the controller."""
        return self.entity_description.value_fn(self.controller)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details for the status sensor; none for the others."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.controller)


class AxleFlexLiteRewardsSensorEntity(AxleFlexLiteRewardsEntity, SensorEntity):
    """A sensor that shows part of the rewards balance."""

    entity_description: AxleFlexLiteRewardsSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """The value read from the latest balance."""
        return self.entity_description.value_fn(self.coordinator.data)
