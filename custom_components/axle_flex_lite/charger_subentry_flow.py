"""The flow of one charger of a home (a config subentry of type ``charger``).

"Add charger" (``user``) runs ``charger`` (device picker and profiles, as in set-up) ->
``charger_details`` (model; the installation date when the home's meter is not half-hourly
settled, as Axle says at that moment) -> ``schedule``, then adds the charger to the home's site at
Axle (onboard with the site as saved and only the new charger) and creates the subentry. When Axle
refuses one part, that part's form is shown again with the error and nothing is saved anywhere.
``reconfigure`` changes one charger's entities and schedule in one form, without calling Axle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import uuid4

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.helpers import device_registry as dr

from .api import AxleConfigurationError
from .charger_form import (
    CHARGER_KEYS,
    ENTITY_FIELDS,
    async_show_charger_form,
    charger_input,
    prefill,
    validate_charger,
)
from .const import (
    CONF_ASSET_ID,
    CONF_ASSET_MODEL,
    CONF_CHARGER_DEVICE,
    CONF_EXTERNAL_ID,
    CONF_KEY_PREFIX,
    CONF_MPAN,
    CONF_PLUG_ENTITY,
    CONF_SITE_ID,
    DOMAIN,
)
from .flow_charger_steps import ChargerSteps
from .flow_lookups import async_check_home
from .flow_schemas import SCHEDULE_SCHEMA, show_filled_form
from .onboarding import (
    AssetConflictError,
    InvalidBaseUrlError,
    NotEligibleError,
    OnboardFailedError,
    RejoinRequiredError,
    UnknownAssetModelError,
    async_add_charger,
    build_client,
    onboard_request,
    schedule_options,
    unexpected_errors_as_unknown,
)
from .subentries import added_charger_key_prefix, charger_subentries

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from homeassistant.core import HomeAssistant

    from .api import AxleClient


class ChargerSubentryFlow(ChargerSteps[SubentryFlowResult], ConfigSubentryFlow):
    """Add a charger to a home (its charger steps: flow_charger_steps.py), or change one."""

    def __init__(self) -> None:
        """Start with nothing collected."""
        super().__init__()
        self._schedule_input: dict[str, Any] = {}
        self._external_id = f"ha-{uuid4().hex}"
        self._client: AxleClient | None = None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a charger: its form comes first."""
        return await self.async_step_charger()

    def _charger_errors(self, charger: Mapping[str, Any]) -> dict[str, str]:
        """Refuse an entity another charger uses."""
        return in_use_errors(self.hass, charger)

    async def _async_next_step(self) -> SubentryFlowResult:
        """Show the next step still missing; the schedule step adds the charger."""
        if self._needs_cop11 is None:
            # Axle's verdict on the meter decides the details step's route, as in set-up.
            try:
                verdict = await async_check_home(self._require_client(), self._home_mpan())
            except OnboardFailedError as failure:
                return await self._async_show_charger_form({"base": failure.error})
            self._needs_cop11 = not verdict.half_hourly_settled
        if self._details is None:
            return await self.async_step_charger_details()
        return await self.async_step_schedule()

    async def async_step_schedule(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Ask for the window and control mode, then add the charger at Axle and save it."""
        if user_input is None:
            return show_filled_form(self, "schedule", SCHEDULE_SCHEMA, self._schedule_input)
        self._schedule_input = user_input
        return await self._async_add_charger()

    async def _async_add_charger(self) -> SubentryFlowResult:
        """Add the charger to the home's site at Axle, then create its subentry."""
        entry = self._get_entry()
        # The details step decides the model; the charger form only carried a profile's suggestion.
        charger = {
            **{key: value for key, value in self._charger.items() if key != CONF_ASSET_MODEL},
            **(self._details or {}),
        }
        request = onboard_request(entry.data, self._external_id, charger, override_withdrawal=False)
        try:
            with unexpected_errors_as_unknown("adding a charger"):
                asset_id = await async_add_charger(
                    self._require_client(), entry.data[CONF_SITE_ID], request
                )
        except UnknownAssetModelError as failure:
            return self._async_show_details_form({CONF_ASSET_MODEL: failure.error})
        except AssetConflictError as failure:
            return await self._async_show_charger_form({"base": failure.error})
        except RejoinRequiredError:
            return self.async_abort(reason="home_not_participating")
        except NotEligibleError as failure:
            return self.async_abort(
                reason="not_eligible", description_placeholders={"reason": failure.reason}
            )
        except OnboardFailedError as failure:
            # Axle down, the account refused, the site moved: the same answers may work later.
            return show_filled_form(
                self, "schedule", SCHEDULE_SCHEMA, self._schedule_input, {"base": failure.error}
            )
        return self.async_create_entry(
            title=charger_title(self.hass, charger),
            data={
                **charger,
                **schedule_options(self._schedule_input),
                CONF_ASSET_ID: asset_id,
                CONF_EXTERNAL_ID: self._external_id,
                CONF_KEY_PREFIX: added_charger_key_prefix(entry.entry_id, self._external_id),
            },
            unique_id=self._external_id,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change one charger's entities and schedule (nothing is sent to Axle)."""
        subentry = self._get_reconfigure_subentry()
        shown = self._charger_input or dict(subentry.data)
        errors: dict[str, str] = {}
        if user_input is not None:
            values, picked = charger_input(shown, user_input)
            if picked:
                self._charger_input = prefill(self.hass, values, picked)
                return await self._async_show_reconfigure_form({})
            self._charger_input = values
            charger, errors = validate_charger(self.hass, values)
            errors = errors or in_use_errors(self.hass, charger, subentry.subentry_id)
            if not errors:
                kept = {
                    key: value for key, value in subentry.data.items() if key not in CHARGER_KEYS
                }
                # The model is the details step's: the charger form only carries a profile's.
                charger.pop(CONF_ASSET_MODEL, None)
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    data={**kept, **charger, **schedule_options(values)},
                )
        else:
            self._charger_input = shown
        return await self._async_show_reconfigure_form(errors)

    def _require_client(self) -> AxleClient:
        """Return a client with the home's account (built once per flow)."""
        if self._client is None:
            try:
                self._client = build_client(self.hass, self._get_entry().data)
            except AxleConfigurationError as err:
                raise InvalidBaseUrlError from err
        return self._client

    def _home_mpan(self) -> str:
        """Return the home's meter, as saved."""
        return str(self._get_entry().data[CONF_MPAN])

    async def _async_show_reconfigure_form(self, errors: dict[str, str]) -> SubentryFlowResult:
        """Show the charger and schedule form, filled from the subentry or the user's input."""
        return await async_show_charger_form(
            self,
            self._charger_input,
            errors,
            step_id="reconfigure",
            more_fields=SCHEDULE_SCHEMA.schema,
        )


def _chargers_in_use(
    hass: HomeAssistant, skip_subentry_id: str | None
) -> Iterator[Mapping[str, Any]]:
    """Every charger Axle Flex Lite drives, in any home (an entry not yet migrated: its options)."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.options.get(CONF_PLUG_ENTITY):
            yield entry.options
        for subentry in charger_subentries(entry):
            if subentry.subentry_id != skip_subentry_id:
                yield subentry.data


def in_use_errors(
    hass: HomeAssistant, charger: Mapping[str, Any], skip_subentry_id: str | None = None
) -> dict[str, str]:
    """Refuse an entity another charger uses: two controllers would fight over it."""
    used = {
        other[field]
        for other in _chargers_in_use(hass, skip_subentry_id)
        for field in ENTITY_FIELDS
        if other.get(field)
    }
    return {
        field: "entity_in_use"
        for field in ENTITY_FIELDS
        if charger.get(field) and charger[field] in used
    }


def charger_title(hass: HomeAssistant, charger: Mapping[str, Any]) -> str:
    """Name a charger by its device, else by its plug entity's name, else its entity id."""
    if device_id := charger.get(CONF_CHARGER_DEVICE):
        device = dr.async_get(hass).async_get(device_id)
        if device is not None and (name := device.name_by_user or device.name):
            return name
    plug = str(charger.get(CONF_PLUG_ENTITY) or "")
    state = hass.states.get(plug)
    return state.name if state is not None else plug or DOMAIN
