"""Typed, immutable models for Axle's partner API (requests and responses).

Requests have ``to_json``; responses have a ``from_json`` classmethod that checks the shape and
raises ``AxleInvalidResponseError`` (never ``KeyError`` or ``TypeError``) for anything else. Error
messages name the field, never its value. Fields that hold personal data are left out of ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Self

from .exceptions import AxleInvalidResponseError
from .wire import (
    JsonModel,
    format_timestamp,
    json_object,
    parse_timestamp,
    read_bool,
    read_list,
    read_optional_float,
    read_str,
    read_strings,
    required_member,
)

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
    block = json_object(data, "schedule block")
    start = parse_timestamp(required_member(block, "start_timestamp", "schedule block"), "start")
    end = parse_timestamp(required_member(block, "end_timestamp", "schedule block"), "end")
    if end < start:
        raise AxleInvalidResponseError("schedule block ends before it starts")
    return start, end


def modified_schedule_from_json(data: object) -> tuple[ScheduleBlock, ...]:
    """Parse the answer to a plug-in schedule (``PlugInScheduleEventResponse``).

    Zero-length blocks plan no charging at all, so they are dropped rather than refused; blocks that
    end before they start are an invalid response. The order is kept as sent: judging it is the
    scheduler's job.
    """
    body = json_object(data, "plug-in schedule response")
    blocks: list[ScheduleBlock] = []
    for item in read_list(body, "modified_charging_schedule", "plug-in schedule response"):
        start, end = _block_times(item)
        if start != end:
            blocks.append(ScheduleBlock(start=start, end=end))
    return tuple(blocks)


@dataclass(frozen=True, slots=True, kw_only=True)
class User(JsonModel, json_name="user"):
    """The API user the credentials belong to (``GET /auth/users/me/``)."""

    username: str
    roles: tuple[str, ...]


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
class AssetResult(JsonModel, json_name="asset result"):
    """One charger in an onboarding answer: Axle's id for our ``external_id``."""

    asset_id: str
    external_id: str
    asset_created: bool


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
        body = json_object(data, "onboard response")
        site = json_object(
            required_member(body, "site", "onboard response"), "onboard response site"
        )
        enrolment = json_object(
            required_member(body, "enrolment", "onboard response"), "onboard response enrolment"
        )
        raw_assets = read_list(body, "assets", "onboard response")
        warnings = list(read_strings(site, "warnings", "site", required=False))
        for raw in raw_assets:
            warnings.extend(
                read_strings(json_object(raw, "asset result"), "warnings", "asset", required=False)
            )
        return cls(
            site_id=read_str(site, "site_id", "site"),
            site_created=read_bool(site, "site_created", "site"),
            assets=tuple(AssetResult.from_json(raw) for raw in raw_assets),
            enrolment_status=read_str(enrolment, "status", "enrolment"),
            warnings=tuple(warnings),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class _SiteStatusResponse(JsonModel, json_name="site status response"):
    """A site id and the status Axle reports for it (the enrol and unenrol answers)."""

    site_id: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrolResponse(_SiteStatusResponse, json_name="enrol response"):
    """Axle's answer to enrolling: ``enrolled`` or ``already_enrolled`` (both success)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnenrolResponse(_SiteStatusResponse, json_name="unenrol response"):
    """Axle's answer to unenrolling: ``unenrolled`` or ``already_unenrolled``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OffboardResponse:
    """Axle's answer to offboarding: the site that was removed.

    Axle also returns one asset even for sites with several (axle-api section 7.11): it is ignored.
    """

    site_id: str

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse Axle's ``OnboardingResponse`` as returned by offboard."""
        body = json_object(data, "offboard response")
        site = json_object(
            required_member(body, "site", "offboard response"), "offboard response site"
        )
        return cls(site_id=read_str(site, "id", "site"))


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
        body = json_object(data, "asset")
        properties = body.get("properties")
        power_kw = (
            None
            if properties is None
            else read_optional_float(
                json_object(properties, "asset properties"), "power_kw", "asset"
            )
        )
        return cls(
            id=read_str(body, "id", "asset"),
            external_id=read_str(body, "external_id", "asset"),
            type=read_str(body, "type", "asset"),
            site_id=read_str(body, "site_id", "asset"),
            power_kw=power_kw,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceInfo(JsonModel, json_name="balance"):
    """The site's rewards balance (``BalanceInfoResponse``); amounts in pence."""

    current_balance_pence: int
    total_earnings_pence: int
    minimum_withdrawal_threshold_pence: int
    withdrawal_min_wait_days: int
    can_withdraw: bool


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
        body = json_object(data, "withdrawal url")
        url = read_str(body, "balance_withdrawal_url", "withdrawal url")
        if not url.startswith(("https://", "http://")):
            raise AxleInvalidResponseError("withdrawal url.balance_withdrawal_url is not a URL")
        return cls(
            url=url,
            expires_at=parse_timestamp(
                required_member(body, "url_expiry_timestamp", "withdrawal url"),
                "url_expiry_timestamp",
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
