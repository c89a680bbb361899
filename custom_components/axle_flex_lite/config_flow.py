"""Config flow for Axle Flex Lite.

Set-up runs ``user`` (account) -> ``site`` (home details; ``find_mpan`` -> ``pick_address``
when the MPAN is not known) -> ``eligibility`` or ``eligibility_cop11`` (Axle's verdict on the
meter) -> ``charger`` -> ``charger_details`` (model; installation date for CoP11) -> ``schedule``
-> ``consent``, then onboards the home and charger with Axle (-> ``rejoin`` when the home left Flex
Lite before).
When Axle refuses one part, only that part's step is shown again; everything else is kept, so the
user never types anything twice. After set-up: ``reauth_confirm``, ``reconfigure`` (home details
and consent, onboards again: flow_home_reconfigure.py) and the chargers' subentry flow
(charger_subentry_flow.py: add a charger, reconfigure one). The home has no options flow: every
setting it had is a charger's now. The forms are in flow_schemas.py; checking input and
talking to Axle in onboarding.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import uuid4

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryData,
    ConfigSubentryFlow,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import callback

from .api import AxleClient, Environment, MeterAddress
from .charger_subentry_flow import ChargerSubentryFlow, charger_title
from .const import (
    CONF_ASSET_ID,
    CONF_ASSET_MODEL,
    CONF_BASE_URL,
    CONF_CONSENT,
    CONF_CONSENT_AT,
    CONF_ENVIRONMENT,
    CONF_EXTERNAL_ID,
    CONF_MPAN,
    CONF_POSTCODE,
    CONF_SITE_ID,
    CONFIG_ENTRY_VERSION,
    DOMAIN,
    SUBENTRY_TYPE_CHARGER,
)
from .flow_charger_steps import ChargerSteps
from .flow_home_reconfigure import HomeReconfigureStep
from .flow_lookups import async_check_home
from .flow_meter_lookup import MeterLookupSteps
from .flow_schemas import (
    ACCOUNT_SCHEMA,
    CONSENT_SCHEMA,
    CREDENTIALS_SCHEMA,
    FIND_MPAN_URL,
    SCHEDULE_SCHEMA,
    SITE_SCHEMA,
    show_filled_form,
)
from .onboarding import (
    AssetConflictError,
    NotEligibleError,
    OnboardFailedError,
    RejoinRequiredError,
    SiteDetailsRejectedError,
    UnknownAssetModelError,
    async_onboard,
    async_validate_account,
    consent_time,
    entry_title,
    onboard_request,
    schedule_options,
    unexpected_errors_as_unknown,
    validate_site,
)

if TYPE_CHECKING:
    from collections.abc import Mapping


class AxleFlexLiteConfigFlow(
    MeterLookupSteps, HomeReconfigureStep, ChargerSteps[ConfigFlowResult], ConfigFlow, domain=DOMAIN
):
    """Add a home and its charger to Axle Flex Lite (its charger steps: flow_charger_steps.py)."""

    VERSION = CONFIG_ENTRY_VERSION
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing collected."""
        super().__init__()
        self._account: dict[str, Any] = {}
        self._client: AxleClient | None = None
        # Each stays empty until its step is done.
        self._site: dict[str, Any] = {}
        self._schedule: dict[str, Any] = {}
        self._meters: tuple[MeterAddress, ...] = ()
        self._external_id: str | None = None
        self._override_withdrawal = False
        # What the user last typed, so a form shown again after an error is filled in.
        self._site_input: dict[str, Any] = {}
        self._schedule_input: dict[str, Any] = {}

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Offer "Add charger" on a home of version 2 (older entries are migrated at set-up)."""
        if config_entry.version < CONFIG_ENTRY_VERSION:
            return {}
        return {SUBENTRY_TYPE_CHARGER: ChargerSubentryFlow}

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
                client, errors = await async_validate_account(self.hass, account)
                if client is not None:
                    if CONF_BASE_URL in account:
                        # Keep the address in the form the client checked and uses.
                        account[CONF_BASE_URL] = client.base_url
                    self._account = account
                    self._client = client
                    return await self.async_step_site()
        return show_filled_form(self, "user", ACCOUNT_SCHEMA, user_input, errors)

    async def async_step_site(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the home's meter, address, email and consent."""
        if user_input is None:
            return self._async_show_site_form()
        self._site_input = user_input
        if not user_input.get(CONF_MPAN, "").strip():
            return await self.async_step_find_mpan()
        site, errors = validate_site(
            user_input, self._account[CONF_ENVIRONMENT], with_consent=False
        )
        if CONF_MPAN in site:
            await self.async_set_unique_id(site[CONF_MPAN])
            self._abort_if_unique_id_configured()
        if errors:
            return self._async_show_site_form(errors)
        if site.get(CONF_MPAN) != self._site.get(CONF_MPAN):
            self._needs_cop11 = None  # another meter: ask Axle again
        elif CONF_CONSENT_AT in self._site:
            site[CONF_CONSENT_AT] = self._site[CONF_CONSENT_AT]  # corrected details, same consent
        self._site = site
        return await self._async_next_step()

    async def async_step_eligibility(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask Axle about the meter, and explain the answer before going on."""
        if user_input is not None and self._needs_cop11 is not None:
            return await self._async_next_step()
        try:
            verdict = await async_check_home(self._require_client(), self._home_mpan())
        except OnboardFailedError as failure:
            return self._async_show_site_form({"base": failure.error})
        if verdict.non_domestic:
            return self.async_abort(reason="non_domestic_site")
        self._needs_cop11 = not verdict.half_hourly_settled
        return self.async_show_form(
            step_id="eligibility" if verdict.half_hourly_settled else "eligibility_cop11",
            description_placeholders={
                "propositions": ", ".join(verdict.propositions) or "-",
            },
        )

    async_step_eligibility_cop11 = async_step_eligibility

    async def async_step_schedule(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the charging window and control mode, then onboard with Axle."""
        if user_input is None:
            return self._async_show_schedule_form()
        self._schedule_input = user_input
        self._schedule = schedule_options(user_input)
        return await self._async_next_step()

    async def async_step_consent(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for consent last, once the user knows the home can join and how it will work."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if user_input[CONF_CONSENT]:
                self._site[CONF_CONSENT_AT] = consent_time()
                return await self._async_next_step()
            errors[CONF_CONSENT] = "consent_required"
        return show_filled_form(self, "consent", CONSENT_SCHEMA, user_input, errors)

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
        if self._needs_cop11 is None:
            return await self.async_step_eligibility()
        if not self._charger:
            return await self.async_step_charger()
        if self._details is None:
            return await self.async_step_charger_details()
        if not self._schedule:
            return await self.async_step_schedule()
        if CONF_CONSENT_AT not in self._site:
            return await self.async_step_consent()
        if self._external_id is None:
            self._external_id = f"ha-{uuid4().hex}"
        charger = {**self._charger, **self._details}
        request = onboard_request(
            self._site, self._external_id, charger, override_withdrawal=self._override_withdrawal
        )
        try:
            with unexpected_errors_as_unknown("onboarding"):
                ids = await async_onboard(self._require_client(), request)
        except UnknownAssetModelError as failure:
            return self._async_show_details_form({CONF_ASSET_MODEL: failure.error})
        except SiteDetailsRejectedError as failure:
            return self._async_show_site_form({"base": failure.error})
        except AssetConflictError as failure:
            return await self._async_show_charger_form({"base": failure.error})
        except RejoinRequiredError:
            return await self.async_step_rejoin()
        except NotEligibleError as failure:
            return self.async_abort(
                reason="not_eligible", description_placeholders={"reason": failure.reason}
            )
        except OnboardFailedError as failure:
            # Axle could not be reached or did not accept the account: the same answers may work
            # later, so the last form is shown again with the error.
            if retry_step == "rejoin":
                return self.async_show_form(step_id="rejoin", errors={"base": failure.error})
            return self._async_show_schedule_form({"base": failure.error})
        # The home is the entry, its charger the first subentry. That charger stores no key
        # prefix: the entry id it takes is not known until the entry exists (subentries.py).
        first = ConfigSubentryData(
            data={
                **charger,
                **self._schedule,
                CONF_ASSET_ID: ids[CONF_ASSET_ID],
                CONF_EXTERNAL_ID: self._external_id,
            },
            subentry_type=SUBENTRY_TYPE_CHARGER,
            title=charger_title(self.hass, charger),
            unique_id=self._external_id,
        )
        return self.async_create_entry(
            title=entry_title(self._site[CONF_POSTCODE]),
            data={**self._account, **self._site, CONF_SITE_ID: ids[CONF_SITE_ID]},
            subentries=[first],
        )

    def _require_client(self) -> AxleClient:
        """Return the client the user step checked (Home Assistant runs only the current step)."""
        assert self._client is not None  # noqa: S101
        return self._client

    def _home_mpan(self) -> str:
        """Return the meter Axle is asked about (the home step comes first)."""
        return str(self._site[CONF_MPAN])

    @callback
    def _async_show_site_form(self, errors: dict[str, str] | None = None) -> ConfigFlowResult:
        """Show the home details form, filled with what the user typed before."""
        return show_filled_form(
            self,
            "site",
            SITE_SCHEMA,
            self._site_input,
            errors,
            description_placeholders={"find_mpan_url": FIND_MPAN_URL},
        )

    @callback
    def _async_show_schedule_form(self, errors: dict[str, str] | None = None) -> ConfigFlowResult:
        """Show the schedule form, filled with what the user typed before."""
        return show_filled_form(self, "schedule", SCHEDULE_SCHEMA, self._schedule_input, errors)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Axle refused the saved credentials: ask for new ones."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the username and password again and check them."""
        entry = self._get_reauth_entry()
        shown = {CONF_USERNAME: entry.data[CONF_USERNAME]}
        if user_input is None:
            return show_filled_form(self, "reauth_confirm", CREDENTIALS_SCHEMA, shown)
        credentials = {
            CONF_USERNAME: user_input[CONF_USERNAME].strip(),
            CONF_PASSWORD: user_input[CONF_PASSWORD],
        }
        _, errors = await async_validate_account(self.hass, {**entry.data, **credentials})
        if errors:
            return show_filled_form(self, "reauth_confirm", CREDENTIALS_SCHEMA, shown, errors)
        return self.async_update_reload_and_abort(entry, data_updates=credentials)
