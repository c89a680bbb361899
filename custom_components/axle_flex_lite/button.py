"""Buttons of Axle Flex Lite: skip the pause, send the schedule to Axle again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from .actions import async_resend_schedule, async_skip_pause
from .entity import LOW_USE_DIAGNOSTIC, AxleFlexLiteChargerEntity

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from . import AxleFlexLiteConfigEntry
    from .controller import SessionController

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AxleFlexLiteButtonEntityDescription(ButtonEntityDescription):
    """A button that asks the session controller to do something."""

    press_fn: Callable[[SessionController], Awaitable[None]]


BUTTONS: tuple[AxleFlexLiteButtonEntityDescription, ...] = (
    AxleFlexLiteButtonEntityDescription(
        key="skip_pause",
        press_fn=async_skip_pause,
    ),
    AxleFlexLiteButtonEntityDescription(
        key="resend_schedule",
        # Only needed after a problem; the action of the same name works while it is disabled.
        **LOW_USE_DIAGNOSTIC,
        press_fn=async_resend_schedule,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AxleFlexLiteConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each charger's buttons."""
    entry.runtime_data.chargers.async_add_described_entities(
        AxleFlexLiteButtonEntity, BUTTONS, async_add_entities
    )


class AxleFlexLiteButtonEntity(AxleFlexLiteChargerEntity, ButtonEntity):
    """A button that acts on its charger's current charging session."""

    entity_description: AxleFlexLiteButtonEntityDescription

    async def async_press(self) -> None:
        """Run the action (the same code as the matching action)."""
        await self.entity_description.press_fn(self.controller)
