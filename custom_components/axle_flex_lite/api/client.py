"""Asynchronous client for Axle Energy's partner API, as used by Flex Lite: one method per call.

The client owns the organisation token: it logs in with the saved credentials, renews the
token before its hour runs out and once more whenever Axle answers 401. Every call has a timeout;
calls that Axle documents as idempotent are retried on connection failures and 5xx answers. The log
and the diagnostics record carry the method, the path template (ids left out), the status and the
duration, nothing else. The sending itself is in transport.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Self

from .assets import AssetRemoval
from .eligibility import (
    EligibilityCheck,
    Meter,
    MeterAddress,
    SiteEligibility,
    meter_addresses_from_json,
)
from .exceptions import (
    AxleConfigurationError,
    AxleInvalidResponseError,
    AxleSiteMismatchError,
    AxleValidationError,
)
from .models import (
    Asset,
    AssetResult,
    BalanceInfo,
    EnrolResponse,
    Environment,
    OffboardResponse,
    OnboardRequest,
    OnboardResponse,
    Proposition,
    ScheduleBlock,
    UnenrolResponse,
    User,
    WithdrawalUrl,
    modified_schedule_from_json,
)
from .transport import (
    BASE_URLS,
    AxleTransport,
    answer_json,
    raise_for_status,
)
from .wire import format_timestamp

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    import aiohttp

__all__ = [
    "AxleClient",
]

_PATH_ME: Final = "/auth/users/me/"
_PATH_ONBOARD: Final = "/entities/site/onboard"
_PATH_CHECK_ELIGIBILITY: Final = "/entities/site/check-eligibility"
_PATH_SITE_ELIGIBILITY: Final = "/entities/site/{site_id}/eligibility"
_PATH_METER_SEARCH: Final = "/meter/search"
_PATH_METER_BY_REF: Final = "/meter/by-ref/{meter_ref}"
_PATH_METER_BY_ADDRESS: Final = "/meter/by-address"
_PATH_ENROL: Final = "/entities/site/{site_id}/enrol"
_PATH_UNENROL: Final = "/entities/site/{site_id}/unenrol"
_PATH_OFFBOARD: Final = "/entities/site/{site_id}/offboard-site-and-assets"
_PATH_ASSET: Final = "/entities/asset/{asset_id}"
_PATH_ASSET_BY_EXTERNAL_ID: Final = "/entities/asset/external-id/{external_id}"
_PATH_PLUG_IN_SCHEDULE: Final = "/entities/asset/{asset_id}/event/plug-in-schedule"
_PATH_BALANCE_INFO: Final = "/rewards/{site_id}/info"
_PATH_WITHDRAWAL_URL: Final = "/rewards/{site_id}/url/balance"


class AxleClient(AxleTransport):
    """Talks to Axle's partner API with one organisation's credentials: one method per call.

    Retried (idempotent): GETs, the token, onboard, enrol, unenrol and deleting an asset (a repeat
    of a deletion that went through is a 404, read as done), on connection errors and 5xx.
    A timeout is retried for GETs only: a slow write may still be in progress at Axle, and three
    long waits in a row would hold up the caller for too long. Never retried: plug-in schedules (a
    late schedule is worse than none: the caller falls back to the household's own plan) and
    offboarding.
    """

    @classmethod
    def for_environment(
        cls,
        session: aiohttp.ClientSession,
        username: str,
        password: str,
        environment: Environment | str,
        base_url: str | None = None,
        **kwargs: Any,
    ) -> Self:
        """Build a client for a named environment; ``base_url`` is used for the custom one only."""
        try:
            env = Environment(environment)
        except ValueError:
            raise AxleConfigurationError("unknown Axle environment") from None
        if env is Environment.CUSTOM:
            if not base_url:
                raise AxleConfigurationError("a custom environment needs a base URL")
            url = base_url
        else:
            url = BASE_URLS[env]
        return cls(session, username, password, base_url=url, **kwargs)

    def __repr__(self) -> str:
        """Name the endpoint only: the credentials and the token stay out of logs and tracebacks."""
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    async def async_get_current_user(self) -> User:
        """Fetch the API user the credentials belong to, with its roles."""
        return User.from_json(await self._async_call("GET", _PATH_ME))

    async def async_onboard(self, request: OnboardRequest) -> OnboardResponse:
        """Register (or update) the site and its chargers and enrol them in one step.

        Raises ``AxleNotEligibleError`` when Axle refuses the site; its ``previously_withdrew``
        tells an earlier opt-out apart (send again with ``override_withdrawal``).
        """
        body = await self._async_call(
            "POST", _PATH_ONBOARD, json_body=request.to_json(), refusal_is_eligibility=True
        )
        return OnboardResponse.from_json(body)

    async def async_add_assets(
        self, site_id: str, request: OnboardRequest
    ) -> tuple[AssetResult, ...]:
        """Add chargers to the onboarded site ``site_id``; return Axle's ids for them.

        ``request`` carries the site as it was onboarded and only the chargers to add. Onboard
        upserts: it finds the site by its MPAN, adds or updates the listed assets, leaves the
        site's other assets alone, checks the new charger's eligibility, and a repeat returns the
        same ids (so it is retried). Axle's create-asset call is not used: it answers 409 to a
        repeat, so a retry after a lost answer would fail. Raises ``AxleSiteMismatchError`` when
        Axle answers with another site (the chargers went there), ``AxleConflictError`` when a
        charger's id is in use on another site.
        """
        response = await self.async_onboard(request)
        if response.site_id != site_id:
            raise AxleSiteMismatchError(
                "Axle put the chargers on another site",
                expected_site_id=site_id,
                site_id=response.site_id,
            )
        by_external_id = {asset.external_id: asset for asset in response.assets}
        if any(asset.external_id not in by_external_id for asset in request.assets):
            raise AxleInvalidResponseError("onboard response lacks a charger that was sent")
        return tuple(by_external_id[asset.external_id] for asset in request.assets)

    async def async_check_eligibility(
        self, mpan: str, asset_model: str | None = None
    ) -> EligibilityCheck:
        """Ask Axle whether a meter (and maybe a charger model) could join; nothing is saved.

        Raises ``AxleNotFoundError`` when Axle does not know ``asset_model``.
        """
        payload = {"mpan": mpan}
        if asset_model:
            payload["asset_model"] = asset_model
        body = await self._async_call("POST", _PATH_CHECK_ELIGIBILITY, json_body=payload)
        return EligibilityCheck.from_json(body)

    async def async_get_site_eligibility(self, site_id: str) -> SiteEligibility:
        """Read a saved site's eligibility, per programme and charger.

        Not retried: it is read once at set-up, which must not wait long for it.
        """
        body = await self._async_call(
            "GET", _PATH_SITE_ELIGIBILITY, {"site_id": site_id}, retry=False
        )
        return SiteEligibility.from_json(body)

    async def async_search_meters(
        self, postcode: str, building_identifier: str | None = None
    ) -> tuple[MeterAddress, ...]:
        """List the addresses with a meter at a postcode, for the household to pick theirs.

        Axle answers 422 when the postcode is invalid or has no meter; that is returned as an empty
        list, like an empty answer.
        """
        params = {"postcode": postcode}
        if building_identifier:
            params["building_identifier"] = building_identifier
        try:
            body = await self._async_call("GET", _PATH_METER_SEARCH, params=params)
        except AxleValidationError:
            return ()
        return meter_addresses_from_json(body)

    async def async_get_meter_by_ref(self, meter_ref: str) -> Meter:
        """Fetch the meter behind a search result's reference (its MPAN among others)."""
        body = await self._async_call("GET", _PATH_METER_BY_REF, {"meter_ref": meter_ref})
        return Meter.from_json(body)

    async def async_get_meter_by_address(self, address: str) -> Meter | None:
        """Let Axle match a full address to one meter; ``None`` when none or several match."""
        reply = await self._async_authenticated(
            "POST", _PATH_METER_BY_ADDRESS, None, json_body={"address": address}, retry=True
        )
        if reply.status in (202, 422):
            return None
        raise_for_status(reply, "POST", _PATH_METER_BY_ADDRESS, refusal_is_eligibility=False)
        return Meter.from_json(answer_json(reply, _PATH_METER_BY_ADDRESS))

    async def async_enrol(
        self,
        site_id: str,
        proposition: Proposition = Proposition.LIMITED_PAUSE,
        *,
        override_withdrawal: bool = False,
        gave_boundary_meter_consent_at: datetime | None = None,
    ) -> EnrolResponse:
        """Enrol an existing site in a programme (again)."""
        payload: dict[str, Any] = {
            "proposition": str(proposition),
            "override_withdrawal": override_withdrawal,
        }
        if gave_boundary_meter_consent_at is not None:
            payload["gave_boundary_meter_consent_at"] = format_timestamp(
                gave_boundary_meter_consent_at
            )
        body = await self._async_call(
            "POST",
            _PATH_ENROL,
            {"site_id": site_id},
            json_body=payload,
            refusal_is_eligibility=True,
        )
        return EnrolResponse.from_json(body)

    async def async_unenrol(
        self, site_id: str, proposition: Proposition = Proposition.LIMITED_PAUSE
    ) -> UnenrolResponse:
        """Leave a programme; the site, its chargers and its rewards stay."""
        body = await self._async_call(
            "POST", _PATH_UNENROL, {"site_id": site_id}, json_body={"proposition": str(proposition)}
        )
        return UnenrolResponse.from_json(body)

    async def async_offboard(self, site_id: str) -> OffboardResponse:
        """Delete the site and its chargers at Axle; the rewards balance becomes unreachable."""
        body = await self._async_call("POST", _PATH_OFFBOARD, {"site_id": site_id}, retry=False)
        return OffboardResponse.from_json(body)

    async def async_get_asset(self, asset_id: str) -> Asset:
        """Look up a charger by Axle's id (is it still there, and on which site)."""
        body = await self._async_call("GET", _PATH_ASSET, {"asset_id": asset_id})
        return Asset.from_json(body)

    async def async_delete_asset(self, asset_id: str) -> AssetRemoval:
        """Remove one charger at Axle; the site and its other chargers stay.

        A 404 is not an error here: the charger is gone already (see ``AssetRemoval``). Axle
        answers 204 without a body, so no body is read.
        """
        reply = await self._async_authenticated(
            "DELETE", _PATH_ASSET, {"asset_id": asset_id}, retry=True
        )
        if reply.status == 404:
            return AssetRemoval(asset_id=asset_id, deleted=False)
        raise_for_status(reply, "DELETE", _PATH_ASSET, refusal_is_eligibility=False)
        return AssetRemoval(asset_id=asset_id, deleted=True)

    async def async_get_asset_by_external_id(self, external_id: str) -> Asset:
        """Look up a charger by our own id (recovers Axle's ids if they were lost)."""
        body = await self._async_call(
            "GET", _PATH_ASSET_BY_EXTERNAL_ID, {"external_id": external_id}
        )
        return Asset.from_json(body)

    async def async_send_plug_in_schedule(
        self, asset_id: str, schedule: Sequence[ScheduleBlock]
    ) -> tuple[ScheduleBlock, ...]:
        """Send the planned charging windows at plug-in; return Axle's (maybe shortened) version."""
        body = await self._async_call(
            "POST",
            _PATH_PLUG_IN_SCHEDULE,
            {"asset_id": asset_id},
            json_body={"charging_schedule": [block.to_json() for block in schedule]},
            retry=False,
        )
        return modified_schedule_from_json(body)

    async def async_get_balance_info(self, site_id: str) -> BalanceInfo:
        """Fetch the site's rewards balance."""
        body = await self._async_call("GET", _PATH_BALANCE_INFO, {"site_id": site_id})
        return BalanceInfo.from_json(body)

    async def async_get_withdrawal_url(
        self,
        site_id: str,
        redirect_uri: str,
        *,
        enforce_two_factor_auth: bool | None = None,
        hide_transactions: bool = False,
        auto_redirect_to_setup: bool = False,
    ) -> WithdrawalUrl:
        """Fetch a short-lived link to Axle's withdrawal portal that returns to ``redirect_uri``."""
        params = {
            "redirect_uri": redirect_uri,
            "hide_transactions": _query_bool(hide_transactions),
            "auto_redirect_to_setup": _query_bool(auto_redirect_to_setup),
        }
        if enforce_two_factor_auth is not None:
            params["enforce_two_factor_auth"] = _query_bool(enforce_two_factor_auth)
        body = await self._async_call(
            "GET", _PATH_WITHDRAWAL_URL, {"site_id": site_id}, params=params
        )
        return WithdrawalUrl.from_json(body)


def _query_bool(value: bool) -> str:
    """Spell a boolean the way Axle's query parameters do."""
    return "true" if value else "false"
