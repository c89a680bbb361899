"""Config flow for Axle Flex Lite.

Set-up runs ``user`` (account) -> ``site`` (home and consent) -> ``charger`` -> ``schedule``,
then onboards the home and charger with Axle (-> ``rejoin`` when the home left Flex Lite before).
When Axle refuses one part, only that part's step is shown again; everything else is kept, so the
user never types anything twice. After set-up: ``reauth_confirm``, ``reconfigure`` (home details
and consent, onboards again) and a one-step options flow (``init``: charger and schedule, no
onboarding).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .api import (
    AssetDetails,
    AxleAuthenticationError,
    AxleBadRequestError,
    AxleClient,
    AxleConfigurationError,
    AxleConflictError,
    AxleConnectionError,
    AxleError,
    AxleForbiddenError,
    AxleInvalidResponseError,
    AxleNotEligibleError,
    AxleRateLimitedError,
    AxleServerError,
    Environment,
    OnboardRequest,
    Proposition,
    SiteDetails,
)
from .api.validation import (
    InvalidMpanError,
    InvalidPostcodeError,
    is_valid_email,
    normalise_mpan,
    normalise_postcode,
)
from .const import (
    CONF_ASSET_ID,
    CONF_ASSET_MODEL,
    CONF_BASE_URL,
    CONF_CONSENT,
    CONF_CONSENT_AT,
    CONF_CONTROL_MODE,
    CONF_CURRENT_ENTITY,
    CONF_EMAIL,
    CONF_ENVIRONMENT,
    CONF_EXTERNAL_ID,
    CONF_MPAN,
    CONF_PLUG_ENTITY,
    CONF_PLUGGED_STATES,
    CONF_POSTCODE,
    CONF_POWER_KW,
    CONF_SITE_ID,
    CONF_STREET_ADDRESS,
    CONF_SWITCH_ENTITY,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DEFAULT_CONTROL_MODE,
    DEFAULT_POWER_KW,
    DEFAULT_WINDOW_END,
    DEFAULT_WINDOW_START,
    DOMAIN,
    LOGGER,
    ControlMode,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

FIND_MPAN_URL = "https://docs.axle.energy/workflows/find-mpan"

PLUG_ENTITY_DOMAINS = ["binary_sensor", "sensor", "switch", "input_boolean", "select"]
SWITCH_ENTITY_DOMAINS = ["switch", "input_boolean"]
CURRENT_ENTITY_DOMAINS = ["number", "input_number"]
CHARGER_ENTITY_KEYS = (CONF_PLUG_ENTITY, CONF_SWITCH_ENTITY, CONF_CURRENT_ENTITY)
# Options a user may clear: they must disappear from the entry, not keep an old value.
OPTIONAL_CHARGER_KEYS = (CONF_CURRENT_ENTITY, CONF_ASSET_MODEL, CONF_PLUGGED_STATES)

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
        vol.Required(CONF_MPAN): _TEXT,
        vol.Required(CONF_STREET_ADDRESS): TextSelector(
            TextSelectorConfig(autocomplete="street-address")
        ),
        vol.Required(CONF_POSTCODE): TextSelector(TextSelectorConfig(autocomplete="postal-code")),
        vol.Required(CONF_EMAIL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="email")
        ),
        vol.Required(CONF_CONSENT, default=False): BooleanSelector(),
    }
)

CHARGER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_PLUG_ENTITY): EntitySelector(
            EntitySelectorConfig(domain=PLUG_ENTITY_DOMAINS)
        ),
        vol.Optional(CONF_PLUGGED_STATES): TextSelector(TextSelectorConfig(multiple=True)),
        vol.Required(CONF_SWITCH_ENTITY): EntitySelector(
            EntitySelectorConfig(domain=SWITCH_ENTITY_DOMAINS)
        ),
        vol.Optional(CONF_CURRENT_ENTITY): EntitySelector(
            EntitySelectorConfig(domain=CURRENT_ENTITY_DOMAINS)
        ),
        vol.Required(CONF_POWER_KW, default=DEFAULT_POWER_KW): NumberSelector(
            NumberSelectorConfig(
                min=1.0, max=50.0, step=0.1, unit_of_measurement="kW", mode=NumberSelectorMode.BOX
            )
        ),
        vol.Optional(CONF_ASSET_MODEL): _TEXT,
    }
)

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

OPTIONS_SCHEMA = CHARGER_SCHEMA.extend(SCHEDULE_SCHEMA.schema)


class OnboardFailedError(Exception):
    """Axle refused or could not take the onboarding; ``error`` names what the user sees."""

    def __init__(self, error: str, reason: str = "") -> None:
        """Keep the translation key and Axle's own reason (shown for ``not_eligible``)."""
        super().__init__(error)
        self.error = error
        self.reason = reason


def _entry_title(postcode: str) -> str:
    """Title of the config entry and device: the postcode's outward code tells homes apart.

    Only the district (e.g. "CT1") is used: the title ends up in entity ids and in Home
    Assistant's own log lines, where the full postcode must never appear.
    """
    return f"Axle Flex Lite {postcode.split(' ', maxsplit=1)[0]}"


def _build_client(hass: HomeAssistant, account: Mapping[str, Any]) -> AxleClient:
    """Build a client on Home Assistant's shared session (raises AxleConfigurationError).

    No automatic retries: someone is waiting at the form, and submitting it again is the retry.
    """
    return AxleClient.for_environment(
        async_get_clientsession(hass),
        account[CONF_USERNAME],
        account[CONF_PASSWORD],
        account[CONF_ENVIRONMENT],
        base_url=account.get(CONF_BASE_URL),
        retry_delays=(),
    )


async def _async_validate_account(
    hass: HomeAssistant, account: Mapping[str, Any]
) -> tuple[AxleClient | None, dict[str, str]]:
    """Log in and read the current user; return the working client or the form errors."""
    try:
        client = _build_client(hass, account)
    except AxleConfigurationError:
        return None, {"base": "invalid_base_url"}
    try:
        await client.async_get_current_user()
    except (AxleAuthenticationError, AxleForbiddenError):
        return None, {"base": "invalid_auth"}
    except (
        AxleConnectionError,
        AxleServerError,
        AxleRateLimitedError,
        AxleInvalidResponseError,
    ):
        return None, {"base": "cannot_connect"}
    except AxleError as err:
        LOGGER.warning("Unexpected answer from Axle while checking the account: %s", err)
        return None, {"base": "unknown"}
    return client, {}


def _validate_site(
    user_input: Mapping[str, Any], environment: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise the home details; return them (with the consent time) or the form errors."""
    errors: dict[str, str] = {}
    site: dict[str, Any] = {CONF_STREET_ADDRESS: user_input[CONF_STREET_ADDRESS].strip()}
    try:
        # Sandbox MPANs are made up, so only real environments check the digit.
        site[CONF_MPAN] = normalise_mpan(
            user_input[CONF_MPAN], check_digit=environment != Environment.SANDBOX
        )
    except InvalidMpanError:
        errors[CONF_MPAN] = "invalid_mpan"
    try:
        site[CONF_POSTCODE] = normalise_postcode(user_input[CONF_POSTCODE])
    except InvalidPostcodeError:
        errors[CONF_POSTCODE] = "invalid_postcode"
    email = user_input[CONF_EMAIL].strip()
    if is_valid_email(email):
        site[CONF_EMAIL] = email
    else:
        errors[CONF_EMAIL] = "invalid_email"
    if user_input[CONF_CONSENT]:
        # Seconds are enough for a consent record, and keep the stored value tidy.
        site[CONF_CONSENT_AT] = dt_util.utcnow().replace(microsecond=0).isoformat()
    else:
        errors[CONF_CONSENT] = "consent_required"
    return site, errors


def _validate_charger(
    hass: HomeAssistant, user_input: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the charger entities exist; return the charger options or the form errors."""
    errors = {
        key: "entity_not_found"
        for key in CHARGER_ENTITY_KEYS
        if user_input.get(key) and hass.states.get(user_input[key]) is None
    }
    charger: dict[str, Any] = {
        CONF_PLUG_ENTITY: user_input[CONF_PLUG_ENTITY],
        CONF_SWITCH_ENTITY: user_input[CONF_SWITCH_ENTITY],
        CONF_POWER_KW: float(user_input[CONF_POWER_KW]),
    }
    if current_entity := user_input.get(CONF_CURRENT_ENTITY):
        charger[CONF_CURRENT_ENTITY] = current_entity
    if asset_model := user_input.get(CONF_ASSET_MODEL, "").strip():
        charger[CONF_ASSET_MODEL] = asset_model
    # dict.fromkeys drops repeats but keeps the order the user typed.
    if plugged_states := list(
        dict.fromkeys(
            state.strip() for state in user_input.get(CONF_PLUGGED_STATES, []) if state.strip()
        )
    ):
        charger[CONF_PLUGGED_STATES] = plugged_states
    return charger, errors


def _schedule_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Schedule options with both times stored as ``HH:MM:SS``."""
    return {
        CONF_WINDOW_START: cv.time(user_input[CONF_WINDOW_START]).strftime("%H:%M:%S"),
        CONF_WINDOW_END: cv.time(user_input[CONF_WINDOW_END]).strftime("%H:%M:%S"),
        CONF_CONTROL_MODE: user_input[CONF_CONTROL_MODE],
    }


def _onboard_request(
    site: Mapping[str, Any],
    external_id: str,
    charger: Mapping[str, Any],
    *,
    override_withdrawal: bool,
) -> OnboardRequest:
    """Axle's onboarding request for one home with one charger in Flex Lite."""
    return OnboardRequest(
        site=SiteDetails(
            mpan=site[CONF_MPAN],
            postcode=site[CONF_POSTCODE],
            street_address=site[CONF_STREET_ADDRESS] or None,
            email=site[CONF_EMAIL],
            gave_boundary_meter_consent_at=datetime.fromisoformat(site[CONF_CONSENT_AT]),
        ),
        assets=(
            AssetDetails(
                external_id=external_id,
                type="charger",
                power_kw=charger[CONF_POWER_KW],
                capacity_kwh=None,
                asset_model=charger.get(CONF_ASSET_MODEL),
            ),
        ),
        proposition=Proposition.LIMITED_PAUSE,
        override_withdrawal=override_withdrawal,
    )


async def _async_onboard(client: AxleClient, request: OnboardRequest) -> dict[str, str]:
    """Onboard with Axle; return the site and asset ids or raise OnboardFailedError."""
    try:
        response = await client.async_onboard(request)
    except AxleBadRequestError as err:
        raise OnboardFailedError("invalid_site_details") from err
    except AxleConflictError as err:
        raise OnboardFailedError("asset_conflict") from err
    except AxleNotEligibleError as err:
        if err.previously_withdrew and not request.override_withdrawal:
            raise OnboardFailedError("rejoin") from err
        reason = err.detail if isinstance(err.detail, str) else ""
        raise OnboardFailedError("not_eligible", reason) from err
    except AxleAuthenticationError as err:
        raise OnboardFailedError("invalid_auth") from err
    except (
        AxleConnectionError,
        AxleServerError,
        AxleRateLimitedError,
        AxleInvalidResponseError,
    ) as err:
        raise OnboardFailedError("cannot_connect") from err
    except AxleError as err:
        LOGGER.warning("Unexpected answer from Axle while onboarding: %s", err)
        raise OnboardFailedError("unknown") from err
    asset_id = response.asset_ids.get(request.assets[0].external_id)
    if asset_id is None:
        # Axle accepted the site but did not name our charger: nothing usable to store.
        LOGGER.warning("Axle's onboarding answer did not include the charger")
        raise OnboardFailedError("unknown")
    return {CONF_SITE_ID: response.site_id, CONF_ASSET_ID: asset_id}


class AxleFlexLiteConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a home and its charger to Axle Flex Lite."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing collected."""
        self._account: dict[str, Any] = {}
        self._client: AxleClient | None = None
        # Each stays empty until its step is done.
        self._site: dict[str, Any] = {}
        self._charger: dict[str, Any] = {}
        self._schedule: dict[str, Any] = {}
        self._external_id: str | None = None
        self._override_withdrawal = False
        # What the user last typed, so a form shown again after an error is filled in.
        self._site_input: dict[str, Any] = {}
        self._charger_input: dict[str, Any] = {}
        self._schedule_input: dict[str, Any] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlowHandler:
        """Charger and schedule settings of an existing entry."""
        return OptionsFlowHandler()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the Axle account and check it by logging in."""
        errors: dict[str, str] = {}
        if user_input is not None:
            account = {
                CONF_ENVIRONMENT: user_input[CONF_ENVIRONMENT],
                CONF_USERNAME: user_input[CONF_USERNAME].strip(),
                CONF_PASSWORD: user_input[CONF_PASSWORD],
            }
            base_url = user_input.get(CONF_BASE_URL, "").strip()
            if account[CONF_ENVIRONMENT] == Environment.CUSTOM:
                if base_url:
                    account[CONF_BASE_URL] = base_url
                else:
                    errors[CONF_BASE_URL] = "base_url_required"
            if not errors:
                client, errors = await _async_validate_account(self.hass, account)
                if client is not None:
                    if CONF_BASE_URL in account:
                        # Keep the address in the form the client checked and uses.
                        account[CONF_BASE_URL] = client.base_url
                    self._account = account
                    self._client = client
                    return await self.async_step_site()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(ACCOUNT_SCHEMA, user_input),
            errors=errors,
        )

    async def async_step_site(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the home's meter, address, email and consent."""
        if user_input is None:
            return self._async_show_site_form()
        self._site_input = user_input
        site, errors = _validate_site(user_input, self._account[CONF_ENVIRONMENT])
        if CONF_MPAN in site:
            await self.async_set_unique_id(site[CONF_MPAN])
            self._abort_if_unique_id_configured()
        if errors:
            return self._async_show_site_form(errors)
        self._site = site
        return await self._async_next_step()

    async def async_step_charger(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which entities plug, switch and limit the charger."""
        if user_input is None:
            return self._async_show_charger_form()
        self._charger_input = user_input
        charger, errors = _validate_charger(self.hass, user_input)
        if errors:
            return self._async_show_charger_form(errors)
        self._charger = charger
        return await self._async_next_step()

    async def async_step_schedule(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the charging window and control mode, then onboard with Axle."""
        if user_input is None:
            return self._async_show_schedule_form()
        self._schedule_input = user_input
        self._schedule = _schedule_options(user_input)
        return await self._async_next_step()

    async def async_step_rejoin(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Confirm joining Flex Lite again after this home left it earlier."""
        if user_input is None:
            return self.async_show_form(step_id="rejoin")
        self._override_withdrawal = True
        return await self._async_next_step(retry_step="rejoin")

    async def _async_next_step(self, retry_step: str = "schedule") -> ConfigFlowResult:
        """Show the next step still missing, else onboard and create the entry.

        Called once the home step is done. ``retry_step`` is the form shown again when Axle cannot
        be reached, so that submitting it retries with everything already collected.
        """
        if not self._charger:
            return await self.async_step_charger()
        if not self._schedule:
            return await self.async_step_schedule()
        # The user step sets the client; Home Assistant only ever runs the current step.
        assert self._client is not None  # noqa: S101
        if self._external_id is None:
            self._external_id = f"ha-{uuid4().hex}"
        request = _onboard_request(
            self._site,
            self._external_id,
            self._charger,
            override_withdrawal=self._override_withdrawal,
        )
        try:
            ids = await _async_onboard(self._client, request)
        except OnboardFailedError as failure:
            if failure.error == "invalid_site_details":
                return self._async_show_site_form({"base": failure.error})
            if failure.error == "asset_conflict":
                return self._async_show_charger_form({"base": failure.error})
            if failure.error == "rejoin":
                return await self.async_step_rejoin()
            if failure.error == "not_eligible":
                return self.async_abort(
                    reason="not_eligible", description_placeholders={"reason": failure.reason}
                )
            if retry_step == "rejoin":
                return self.async_show_form(step_id="rejoin", errors={"base": failure.error})
            return self._async_show_schedule_form({"base": failure.error})
        return self.async_create_entry(
            title=_entry_title(self._site[CONF_POSTCODE]),
            data={
                **self._account,
                **self._site,
                CONF_EXTERNAL_ID: self._external_id,
                **ids,
            },
            options={**self._charger, **self._schedule},
        )

    @callback
    def _async_show_site_form(self, errors: dict[str, str] | None = None) -> ConfigFlowResult:
        """Show the home details form, filled with what the user typed before."""
        return self.async_show_form(
            step_id="site",
            data_schema=self.add_suggested_values_to_schema(SITE_SCHEMA, self._site_input),
            errors=errors,
            description_placeholders={"find_mpan_url": FIND_MPAN_URL},
        )

    @callback
    def _async_show_charger_form(self, errors: dict[str, str] | None = None) -> ConfigFlowResult:
        """Show the charger form, filled with what the user typed before."""
        return self.async_show_form(
            step_id="charger",
            data_schema=self.add_suggested_values_to_schema(CHARGER_SCHEMA, self._charger_input),
            errors=errors,
        )

    @callback
    def _async_show_schedule_form(self, errors: dict[str, str] | None = None) -> ConfigFlowResult:
        """Show the schedule form, filled with what the user typed before."""
        return self.async_show_form(
            step_id="schedule",
            data_schema=self.add_suggested_values_to_schema(SCHEDULE_SCHEMA, self._schedule_input),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Axle refused the saved credentials: ask for new ones."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the username and password again and check them."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = {
                CONF_USERNAME: user_input[CONF_USERNAME].strip(),
                CONF_PASSWORD: user_input[CONF_PASSWORD],
            }
            _, errors = await _async_validate_account(self.hass, {**entry.data, **credentials})
            if not errors:
                return self.async_update_reload_and_abort(entry, data_updates=credentials)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                CREDENTIALS_SCHEMA, {CONF_USERNAME: entry.data[CONF_USERNAME]}
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the home details or give consent again, and onboard once more."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            site, errors = _validate_site(user_input, entry.data[CONF_ENVIRONMENT])
            if CONF_MPAN in site:
                await self.async_set_unique_id(site[CONF_MPAN])
                self._abort_if_unique_id_mismatch()
            if not errors:
                # The user asked to be in Flex Lite by submitting this form with consent ticked.
                request = _onboard_request(
                    site, entry.data[CONF_EXTERNAL_ID], entry.options, override_withdrawal=True
                )
                try:
                    client = _build_client(self.hass, entry.data)
                    ids = await _async_onboard(client, request)
                except AxleConfigurationError:
                    errors = {"base": "invalid_base_url"}
                except OnboardFailedError as failure:
                    if failure.error in {"not_eligible", "rejoin"}:
                        return self.async_abort(
                            reason="not_eligible",
                            description_placeholders={"reason": failure.reason},
                        )
                    errors = {"base": failure.error}
                else:
                    return self.async_update_reload_and_abort(
                        entry,
                        title=_entry_title(site[CONF_POSTCODE]),
                        data_updates={**site, **ids},
                    )
        suggested = user_input or {
            key: entry.data[key]
            for key in (CONF_MPAN, CONF_STREET_ADDRESS, CONF_POSTCODE, CONF_EMAIL)
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(SITE_SCHEMA, suggested),
            errors=errors,
            description_placeholders={"find_mpan_url": FIND_MPAN_URL},
        )


class OptionsFlowHandler(OptionsFlow):
    """Change the charger entities and the charging schedule (one ``init`` step)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the charger and schedule settings; save them without onboarding again."""
        errors: dict[str, str] = {}
        if user_input is not None:
            charger, errors = _validate_charger(self.hass, user_input)
            if not errors:
                options = {
                    key: value
                    for key, value in self.config_entry.options.items()
                    if key not in OPTIONAL_CHARGER_KEYS
                }
                return self.async_create_entry(
                    data={**options, **charger, **_schedule_options(user_input)}
                )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, user_input or self.config_entry.options
            ),
            errors=errors,
        )
