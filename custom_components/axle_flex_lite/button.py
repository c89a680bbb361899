"""Buttons of Axle Flex Lite: skip the pause, send the schedule to Axle again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from .actions import async_resend_schedule, async_skip_pause
from .chargers import charger_platform_setup
from .entity import LOW_USE_DIAGNOSTIC, AxleFlexLiteChargerEntity

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

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


class AxleFlexLiteButtonEntity(AxleFlexLiteChargerEntity, ButtonEntity):
    """A button that acts on its charger's current charging session."""

    entity_description: AxleFlexLiteButtonEntityDescription

    async def async_press(self) -> None:
        """Run the action (the same code as the matching action)."""
        await self.entity_description.press_fn(self.controller)


# Home Assistant sets the platform up with this: each charger's buttons.
async_setup_entry = charger_platform_setup(AxleFlexLiteButtonEntity, BUTTONS)
