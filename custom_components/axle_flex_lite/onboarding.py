"""Onboarding work behind the config flow: check each step's input and onboard the home with Axle.

The flow classes (config_flow.py) only decide which form comes next. Everything here either returns
the normalised values and the form errors, or raises one ``OnboardFailedError`` subclass per way
Axle can refuse, so that the flow picks the step to show again by type.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .api import (
    AssetDetails,
    AxleAuthenticationError,
    AxleBadRequestError,
    AxleClient,
    AxleConfigurationError,
    AxleConflictError,
    AxleError,
    AxleForbiddenError,
    AxleInvalidResponseError,
    AxleNotEligibleError,
    AxleNotFoundError,
    AxleSiteMismatchError,
    AxleTemporaryError,
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
    CONF_EMAIL,
    CONF_ENVIRONMENT,
    CONF_INSTALLATION_DATE,
    CONF_MPAN,
    CONF_POSTCODE,
    CONF_POWER_KW,
    CONF_SITE_ID,
    CONF_STREET_ADDRESS,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    LOGGER,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from homeassistant.core import HomeAssistant


class OnboardFailedError(Exception):
    """Axle refused or could not take the onboarding; ``error`` is the form error's key.

    Each kind names its key where it is declared: ``class X(OnboardFailedError, error="key")``.
    """

    error: ClassVar[str]

    def __init_subclass__(cls, *, error: str | None = None, **kwargs: Any) -> None:
        """Keep the form error's key of a kind (a subclass without one keeps its parent's)."""
        super().__init_subclass__(**kwargs)
        if error is not None:
            cls.error = error


class SiteDetailsRejectedError(OnboardFailedError, error="invalid_site_details"):
    """Axle rejected the home's details (400): the home step is shown again."""


class AssetConflictError(OnboardFailedError, error="asset_conflict"):
    """The charger is already known to Axle elsewhere (409): the charger step is shown again."""


class NotEligibleError(OnboardFailedError, error="not_eligible"):
    """Axle will not take this home; ``reason`` is Axle's own explanation, shown to the user."""

    def __init__(self, reason: str = "") -> None:
        """Keep Axle's reason (empty when Axle gave none as text)."""
        super().__init__(self.error)
        self.reason = reason


class RejoinRequiredError(NotEligibleError, error="rejoin"):
    """The home left Flex Lite before: joining again needs the user's confirmation."""


class UnknownAssetModelError(OnboardFailedError, error="unknown_asset_model"):
    """Axle does not know the charger model (404): the charger details step is shown again."""


class OnboardingForbiddenError(OnboardFailedError, error="forbidden"):
    """The Axle account may not onboard homes (403)."""


class CredentialsRejectedError(OnboardFailedError, error="invalid_auth"):
    """Axle no longer accepts the account (401)."""


class AxleUnavailableError(OnboardFailedError, error="cannot_connect"):
    """Axle could not be reached or answered nonsense; submitting again may work."""


class InvalidBaseUrlError(OnboardFailedError, error="invalid_base_url"):
    """The saved server address cannot be used (a custom environment's address)."""


class SiteMismatchError(OnboardFailedError, error="site_mismatch"):
    """Axle put an added charger on another site than the home's: the home's details are stale."""


class UnexpectedAnswerError(OnboardFailedError, error="unknown"):
    """Axle answered in a way the integration does not know how to handle."""


@contextmanager
def unexpected_errors_as_unknown(doing: str) -> Iterator[None]:
    """Turn any fault but Axle's refusals into ``UnexpectedAnswerError`` (logged with its trace).

    A fault of ours must not leave the user with a broken form: it becomes the form's error.
    """
    try:
        yield
    except OnboardFailedError:
        raise
    except Exception as err:
        LOGGER.exception("Unexpected error while %s", doing)
        raise UnexpectedAnswerError from err


def entry_title(postcode: str) -> str:
    """Title of the config entry and device: the postcode's outward code tells homes apart.

    Only the district (e.g. "CT1") is used: the title ends up in entity ids and in Home
    Assistant's own log lines, where the full postcode must never appear.
    """
    return f"Axle Flex Lite {postcode.split(' ', maxsplit=1)[0]}"


def build_client(hass: HomeAssistant, account: Mapping[str, Any]) -> AxleClient:
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


async def async_validate_account(
    hass: HomeAssistant, account: Mapping[str, Any]
) -> tuple[AxleClient | None, dict[str, str]]:
    """Log in and read the current user; return the working client or the form errors."""
    try:
        client = build_client(hass, account)
    except AxleConfigurationError:
        return None, {"base": "invalid_base_url"}
    try:
        await client.async_get_current_user()
    except (AxleAuthenticationError, AxleForbiddenError):
        return None, {"base": "invalid_auth"}
    except (AxleTemporaryError, AxleInvalidResponseError):
        return None, {"base": "cannot_connect"}
    except AxleError as err:
        LOGGER.warning("Unexpected answer from Axle while checking the account: %s", err)
        return None, {"base": "unknown"}
    return client, {}


def validate_site(
    user_input: Mapping[str, Any], environment: str, *, with_consent: bool = True
) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise the home details; return them (with the consent time) or the form errors.

    Without ``with_consent`` the consent is not part of the form (set-up asks it last).
    """
    errors: dict[str, str] = {}
    site: dict[str, Any] = {CONF_STREET_ADDRESS: user_input[CONF_STREET_ADDRESS].strip()}
    try:
        # Sandbox MPANs are made up, so only real environments check the digit.
        site[CONF_MPAN] = normalise_mpan(
            user_input.get(CONF_MPAN, ""), check_digit=environment != Environment.SANDBOX
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
    if not with_consent:
        return site, errors
    if user_input[CONF_CONSENT]:
        site[CONF_CONSENT_AT] = consent_time()
    else:
        errors[CONF_CONSENT] = "consent_required"
    return site, errors


def consent_time() -> str:
    """Record when consent was given: seconds are enough, and keep the stored value tidy."""
    return dt_util.utcnow().replace(microsecond=0).isoformat()


def schedule_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Schedule options with both times stored as ``HH:MM:SS``."""
    return {
        CONF_WINDOW_START: cv.time(user_input[CONF_WINDOW_START]).strftime("%H:%M:%S"),
        CONF_WINDOW_END: cv.time(user_input[CONF_WINDOW_END]).strftime("%H:%M:%S"),
        CONF_CONTROL_MODE: user_input[CONF_CONTROL_MODE],
    }


def onboard_request(
    site: Mapping[str, Any],
    external_id: str,
    charger: Mapping[str, Any],
    *,
    override_withdrawal: bool,
) -> OnboardRequest:
    """Axle's onboarding request for one home with one charger in Flex Lite."""
    return home_onboard_request(
        site, {external_id: charger}, override_withdrawal=override_withdrawal
    )


def home_onboard_request(
    site: Mapping[str, Any],
    chargers: Mapping[str, Mapping[str, Any]],
    *,
    override_withdrawal: bool,
) -> OnboardRequest:
    """Axle's onboarding request for one home and its chargers (by external id) in Flex Lite."""
    return OnboardRequest(
        site=SiteDetails(
            mpan=site[CONF_MPAN],
            postcode=site[CONF_POSTCODE],
            street_address=site[CONF_STREET_ADDRESS] or None,
            email=site[CONF_EMAIL],
            gave_boundary_meter_consent_at=datetime.fromisoformat(site[CONF_CONSENT_AT]),
        ),
        assets=tuple(
            AssetDetails(
                external_id=external_id,
                type="charger",
                power_kw=charger[CONF_POWER_KW],
                capacity_kwh=None,
                asset_model=charger.get(CONF_ASSET_MODEL),
                installation_date=(
                    date.fromisoformat(charger[CONF_INSTALLATION_DATE])
                    if charger.get(CONF_INSTALLATION_DATE)
                    else None
                ),
            )
            for external_id, charger in chargers.items()
        ),
        proposition=Proposition.LIMITED_PAUSE,
        override_withdrawal=override_withdrawal,
    )


def raise_for_axle_error(err: AxleError, doing: str) -> NoReturn:
    """Raise the ``OnboardFailedError`` for an Axle failure that is not particular to one call."""
    if isinstance(err, AxleAuthenticationError):
        raise CredentialsRejectedError from err
    if isinstance(err, AxleForbiddenError):
        raise OnboardingForbiddenError from err
    if isinstance(err, AxleTemporaryError | AxleInvalidResponseError):
        raise AxleUnavailableError from err
    LOGGER.warning("Unexpected answer from Axle while %s: %s", doing, err)
    raise UnexpectedAnswerError from err


def _refusal_reason(err: AxleNotEligibleError) -> str:
    """Axle's reason as text: its sentence, or the eligibility codes it named."""
    if isinstance(err.detail, str):
        return err.detail
    return ", ".join(err.issues)


def _raise_for_refused_site(err: AxleError, doing: str, *, withdrawal_stops: bool) -> NoReturn:
    """Raise the ``OnboardFailedError`` for Axle refusing a site or a charger we sent it.

    ``withdrawal_stops``: a home that withdrew before must first say it wants to rejoin.
    """
    if isinstance(err, AxleBadRequestError):
        raise SiteDetailsRejectedError from err
    if isinstance(err, AxleConflictError):
        raise AssetConflictError from err
    if isinstance(err, AxleNotFoundError):
        # The only entity these calls look up by name is the charger model.
        raise UnknownAssetModelError from err
    if isinstance(err, AxleNotEligibleError):
        if err.previously_withdrew and withdrawal_stops:
            raise RejoinRequiredError from err
        raise NotEligibleError(_refusal_reason(err)) from err
    raise_for_axle_error(err, doing)


async def async_onboard(client: AxleClient, request: OnboardRequest) -> dict[str, str]:
    """Onboard with Axle; return the site and asset ids or raise an ``OnboardFailedError``."""
    try:
        response = await client.async_onboard(request)
    except AxleError as err:
        _raise_for_refused_site(err, "onboarding", withdrawal_stops=not request.override_withdrawal)
    asset_id = response.asset_ids.get(request.assets[0].external_id)
    if asset_id is None:
        # Axle accepted the site but did not name our charger: nothing usable to store.
        LOGGER.warning("Axle's onboarding answer did not include the charger")
        raise UnexpectedAnswerError
    return {CONF_SITE_ID: response.site_id, CONF_ASSET_ID: asset_id}


async def async_add_charger(client: AxleClient, site_id: str, request: OnboardRequest) -> str:
    """Add the request's one charger to the home's site at Axle; return its asset id.

    Raises the same ``OnboardFailedError`` kinds as onboarding, and ``SiteMismatchError`` when
    Axle answers with another site.
    """
    try:
        (asset,) = await client.async_add_assets(site_id, request)
    except AxleSiteMismatchError as err:
        raise SiteMismatchError from err
    except AxleError as err:
        _raise_for_refused_site(err, "adding a charger", withdrawal_stops=True)
    return asset.asset_id
