"""Options flow for Axle Flex Lite: the charger and the charging schedule, without onboarding."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

from .charger_form import (
    CHARGER_KEYS,
    async_charger_note,
    charger_input,
    charger_schema,
    prefill,
    validate_charger,
)
from .flow_schemas import SCHEDULE_SCHEMA
from .onboarding import schedule_options


class OptionsFlowHandler(OptionsFlow):
    """Change the charger and the charging schedule (one ``init`` step, no onboarding)."""

    def __init__(self) -> None:
        """Fill the form from the entry's options until the user submits it."""
        self._values: dict[str, Any] | None = None

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the charger and schedule settings; save them without onboarding again.

        Picking another device fills the charger fields in from its profile first.
        """
        errors: dict[str, str] = {}
        shown = self._values if self._values is not None else dict(self.config_entry.options)
        if user_input is not None:
            values, picked = charger_input(shown, user_input)
            if picked:
                self._values = prefill(self.hass, values, picked)
                return await self._async_show_form({})
            self._values = values
            charger, errors = validate_charger(self.hass, values)
            if not errors:
                options = {
                    key: value
                    for key, value in self.config_entry.options.items()
                    if key not in CHARGER_KEYS
                }
                return self.async_create_entry(
                    data={**options, **charger, **schedule_options(values)}
                )
        else:
            self._values = shown
        return await self._async_show_form(errors)

    async def _async_show_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        """Show the settings, filled from the entry, the user's input or the device's profile."""
        values = self._values or {}
        schema = charger_schema(self.hass, values).extend(SCHEDULE_SCHEMA.schema)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, values),
            errors=errors,
            description_placeholders={"charger_note": await async_charger_note(self.hass, values)},
        )
