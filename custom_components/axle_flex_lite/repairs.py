"""Repair flows of Axle Flex Lite.

``consent_missing`` is fixable here: Axle refused a plug-in schedule with 403 because the site is
not enrolled in Flex Lite. The fix flow asks the user to give consent again, then enrols the site
again through the session controller; the issue goes away when Axle accepts. The other issues clear
themselves when the charger is back, so they only need the default flow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.config_entries import ConfigEntryState
import voluptuous as vol

from .api.exceptions import AxleError
from .const import ISSUE_CONSENT_MISSING, LOGGER

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.data_entry_flow import FlowResult

    from . import AxleFlexLiteConfigEntry


class ConsentMissingRepairFlow(RepairsFlow):
    """Give consent again and re-enrol the site in Flex Lite."""

    def __init__(self, entry_id: str) -> None:
        """Remember which config entry the issue belongs to."""
        self._entry_id = entry_id

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult[Any, str]:
        """Start with the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult[Any, str]:
        """Explain, and re-enrol once the user confirms."""
        entry: AxleFlexLiteConfigEntry | None = self.hass.config_entries.async_get_entry(
            self._entry_id
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                await entry.runtime_data.chargers.async_set_participation(True)
            except AxleError as err:
                LOGGER.warning("Axle did not accept the new enrolment: %s", err)
                errors["base"] = "enrol_failed"
            else:
                return self.async_create_entry(data={})
        return self.async_show_form(step_id="confirm", data_schema=vol.Schema({}), errors=errors)


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """Create the flow that fixes one of this integration's issues."""
    if (
        issue_id.startswith(ISSUE_CONSENT_MISSING)
        and data
        and isinstance(data.get("entry_id"), str)
    ):
        return ConsentMissingRepairFlow(str(data["entry_id"]))
    return ConfirmRepairFlow()
