"""Options flow for Axle Flex Lite: the charger and the charging schedule, without onboarding.

It edits the home's first charger (its subentry's data): the home itself has no options. The
charger's own reconfigure step (a subentry flow) takes its place.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, ConfigSubentry, OptionsFlow

from .charger_form import (
    CHARGER_KEYS,
    async_charger_note,
    charger_input,
    charger_schema,
    prefill,
    validate_charger,
)
from .flow_schemas import SCHEDULE_SCHEMA
from .migration import async_move_charger_to_subentry
from .onboarding import schedule_options
from .subentries import charger_subentries


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
        # An entry not set up since chargers became subentries still has its charger in options.
        async_move_charger_to_subentry(self.hass, self.config_entry)
        if (subentry := self._charger) is None:
            return self.async_abort(reason="no_charger")
        shown = self._values if self._values is not None else dict(subentry.data)
        if user_input is not None:
            values, picked = charger_input(shown, user_input)
            if picked:
                self._values = prefill(self.hass, values, picked)
                return await self._async_show_form({})
            self._values = values
            charger, errors = validate_charger(self.hass, values)
            if not errors:
                kept = {
                    key: value for key, value in subentry.data.items() if key not in CHARGER_KEYS
                }
                # The entry's update listener reloads that charger alone (or re-plans).
                self.hass.config_entries.async_update_subentry(
                    self.config_entry,
                    subentry,
                    data={**kept, **charger, **schedule_options(values)},
                )
                return self.async_create_entry(data=dict(self.config_entry.options))
        else:
            self._values = shown
        return await self._async_show_form(errors)

    @property
    def _charger(self) -> ConfigSubentry | None:
        """The home's first charger."""
        return next(iter(charger_subentries(self.config_entry)), None)

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
