"""The ``charger`` and ``charger_details`` steps, shared by set-up and "Add charger".

A mixin of the config flow (a home's first charger) and of the charger subentry flow (a charger
added later): the device picker and its checked entities, then the Axle model (and, when Axle said
the home's meter is not half-hourly settled, the installation date). Each flow says where its
steps go next (``_async_next_step``), which client and meter Axle is asked about, and may refuse
more entities (``_charger_errors``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.data_entry_flow import FlowHandler, FlowResult

from .charger_form import async_show_charger_form, charger_input, prefill, validate_charger
from .const import CONF_ASSET_MODEL
from .flow_lookups import async_check_details
from .flow_schemas import charger_details_schema, show_filled_form

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .api import AxleClient


class ChargerSteps[ResultT: FlowResult[Any, Any]](FlowHandler[Any, ResultT, Any]):
    """``charger`` -> ``charger_details``; what follows is the flow's own."""

    def __init__(self) -> None:
        """Start with nothing collected."""
        # What the user last typed, so a form shown again after an error is filled in.
        self._charger_input: dict[str, Any] = {}
        self._details_input: dict[str, Any] = {}
        # Each stays empty until its step is done.
        self._charger: dict[str, Any] = {}
        self._details: dict[str, Any] | None = None
        # Axle's verdict on the meter: None until asked (it decides whether the date is asked).
        self._needs_cop11: bool | None = None
        # The Axle model the charger's profile suggests (the charger details step offers it).
        self._suggested_asset_model: str | None = None

    if TYPE_CHECKING:

        def _require_client(self) -> AxleClient: ...

        def _home_mpan(self) -> str: ...

        async def _async_next_step(self) -> ResultT: ...

    def _charger_errors(self, charger: Mapping[str, Any]) -> dict[str, str]:
        """Refuse more of a valid charger form (nothing by default)."""
        return {}

    async def async_step_charger(self, user_input: dict[str, Any] | None = None) -> ResultT:
        """Ask for the charger's device, then how its plug is read and how it is paused.

        A newly picked device fills the form in from its charger profile and shows it again.
        """
        if user_input is None:
            return await self._async_show_charger_form()
        values, picked = charger_input(self._charger_input, user_input)
        if picked:
            self._charger_input = prefill(self.hass, values, picked)
            self._suggested_asset_model = self._charger_input.get(CONF_ASSET_MODEL)
            return await self._async_show_charger_form()
        self._charger_input = values
        charger, errors = validate_charger(self.hass, values)
        errors = errors or self._charger_errors(charger)
        if errors:
            return await self._async_show_charger_form(errors)
        self._charger = charger
        return await self._async_next_step()

    async def async_step_charger_details(self, user_input: dict[str, Any] | None = None) -> ResultT:
        """Ask for the charger's model, and its installation date for the CoP11 route."""
        if user_input is None:
            return self._async_show_details_form()
        self._details_input = user_input
        check = await async_check_details(
            self._require_client(),
            self._home_mpan(),
            user_input,
            needs_cop11=self._home_needs_cop11(),
        )
        if check.abort is not None:
            return self.async_abort(reason=check.abort)
        if check.errors:
            return self._async_show_details_form(check.errors)
        self._details = check.details
        return await self._async_next_step()

    def _home_needs_cop11(self) -> bool:
        """Whether the home needs a CoP11 charger (Axle's verdict comes before the charger)."""
        assert self._needs_cop11 is not None  # noqa: S101
        return self._needs_cop11

    async def _async_show_charger_form(self, errors: dict[str, str] | None = None) -> ResultT:
        """Show the charger form, filled with what the user typed before (or the profile's)."""
        return await async_show_charger_form(self, self._charger_input, errors)

    @callback
    def _async_show_details_form(self, errors: dict[str, str] | None = None) -> ResultT:
        """Show the charger details form: the model (the profile's suggestion first) and date."""
        model = self._charger.get(CONF_ASSET_MODEL) or self._suggested_asset_model
        suggested = self._details_input or ({CONF_ASSET_MODEL: model} if model else {})
        return show_filled_form(
            self,
            "charger_details",
            charger_details_schema(needs_cop11=self._home_needs_cop11()),
            suggested,
            errors,
        )
