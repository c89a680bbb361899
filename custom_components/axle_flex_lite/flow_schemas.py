"""Forms of the config and options flows: one schema per step, built from Home Assistant selectors.

``show_filled_form`` shows them, in every flow, filled in with what is known.
Field names are the config entry keys (see const.py), so a validated form maps straight onto the
entry; their labels and descriptions live in strings.json under each step id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers.selector import (
    BooleanSelector,
    DateSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)
import voluptuous as vol

from .api import Environment
from .const import (
    CONF_ASSET_MODEL,
    CONF_BASE_URL,
    CONF_BUILDING,
    CONF_CONSENT,
    CONF_CONTROL_MODE,
    CONF_EMAIL,
    CONF_ENVIRONMENT,
    CONF_INSTALLATION_DATE,
    CONF_METER,
    CONF_MPAN,
    CONF_POSTCODE,
    CONF_STREET_ADDRESS,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DEFAULT_CONTROL_MODE,
    DEFAULT_WINDOW_END,
    DEFAULT_WINDOW_START,
    KNOWN_ASSET_MODELS,
    ControlMode,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.data_entry_flow import FlowHandler, FlowResult

# Axle's page on finding the MPAN (shown in the home step's description).
FIND_MPAN_URL = "https://docs.axle.energy/workflows/find-mpan"

# The charger form is built per entity (its states and options): see charger_form.py.

_TEXT = TextSelector()
_USERNAME = TextSelector(TextSelectorConfig(type=TextSelectorType.TEXT, autocomplete="username"))
_PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)

ACCOUNT_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_ENVIRONMENT, default=Environment.PRODUCTION.value): SelectSelector(
            SelectSelectorConfig(
                options=[environment.value for environment in Environment],
                mode=SelectSelectorMode.DROPDOWN,
                translation_key=CONF_ENVIRONMENT,
            )
        ),
        vol.Required(CONF_USERNAME): _USERNAME,
        vol.Required(CONF_PASSWORD): _PASSWORD,
        vol.Optional(CONF_BASE_URL): TextSelector(TextSelectorConfig(type=TextSelectorType.URL)),
    }
)

CREDENTIALS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_USERNAME): _USERNAME,
        vol.Required(CONF_PASSWORD): _PASSWORD,
    }
)

SITE_SCHEMA = vol.Schema(
    {
        # Left empty, the flow offers to find the MPAN from the postcode.
        vol.Optional(CONF_MPAN): _TEXT,
        vol.Required(CONF_STREET_ADDRESS): TextSelector(
            TextSelectorConfig(autocomplete="street-address")
        ),
        vol.Required(CONF_POSTCODE): TextSelector(TextSelectorConfig(autocomplete="postal-code")),
        vol.Required(CONF_EMAIL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="email")
        ),
    }
)

# Asked last in set-up, once Axle said the home can join; beside the home's details in reconfigure.
CONSENT_SCHEMA = vol.Schema({vol.Required(CONF_CONSENT, default=False): BooleanSelector()})

SCHEDULE_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_WINDOW_START, default=DEFAULT_WINDOW_START.isoformat()): TimeSelector(),
        vol.Required(CONF_WINDOW_END, default=DEFAULT_WINDOW_END.isoformat()): TimeSelector(),
        vol.Required(CONF_CONTROL_MODE, default=DEFAULT_CONTROL_MODE.value): SelectSelector(
            SelectSelectorConfig(
                options=[mode.value for mode in ControlMode],
                mode=SelectSelectorMode.LIST,
                translation_key=CONF_CONTROL_MODE,
            )
        ),
    }
)

FIND_MPAN_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_POSTCODE): TextSelector(TextSelectorConfig(autocomplete="postal-code")),
        vol.Optional(CONF_BUILDING): _TEXT,
    }
)

_ASSET_MODEL = SelectSelector(
    SelectSelectorConfig(
        options=list(KNOWN_ASSET_MODELS), custom_value=True, mode=SelectSelectorMode.DROPDOWN
    )
)


def pick_address_schema(addresses: list[str]) -> vol.Schema:
    """Offer one choice per address the meter search found; the value is its position."""
    return vol.Schema(
        {
            vol.Required(CONF_METER): SelectSelector(
                SelectSelectorConfig(
                    options=[
                        SelectOptionDict(value=str(index), label=address)
                        for index, address in enumerate(addresses)
                    ],
                    mode=SelectSelectorMode.LIST,
                )
            )
        }
    )


def charger_details_schema(*, needs_cop11: bool) -> vol.Schema:
    """Ask for the charger's model, and its installation date when the meter is not settled."""
    if not needs_cop11:
        return vol.Schema({vol.Optional(CONF_ASSET_MODEL): _ASSET_MODEL})
    return vol.Schema(
        {
            vol.Required(CONF_ASSET_MODEL): _ASSET_MODEL,
            vol.Required(CONF_INSTALLATION_DATE): DateSelector(),
        }
    )


# Reconfigure: the home's details and consent; for a home with one charger also its CoP11
# installation date (several chargers each gave theirs when they were added).
RECONFIGURE_SITE_SCHEMA = SITE_SCHEMA.extend(CONSENT_SCHEMA.schema)
RECONFIGURE_SCHEMA = RECONFIGURE_SITE_SCHEMA.extend(
    {vol.Optional(CONF_INSTALLATION_DATE): DateSelector()}
)


def show_filled_form[ResultT: FlowResult[Any, Any]](
    flow: FlowHandler[Any, ResultT, Any],
    step_id: str,
    schema: vol.Schema,
    values: Mapping[str, Any] | None,
    errors: dict[str, str] | None = None,
    *,
    description_placeholders: dict[str, str] | None = None,
) -> ResultT:
    """Show a step's form filled with what the user typed before, or what is known."""
    return flow.async_show_form(
        step_id=step_id,
        data_schema=flow.add_suggested_values_to_schema(schema, values),
        errors=errors,
        description_placeholders=description_placeholders,
    )
