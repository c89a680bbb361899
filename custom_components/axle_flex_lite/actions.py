"""Shared by the actions, buttons and switch: translated errors and the two session actions.

Skipping the pause and resending the schedule exist both as a button and as an action; both run
the same code here.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api.exceptions import AxleError
from .const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .controller import SessionController


@contextmanager
def translate_axle_errors(translation_key: str) -> Iterator[None]:
    """Turn an Axle error raised inside the block into a translated Home Assistant error.

    The client's messages name only the method, the path template and the status, so they are safe
    to show.
    """
    try:
        yield
    except AxleError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders={"error": str(err)},
        ) from err


def validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    """Build a translated error about the user's request (nothing is changed)."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


async def async_skip_pause(controller: SessionController) -> None:
    """Skip the running and planned pauses of the session (the button and the action)."""
    if controller.next_pause is None:
        raise validation_error("no_pause_to_skip")
    with translate_axle_errors("skip_pause_failed"):
        await controller.async_skip_pause()


async def async_resend_schedule(controller: SessionController) -> None:
    """Send the session's remaining schedule to Axle again (the button and the action)."""
    if not controller.participating:
        raise validation_error("not_participating")
    # A car plugged in before the integration was set up has no session yet: resending starts one.
    if controller.session is None and not controller.car_in:
        raise validation_error("not_plugged_in")
    with translate_axle_errors("resend_schedule_failed"):
        await controller.async_resend_schedule()
