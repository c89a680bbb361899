"""Typed, immutable models for Axle's partner API (requests and responses).

Requests have ``to_json``; responses have a ``from_json`` classmethod that checks the shape and
raises ``AxleInvalidResponseError`` (never ``KeyError`` or ``TypeError``) for anything else. Error
messages name the field, never its value. Fields that hold personal data are left out of ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
import math
from typing import Any, ClassVar, Self

from .exceptions import AxleInvalidResponseError

__all__ = [
    "ApiExchange",
    "Asset",
    "AssetDetails",
    "AssetResult",
    "BalanceInfo",
    "EnrolResponse",
    "Environment",
    "OffboardResponse",
    "OnboardRequest",
    "OnboardResponse",
    "Proposition",
    "ScheduleBlock",
    "SiteDetails",
    "UnenrolResponse",
    "User",
    "WithdrawalUrl",
]


class Environment(StrEnum):
    """Which Axle deployment the client talks to."""

    PRODUCTION = "production"
    SANDBOX = "sandbox"
    CUSTOM = "custom"


class Proposition(StrEnum):
    """Axle's programmes a site can be enrolled in."""

    LIMITED_PAUSE = "limited_pause"
    FULL_ASSET_SCHEDULE_CONTROL = "full_asset_schedule_control"


def _object(value: object, what: str) -> Mapping[str, Any]:
    """Return the value as a JSON object, or raise an invalid-response error naming ``what``."""
    if not isinstance(value, Mapping):
        raise AxleInvalidResponseError(f"{what} is not a JSON object")
    return value


def _required(data: Mapping[str, Any], key: str, what: str) -> object:
    """Return the member ``key`` of ``data``; missing or null is an invalid response."""
    value = data.get(key)
    if value is None:
        raise AxleInvalidResponseError(f"{what}.{key} is missing")
    return value


def _str(data: Mapping[str, Any], key: str, what: str) -> str:
    """Read a required, non-empty string member."""
    value = _required(data, key, what)
    if not isinstance(value, str) or not value:
        raise AxleInvalidResponseError(f"{what}.{key} is not a non-empty string")
    return value


def _bool(data: Mapping[str, Any], key: str, what: str) -> bool:
    """Read a required boolean member."""
    value = _required(data, key, what)
    if not isinstance(value, bool):
        raise AxleInvalidResponseError(f"{what}.{key} is not a boolean")
    return value


def _int(data: Mapping[str, Any], key: str, what: str) -> int:
    """Read a required integer member; a float with no fractional part is accepted."""
    value = _required(data, key, what)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AxleInvalidResponseError(f"{what}.{key} is not an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise AxleInvalidResponseError(f"{what}.{key} is not an integer")
        return int(value)
    return value


def _optional_float(data: Mapping[str, Any], key: str, what: str) -> float | None:
    """Read an optional finite number member."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AxleInvalidResponseError(f"{what}.{key} is not a number")
    return float(value)


def _list(data: Mapping[str, Any], key: str, what: str, *, required: bool = True) -> list[Any]:
    """Read a list member; an optional one that is missing or null gives an empty list."""
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise AxleInvalidResponseError(f"{what}.{key} is not a list")
    return value


def _strings(data: Mapping[str, Any], key: str, what: str, *, required: bool) -> tuple[str, ...]:
    """Read a list of strings as a tuple."""
    values = _list(data, key, what, required=required)
    if not all(isinstance(value, str) for value in values):
        raise AxleInvalidResponseError(f"{what}.{key} holds something other than strings")
    return tuple(values)


def parse_timestamp(value: object, what: str) -> datetime:
    """Parse an ISO 8601 time from Axle as an aware UTC datetime.

    ``Z`` and any offset are accepted; a time without offset is taken as UTC.
    """
    if not isinstance(value, str):
        raise AxleInvalidResponseError(f"{what} is not a string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise AxleInvalidResponseError(f"{what} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime, *, round_up: bool = False) -> str:
    """Axle's wire form of an aware time: UTC ISO 8601 in whole seconds, ``+00:00`` offset.

    Axle's examples carry whole seconds; the fraction is dropped, or with ``round_up`` the time
    goes to the next whole second (so a block's end never moves before its start).
    """
    if value.tzinfo is None:
        raise ValueError("times sent to Axle must be timezone-aware")
    utc = value.astimezone(UTC)
    if utc.microsecond:
        utc = utc.replace(microsecond=0)
        if round_up:
            utc += timedelta(seconds=1)
    return utc.isoformat()


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleBlock:
    """A span of time in which charging is planned (Axle's ``ChargingScheduleBlock``).

    Both ends are timezone-aware; ``start`` is strictly before ``end``.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        """Refuse naive or empty blocks: every later calculation relies on both."""
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("schedule block times must be timezone-aware")
        # Compare real instants: two times in one ZoneInfo compare by wall clock, which is wrong
        # across the autumn clock change.
        if self.start.astimezone(UTC) >= self.end.astimezone(UTC):
            raise ValueError("schedule block must end after it starts")

    @property
    def duration_seconds(self) -> float:
        """Real elapsed seconds between start and end."""
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds()

    def to_json(self) -> dict[str, str]:
        """Axle's wire form: UTC ISO 8601 with an explicit ``+00:00`` offset."""
        return {
            "start_timestamp": format_timestamp(self.start),
            "end_timestamp": format_timestamp(self.end, round_up=True),
        }

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse one block; its times come back as aware UTC datetimes."""
        start, end = _block_times(data)
        if start == end:
            raise AxleInvalidResponseError("schedule block does not end after it starts")
        return cls(start=start, end=end)


def _block_times(data: object) -> tuple[datetime, datetime]:
    """Read the start and end of a wire block; an end before the start is invalid."""
    block = _object(data, "schedule block")
    start = parse_timestamp(_required(block, "start_timestamp", "schedule block"), "start")
    end = parse_timestamp(_required(block, "end_timestamp", "schedule block"), "end")
    if end < start:
        raise AxleInvalidResponseError("schedule block ends before it starts")
    return start, end


def modified_schedule_from_json(data: object) -> tuple[ScheduleBlock, ...]:
    """Parse the answer to a plug-in schedule (``PlugInScheduleEventResponse``).

    Zero-length blocks plan no charging at all, so they are dropped rather than refused; blocks that
    end before they start are an invalid response. The order is kept as sent: judging it is the
    scheduler's job.
    """
    body = _object(data, "plug-in schedule response")
    blocks: list[ScheduleBlock] = []
    for item in _list(body, "modified_charging_schedule", "plug-in schedule response"):
        start, end = _block_times(item)
        if start != end:
            blocks.append(ScheduleBlock(start=start, end=end))
    return tuple(blocks)


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """The API user the credentials belong to (``GET /auth/users/me/``)."""

    username: str
    roles: tuple[str, ...]

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Axle's ``User``."""
        body = _object(data, "user")
        return cls(
            username=_str(body, "username", "user"),
            roles=_strings(body, "roles", "user", required=True),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteDetails:
    """The household as sent to Axle when onboarding (``SiteRequest``)."""

    mpan: str = field(repr=False)
    postcode: str = field(repr=False)
    street_address: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)
    gave_boundary_meter_consent_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """Axle's wire form; optional members are left out when unset."""
        body: dict[str, Any] = {"mpan": self.mpan, "postcode": self.postcode}
        if self.street_address:
            body["street_address"] = self.street_address
        if self.email:
            body["email"] = self.email
        if self.gave_boundary_meter_consent_at is not None:
            body["gave_boundary_meter_consent_at"] = format_timestamp(
                self.gave_boundary_meter_consent_at
            )
        return body


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetDetails:
    """A charger as sent to Axle when onboarding (``OnboardingAssetRequest``)."""

    external_id: str
    type: str = "charger"
    power_kw: float | None = None
    capacity_kwh: float | None = None
    asset_model: str | None = None
    # With ``asset_model``: what Axle needs to judge a CoP11 charger (home not half-hourly settled).
    installation_date: date | None = None

    def to_json(self) -> dict[str, Any]:
        """Axle's wire form; optional members are left out when unset."""
        body: dict[str, Any] = {"external_id": self.external_id, "type": self.type}
        properties: dict[str, float] = {}
        if self.power_kw is not None:
            properties["power_kw"] = self.power_kw
        if self.capacity_kwh is not None:
            properties["capacity_kwh"] = self.capacity_kwh
        if properties:
            body["properties"] = properties
        if self.asset_model:
            body["asset_model"] = self.asset_model
        if self.installation_date is not None:
            body["installation_date"] = self.installation_date.isoformat()
        return body


@dataclass(frozen=True, slots=True, kw_only=True)
class OnboardRequest:
    """Everything onboarding needs: the site, its chargers and the programme."""

    site: SiteDetails
    assets: tuple[AssetDetails, ...]
    proposition: Proposition = Proposition.LIMITED_PAUSE
    override_withdrawal: bool = False

    def to_json(self) -> dict[str, Any]:
        """Axle's wire form (``OnboardRequest``)."""
        return {
            "site": self.site.to_json(),
            "assets": [asset.to_json() for asset in self.assets],
            "proposition": str(self.proposition),
            "override_withdrawal": self.override_withdrawal,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetResult:
    """One charger in an onboarding answer: Axle's id for our ``external_id``."""

    asset_id: str
    external_id: str
    asset_created: bool

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Axle's ``InitialiseAssetResult``."""
        body = _object(data, "asset result")
        return cls(
            asset_id=_str(body, "asset_id", "asset result"),
            external_id=_str(body, "external_id", "asset result"),
            asset_created=_bool(body, "asset_created", "asset result"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OnboardResponse:
    """Axle's answer to onboarding: the site, its chargers and the enrolment outcome.

    ``warnings`` gathers the site's and the chargers' warnings.
    """

    site_id: str
    site_created: bool
    assets: tuple[AssetResult, ...]
    enrolment_status: str
    warnings: tuple[str, ...] = ()

    @property
    def asset_ids(self) -> dict[str, str]:
        """Axle's asset id for each ``external_id`` sent."""
        return {asset.external_id: asset.asset_id for asset in self.assets}

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Axle's ``OnboardResponse``."""
        body = _object(data, "onboard response")
        site = _object(_required(body, "site", "onboard response"), "onboard response site")
        enrolment = _object(
            _required(body, "enrolment", "onboard response"), "onboard response enrolment"
        )
        raw_assets = _list(body, "assets", "onboard response")
        warnings = list(_strings(site, "warnings", "site", required=False))
        for raw in raw_assets:
            warnings.extend(
                _strings(_object(raw, "asset result"), "warnings", "asset", required=False)
            )
        return cls(
            site_id=_str(site, "site_id", "site"),
            site_created=_bool(site, "site_created", "site"),
            assets=tuple(AssetResult.from_json(raw) for raw in raw_assets),
            enrolment_status=_str(enrolment, "status", "enrolment"),
            warnings=tuple(warnings),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class _SiteStatusResponse:
    """A site id and the status Axle reports for it (the enrol and unenrol answers)."""

    site_id: str
    status: str

    # How the body is named in a parse error.
    _body_name: ClassVar[str] = "site status response"

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse the body: ``site_id`` and ``status``, both strings."""
        body = _object(data, cls._body_name)
        return cls(
            site_id=_str(body, "site_id", cls._body_name),
            status=_str(body, "status", cls._body_name),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrolResponse(_SiteStatusResponse):
    """Axle's answer to enrolling: ``enrolled`` or ``already_enrolled`` (both success)."""

    _body_name: ClassVar[str] = "enrol response"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnenrolResponse(_SiteStatusResponse):
    """Axle's answer to unenrolling: ``unenrolled`` or ``already_unenrolled``."""

    _body_name: ClassVar[str] = "unenrol response"


@dataclass(frozen=True, slots=True, kw_only=True)
class OffboardResponse:
    """Axle's answer to offboarding: the site that was removed.

    Axle also returns one asset even for sites with several (axle-api section 7.11): it is ignored.
    """

    site_id: str

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Axle's ``OnboardingResponse`` as returned by offboard."""
        body = _object(data, "offboard response")
        site = _object(_required(body, "site", "offboard response"), "offboard response site")
        return cls(site_id=_str(site, "id", "site"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    """A charger as Axle knows it (``AssetResponse``)."""

    id: str
    external_id: str
    type: str
    site_id: str
    power_kw: float | None = None

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Axle's ``AssetResponse``."""
        body = _object(data, "asset")
        properties = body.get("properties")
        power_kw = (
            None
            if properties is None
            else _optional_float(_object(properties, "asset properties"), "power_kw", "asset")
        )
        return cls(
            id=_str(body, "id", "asset"),
            external_id=_str(body, "external_id", "asset"),
            type=_str(body, "type", "asset"),
            site_id=_str(body, "site_id", "asset"),
            power_kw=power_kw,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceInfo:
    """The site's rewards balance (``BalanceInfoResponse``); amounts in pence."""

    current_balance_pence: int
    total_earnings_pence: int
    minimum_withdrawal_threshold_pence: int
    withdrawal_min_wait_days: int
    can_withdraw: bool

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Axle's ``BalanceInfoResponse``."""
        body = _object(data, "balance")
        return cls(
            current_balance_pence=_int(body, "current_balance_pence", "balance"),
            total_earnings_pence=_int(body, "total_earnings_pence", "balance"),
            minimum_withdrawal_threshold_pence=_int(
                body, "minimum_withdrawal_threshold_pence", "balance"
            ),
            withdrawal_min_wait_days=_int(body, "withdrawal_min_wait_days", "balance"),
            can_withdraw=_bool(body, "can_withdraw", "balance"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawalUrl:
    """A short-lived link to Axle's hosted withdrawal portal.

    The link opens the household's balance without a password, so it stays out of ``repr``.
    """

    url: str = field(repr=False)
    expires_at: datetime

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Axle's ``BalanceWithdrawalURLResponse``."""
        body = _object(data, "withdrawal url")
        url = _str(body, "balance_withdrawal_url", "withdrawal url")
        if not url.startswith(("https://", "http://")):
            raise AxleInvalidResponseError("withdrawal url.balance_withdrawal_url is not a URL")
        return cls(
            url=url,
            expires_at=parse_timestamp(
                _required(body, "url_expiry_timestamp", "withdrawal url"), "url_expiry_timestamp"
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiExchange:
    """One HTTP attempt, for diagnostics: ids in ``path`` are replaced by their template names.

    ``status`` is ``None`` when no answer came; ``error`` then names what went wrong.
    """

    method: str
    path: str
    status: int | None
    elapsed_ms: float
    at: datetime
    error: str | None = None
