"""The simulator's records (sites, assets, balances, faults, requests) and its constants.

Plain data: the rules that change them are in ``sites.py`` (Axle's calls) and ``state.py``
(the test-facing controls).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal, get_args
import uuid

DEFAULT_USERNAME = "ha-partner"
DEFAULT_PASSWORD = "sim-password"
ROLES = ("entity_read", "entity_write", "rewards")
LIMITED_PAUSE = "limited_pause"
PROPOSITIONS = ("limited_pause", "full_asset_schedule_control")
CREATABLE_ASSET_TYPES = ("charger", "battery", "heat pump", "electric_vehicle", "hot water tank")

TOKEN_LIFETIME = timedelta(hours=1)
WITHDRAWAL_URL_LIFETIME = timedelta(minutes=60)
WITHDRAWAL_URL_BASE = "https://payments.example.invalid/w/"
# Longer than any client timeout; a held request is normally released by server shutdown first.
HOLD_SECONDS = 60.0
MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)

type FailureKind = Literal["status", "timeout", "malformed", "delay", "missing_fields"]
type PauseMode = Literal["price", "soon", "none"]
# How a 422 refusal's detail is shaped: a sentence, FastAPI's list, or an object with codes.
type RefusalShape = Literal["string", "list", "object"]
# How answered times are written: Axle's examples use "+00:00"; "Z" or a summer offset are legal.
type TimeStyle = Literal["+00:00", "Z", "+01:00"]
FAILURE_KINDS: tuple[str, ...] = get_args(FailureKind.__value__)
PAUSE_MODES: tuple[str, ...] = get_args(PauseMode.__value__)
REFUSAL_SHAPES: tuple[str, ...] = get_args(RefusalShape.__value__)
TIME_STYLES: tuple[str, ...] = get_args(TimeStyle.__value__)

# Stable ids: the n-th site or asset of a simulator always gets the same UUID.
ID_NAMESPACE = uuid.UUID("6f0c3a52-2f1e-4a47-9d0b-5a1d7c3e9b21")
SUMMER_TIME = timezone(timedelta(hours=1))


def utc_now() -> datetime:
    """Return the real current time, aware, in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format an aware datetime the way the simulator answers: UTC ISO 8601 with ``+00:00``."""
    return moment.astimezone(UTC).isoformat()


def mpan_is_valid(mpan: str) -> bool:
    """Return True for a 13-digit MPAN core whose last digit is the right check digit."""
    if len(mpan) != 13 or not mpan.isascii() or not mpan.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(mpan[:12], MPAN_WEIGHTS, strict=True))
    return total % 11 % 10 == int(mpan[12])


@dataclass(slots=True)
class RecordedRequest:
    """One request the simulator received (admin requests are not recorded)."""

    method: str
    path: str
    body: Any  # parsed JSON, a dict for form bodies, the raw text if neither, None if empty
    at: datetime
    query: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-friendly copy."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": self.body,
            "at": iso(self.at),
        }


@dataclass(slots=True)
class Asset:
    """An asset registered on a site."""

    asset_id: str
    external_id: str
    type: str
    site_id: str
    power_kw: float | None = None
    capacity_kwh: float | None = None
    asset_model: str | None = None
    installation_date: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return Axle's ``AssetResponse``."""
        properties: dict[str, float] = {}
        if self.power_kw is not None:
            properties["power_kw"] = self.power_kw
        if self.capacity_kwh is not None:
            properties["capacity_kwh"] = self.capacity_kwh
        return {
            "id": self.asset_id,
            "external_id": self.external_id,
            "type": self.type,
            "site_id": self.site_id,
            "properties": properties,
        }


@dataclass(slots=True)
class Site:
    """A site (one electricity meter) and its assets, keyed by external id."""

    site_id: str
    mpan: str
    postcode: str
    owner: str
    street_address: str | None = None
    email: str | None = None
    consent_at: datetime | None = None
    enrolled: set[str] = field(default_factory=set)
    withdrew: set[str] = field(default_factory=set)
    assets: dict[str, Asset] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return Axle's ``SiteResponse``: the fields the simulator knows, unset ones left out."""
        body: dict[str, Any] = {
            "id": self.site_id,
            "mpan": self.mpan,
            "postcode": self.postcode,
            "asset_ids": [asset.asset_id for asset in self.assets.values()],
        }
        if self.street_address is not None:
            body["address"] = self.street_address
        if self.consent_at is not None:
            body["gave_boundary_meter_consent_at"] = iso(self.consent_at)
        return body


@dataclass(slots=True)
class Balance:
    """A site's rewards balance as ``GET /rewards/{site_id}/info`` reports it."""

    current_pence: int = 0
    total_pence: int = 0
    can_withdraw: bool = False
    minimum_withdrawal_threshold_pence: int = 1000
    withdrawal_min_wait_days: int = 30

    def to_json(self) -> dict[str, Any]:
        """Return Axle's ``BalanceInfoResponse``."""
        return {
            "current_balance_pence": self.current_pence,
            "total_earnings_pence": self.total_pence,
            "minimum_withdrawal_threshold_pence": self.minimum_withdrawal_threshold_pence,
            "withdrawal_min_wait_days": self.withdrawal_min_wait_days,
            "can_withdraw": self.can_withdraw,
        }


@dataclass(slots=True)
class Fault:
    """A queued failure for the next ``remaining`` requests whose path contains the fragment."""

    path_fragment: str | None
    kind: FailureKind
    status: int
    remaining: int
    delay: float
    detail: Any

    def matches(self, path: str) -> bool:
        """Return True if this fault applies to a request for ``path``."""
        return self.path_fragment is None or self.path_fragment in path

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-friendly copy."""
        return {
            "path_fragment": self.path_fragment,
            "kind": self.kind,
            "status": self.status,
            "remaining": self.remaining,
            "delay": self.delay,
            "detail": self.detail,
        }


@dataclass(slots=True)
class IssuedToken:
    """An access token and when it stops working (by the simulator clock)."""

    username: str
    expires_at: datetime


@dataclass(slots=True, kw_only=True)
class SiteInput:
    """The site part of an onboard request, already shape-checked."""

    mpan: str
    postcode: str
    street_address: str | None = None
    email: str | None = None
    consent_at: datetime | None = None


@dataclass(slots=True, kw_only=True)
class AssetInput:
    """One asset of an onboard request, already shape-checked."""

    external_id: str
    type: str
    power_kw: float | None = None
    capacity_kwh: float | None = None
    asset_model: str | None = None
    installation_date: str | None = None
