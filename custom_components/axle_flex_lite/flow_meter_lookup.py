"""The "find my MPAN" steps of the config flow: search Axle's meter data, pick the address.

A mixin of the config flow class: it fills the home form's MPAN, street address and postcode, and
shows that form again for the user to check and submit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from .const import CONF_BUILDING, CONF_METER, CONF_MPAN, CONF_POSTCODE, CONF_STREET_ADDRESS
from .flow_lookups import async_find_meters, async_meter_mpan, street_and_postcode
from .flow_schemas import FIND_MPAN_SCHEMA, FIND_MPAN_URL, pick_address_schema
from .onboarding import OnboardFailedError

if TYPE_CHECKING:
    from .api import AxleClient, MeterAddress


class MeterLookupSteps(ConfigFlow):
    """``find_mpan`` and ``pick_address`` (``pick_address_several`` when several meters match)."""

    _site_input: dict[str, Any]
    _meters: tuple[MeterAddress, ...]

    if TYPE_CHECKING:

        def _require_client(self) -> AxleClient: ...

        def _async_show_site_form(
            self, errors: dict[str, str] | None = None
        ) -> ConfigFlowResult: ...

    async def async_step_find_mpan(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Search Axle's meter data by postcode and house number or name."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                self._meters = await async_find_meters(
                    self._require_client(),
                    user_input[CONF_POSTCODE].strip(),
                    user_input.get(CONF_BUILDING, "").strip(),
                )
            except OnboardFailedError as failure:
                errors = {"base": failure.error}
            else:
                if self._meters:
                    return await self.async_step_pick_address()
                errors = {"base": "no_meter_found"}
        suggested = user_input or {CONF_POSTCODE: self._site_input.get(CONF_POSTCODE, "")}
        return self.async_show_form(
            step_id="find_mpan",
            data_schema=self.add_suggested_values_to_schema(FIND_MPAN_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"find_mpan_url": FIND_MPAN_URL},
        )

    async def async_step_pick_address(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user pick their address; fill the home form with its MPAN and address."""
        errors: dict[str, str] = {}
        if user_input is not None:
            meter = self._meters[int(user_input[CONF_METER])]
            try:
                mpan = await async_meter_mpan(self._require_client(), meter)
            except OnboardFailedError as failure:
                errors = {"base": failure.error}
            else:
                street, postcode = street_and_postcode(meter.address)
                self._site_input = {
                    **self._site_input,
                    CONF_MPAN: mpan,
                    CONF_STREET_ADDRESS: street,
                    **({CONF_POSTCODE: postcode} if postcode else {}),
                }
                return self._async_show_site_form()
        addresses = [meter.address for meter in self._meters]
        return self.async_show_form(
            step_id="pick_address" if len(addresses) == 1 else "pick_address_several",
            data_schema=pick_address_schema(addresses),
            errors=errors,
            description_placeholders={"count": str(len(addresses))},
        )

    async_step_pick_address_several = async_step_pick_address
