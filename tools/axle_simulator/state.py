"""In-memory state of the Axle simulator and the business rules it applies.

Everything here is plain Python: the HTTP layer in ``app.py`` validates request shapes the way
FastAPI would and then calls the methods below, which raise ``ApiError`` for Axle's refusals.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
import itertools
import secrets
from typing import TYPE_CHECKING, Any, Literal, get_args
import uuid

from .eligibility import ASSET_MODELS, AssetFacts, Meter, default_meters, issues_for
from .errors import ApiError
from .meters import MeterRegistry
from .schedule import Block, cut_pause, price_pause, soon_pause

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

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
_ID_NAMESPACE = uuid.UUID("6f0c3a52-2f1e-4a47-9d0b-5a1d7c3e9b21")
_SUMMER = timezone(timedelta(hours=1))


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


class AxleSimulator(MeterRegistry):
    """Axle's partner API state, faults and recorded traffic, all in memory."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = utc_now,
        pause_mode: PauseMode = "price",
        soon_offset: timedelta = timedelta(minutes=2),
        soon_length: timedelta = timedelta(minutes=2),
    ) -> None:
        """Start with the default account and nothing else."""
        self.now = now
        self.pause_mode: PauseMode = pause_mode
        self.soon_offset = soon_offset
        self.soon_length = soon_length
        self.accounts: dict[str, str] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.sites: dict[str, Site] = {}
        self.balances: dict[str, Balance] = {}
        self.ineligible: dict[str, str] = {}
        self.meters: dict[str, Meter] = {}
        self.refusal_shape: RefusalShape = "string"
        self.time_style: TimeStyle = "+00:00"
        self.reverse_blocks = False
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self._ids_issued = 0
        self._release: asyncio.Event | None = None
        self._initial = (pause_mode, soon_offset, soon_length)
        self.reset()

    # Test-facing controls

    def reset(self) -> None:
        """Forget everything: back to the default account and the initial pause settings."""
        self.pause_mode, self.soon_offset, self.soon_length = self._initial
        self.accounts = {DEFAULT_USERNAME: DEFAULT_PASSWORD}
        self.tokens.clear()
        self.sites.clear()
        self.balances.clear()
        self.ineligible.clear()
        self.meters = default_meters()
        self.refusal_shape = "string"
        self.time_style = "+00:00"
        self.reverse_blocks = False
        self.faults.clear()
        self.requests.clear()
        self._ids_issued = 0
        self.release_held_requests()

    def add_account(self, username: str, password: str) -> None:
        """Accept another set of partner credentials."""
        self.accounts[username] = password

    def expire_tokens(self) -> int:
        """Invalidate every issued token; return how many there were."""
        count = len(self.tokens)
        self.tokens.clear()
        return count

    def mark_ineligible(self, mpan: str, reason: str = "site is not half-hourly settled") -> None:
        """Make onboard and enrol refuse this MPAN with a 422 "not eligible" detail."""
        self.ineligible[mpan] = reason

    def stamp(self, moment: datetime) -> str:
        """Write an answered time in the chosen ``time_style``."""
        if self.time_style == "+01:00":
            return moment.astimezone(_SUMMER).isoformat()
        text = iso(moment)
        return text.removesuffix("+00:00") + "Z" if self.time_style == "Z" else text

    def set_balance(
        self,
        site_id: str,
        current_pence: int,
        total_pence: int,
        can_withdraw: bool,
        *,
        minimum_withdrawal_threshold_pence: int = 1000,
        withdrawal_min_wait_days: int = 30,
    ) -> None:
        """Set what ``GET /rewards/{site_id}/info`` reports for a site."""
        self.balances[site_id] = Balance(
            current_pence=current_pence,
            total_pence=total_pence,
            can_withdraw=can_withdraw,
            minimum_withdrawal_threshold_pence=minimum_withdrawal_threshold_pence,
            withdrawal_min_wait_days=withdrawal_min_wait_days,
        )

    def fail_next(
        self,
        path_fragment: str | None = None,
        *,
        status: int = 500,
        count: int = 1,
        kind: FailureKind = "status",
        delay: float = 0.0,
        detail: Any = None,
    ) -> None:
        """Make the next ``count`` requests whose path contains ``path_fragment`` misbehave.

        ``kind``: "status" answers ``status`` with ``{"detail": detail}``; "timeout" holds the
        request for a minute (released early by server shutdown); "malformed" answers 200 with
        invalid JSON; "missing_fields" answers 200 with JSON lacking the required fields;
        "delay" answers normally after ``delay`` seconds.
        """
        if kind not in FAILURE_KINDS:
            raise ValueError(f"Unknown failure kind {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self.faults.append(
            Fault(
                path_fragment=path_fragment,
                kind=kind,
                status=status,
                remaining=count,
                delay=delay,
                detail=detail,
            )
        )

    def requests_to(self, path_fragment: str) -> list[RecordedRequest]:
        """Return the recorded requests whose path contains ``path_fragment``."""
        return [request for request in self.requests if path_fragment in request.path]

    def site_by_id(self, site_id: str) -> Site | None:
        """Return the site with this Axle id, if any."""
        return next((site for site in self.sites.values() if site.site_id == site_id), None)

    def iter_assets(self) -> Iterator[Asset]:
        """Yield every asset on every site."""
        for site in self.sites.values():
            yield from site.assets.values()

    def snapshot(self) -> dict[str, Any]:
        """Return the whole state as JSON-friendly data (for ``GET /_sim/state``)."""
        return {
            "now": iso(self.now()),
            "pause_mode": self.pause_mode,
            "soon_offset": self.soon_offset.total_seconds(),
            "soon_length": self.soon_length.total_seconds(),
            "accounts": sorted(self.accounts),
            "active_tokens": len(self.tokens),
            "sites": {
                mpan: {
                    **site.to_json(),
                    "email": site.email,
                    "enrolled": sorted(site.enrolled),
                    "withdrew": sorted(site.withdrew),
                    "assets": [asset.to_json() for asset in site.assets.values()],
                }
                for mpan, site in self.sites.items()
            },
            "balances": {site_id: bal.to_json() for site_id, bal in self.balances.items()},
            "ineligible": dict(self.ineligible),
            "faults": [fault.to_json() for fault in self.faults],
            "request_count": len(self.requests),
        }

    # Request plumbing used by the HTTP layer

    def record(self, request: RecordedRequest) -> None:
        """Remember a request."""
        self.requests.append(request)

    def take_fault(self, path: str) -> Fault | None:
        """Return the first queued fault for ``path`` and use up one of its repetitions."""
        for fault in self.faults:
            if fault.matches(path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    async def hold(self) -> None:
        """Wait until released (or for ``HOLD_SECONDS``): a request that never gets an answer."""
        if self._release is None:
            self._release = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), HOLD_SECONDS)

    def release_held_requests(self) -> None:
        """Let every request held by a "timeout" fault finish."""
        if self._release is not None:
            self._release.set()
            self._release = None

    def _new_id(self, kind: str) -> str:
        self._ids_issued += 1
        return str(uuid.uuid5(_ID_NAMESPACE, f"{kind}-{self._ids_issued}"))

    # Axle's behaviour

    def issue_token(self, username: str, password: str) -> str:
        """Check credentials and issue a one-hour bearer token."""
        expected = self.accounts.get(username)
        if expected is None or not secrets.compare_digest(expected, password):
            raise ApiError(401, "Incorrect username or password")
        token = f"sim-{secrets.token_urlsafe(24)}"
        self.tokens[token] = IssuedToken(username, self.now() + TOKEN_LIFETIME)
        return token

    def authenticate(self, token: str) -> str:
        """Return the username behind a live token, or raise 401."""
        issued = self.tokens.get(token)
        if issued is None or self.now() >= issued.expires_at:
            raise ApiError(401, "Could not validate credentials")
        return issued.username

    def _owned_site(self, owner: str, site_id: str) -> Site:
        site = self.site_by_id(site_id)
        if site is None or site.owner != owner:
            raise ApiError(404, "Site not found")
        return site

    def _issues(self, mpan: str, assets: Sequence[AssetFacts]) -> list[str]:
        meter = self.meter_of(mpan)
        return issues_for(meter.half_hourly_settled, meter.domestic, assets, need_date=True)

    def _check_eligible(self, mpan: str, proposition: str, assets: Sequence[AssetFacts]) -> None:
        if (reason := self.ineligible.get(mpan)) is not None:
            raise self.refusal(
                f"Site is not eligible for {proposition}: {reason}", "not_eligible", [reason]
            )
        if issues := self._issues(mpan, assets):
            raise self.refusal(
                f"Site is not eligible for {proposition}: {', '.join(issues)}",
                "not_eligible",
                issues,
            )

    def _check_not_withdrawn(self, site: Site | None, proposition: str, override: bool) -> None:
        if site is not None and proposition in site.withdrew and not override:
            raise self.refusal(
                f"Site previously withdrew from {proposition}; set override_withdrawal to re-enrol",
                "previously_withdrawn",
            )

    @staticmethod
    def _enrol(site: Site, proposition: str) -> str:
        site.withdrew.discard(proposition)
        if proposition in site.enrolled:
            return "already_enrolled"
        site.enrolled.add(proposition)
        return "enrolled"

    def onboard(
        self,
        owner: str,
        site_input: SiteInput,
        asset_inputs: Sequence[AssetInput],
        proposition: str,
        override_withdrawal: bool,
    ) -> dict[str, Any]:
        """Upsert a site and its assets and enrol it; all checks happen before any change."""
        if not mpan_is_valid(site_input.mpan):
            raise ApiError(400, "Invalid MPAN: expected 13 digits with a valid check digit")
        if site_input.consent_at is None:
            raise ApiError(
                400, "Boundary meter consent is required (gave_boundary_meter_consent_at)"
            )
        if site_input.email is not None and not _looks_like_email(site_input.email):
            raise ApiError(400, "Invalid email address")
        site = self.sites.get(site_input.mpan)
        if site is not None and site.owner != owner:
            raise ApiError(409, "Site is registered to another organisation")
        for asset_input in asset_inputs:
            for other in self.iter_assets():
                if other.external_id != asset_input.external_id:
                    continue
                if site is None or other.site_id != site.site_id:
                    raise ApiError(
                        409, f"Asset {asset_input.external_id} is registered to a different site"
                    )
                if other.type != asset_input.type:
                    raise ApiError(409, f"Asset {asset_input.external_id} type mismatch")
        for asset_input in asset_inputs:
            if asset_input.asset_model and asset_input.asset_model not in ASSET_MODELS:
                raise ApiError(404, "Asset model not found")
        self._check_not_withdrawn(site, proposition, override_withdrawal)
        self._check_eligible(
            site_input.mpan, proposition, [_facts(site, asset) for asset in asset_inputs]
        )

        site_created = site is None
        if site is None:
            site = Site(
                site_id=self._new_id("site"),
                mpan=site_input.mpan,
                postcode=site_input.postcode,
                owner=owner,
            )
            self.sites[site.mpan] = site
        site_updates = _merge(
            site,
            {
                "postcode": site_input.postcode,
                "street_address": site_input.street_address,
                "email": site_input.email,
                "consent_at": site_input.consent_at,
            },
            created=site_created,
        )
        asset_results = [self._upsert_asset(site, asset_input) for asset_input in asset_inputs]
        status = self._enrol(site, proposition)
        return {
            "site": {
                "site_id": site.site_id,
                "site_created": site_created,
                "fields_updated": [
                    "gave_boundary_meter_consent_at" if name == "consent_at" else name
                    for name in site_updates
                ],
                "warnings": [] if site.email else ["No email: withdrawals will not use 2FA"],
            },
            "assets": asset_results,
            "enrolment": {"site_id": site.site_id, "status": status},
        }

    def _upsert_asset(self, site: Site, asset_input: AssetInput) -> dict[str, Any]:
        asset = site.assets.get(asset_input.external_id)
        created = asset is None
        if asset is None:
            asset = Asset(
                asset_id=self._new_id("asset"),
                external_id=asset_input.external_id,
                type=asset_input.type,
                site_id=site.site_id,
            )
            site.assets[asset.external_id] = asset
        updates = _merge(
            asset,
            {
                "power_kw": asset_input.power_kw,
                "capacity_kwh": asset_input.capacity_kwh,
                "asset_model": asset_input.asset_model,
                "installation_date": asset_input.installation_date,
            },
            created=created,
        )
        return {
            "asset_id": asset.asset_id,
            "external_id": asset.external_id,
            "asset_created": created,
            "fields_updated": updates,
            "warnings": [],
        }

    def enrol(
        self,
        owner: str,
        site_id: str,
        proposition: str,
        override_withdrawal: bool,
        consent_at: datetime | None,
    ) -> dict[str, Any]:
        """Enrol a site in a proposition (idempotent)."""
        site = self._owned_site(owner, site_id)
        self._check_not_withdrawn(site, proposition, override_withdrawal)
        self._check_eligible(
            site.mpan, proposition, [_facts(site, a) for a in site.assets.values()]
        )
        if consent_at is not None:
            site.consent_at = consent_at
        return {"site_id": site.site_id, "status": self._enrol(site, proposition)}

    def unenrol(self, owner: str, site_id: str, proposition: str) -> dict[str, Any]:
        """Withdraw a site from a proposition (idempotent); re-enrolling then needs an override."""
        site = self._owned_site(owner, site_id)
        if proposition not in site.enrolled:
            return {"site_id": site.site_id, "status": "already_unenrolled"}
        site.enrolled.discard(proposition)
        site.withdrew.add(proposition)
        return {"site_id": site.site_id, "status": "unenrolled"}

    def offboard(self, owner: str, site_id: str) -> dict[str, Any]:
        """Delete a site and its assets; answer with the site and its first asset."""
        site = self._owned_site(owner, site_id)
        del self.sites[site.mpan]
        self.balances.pop(site.site_id, None)
        first_asset = next(iter(site.assets.values()))
        return {"site": site.to_json(), "asset": first_asset.to_json()}

    def asset_by_external_id(self, owner: str, external_id: str) -> dict[str, Any]:
        """Return an asset by the partner's own id."""
        for site in self.sites.values():
            asset = site.assets.get(external_id)
            if asset is not None and site.owner == owner:
                return asset.to_json()
        raise ApiError(404, "Asset not found")

    def plug_in_schedule(self, owner: str, asset_id: str, blocks: Sequence[Block]) -> list[Block]:
        """Return the submitted blocks, maybe with one pause cut out (see ``schedule.py``)."""
        site = next(
            (
                site
                for site in self.sites.values()
                if site.owner == owner
                and any(asset.asset_id == asset_id for asset in site.assets.values())
            ),
            None,
        )
        if site is None:
            raise ApiError(404, "Charger not found")
        if LIMITED_PAUSE not in site.enrolled:
            raise ApiError(403, "Site has no limited_pause consent")
        ordered = sorted(blocks)
        for (_, previous_end), (next_start, _) in itertools.pairwise(ordered):
            if next_start < previous_end:
                raise ApiError(
                    422,
                    [
                        {
                            "loc": ["body", "charging_schedule"],
                            "msg": "Charging schedule blocks overlap",
                            "type": "value_error",
                        }
                    ],
                )
        now = self.now()
        pause: Block | None = None
        if self.pause_mode == "price":
            pause = price_pause(ordered, now)
        elif self.pause_mode == "soon":
            pause = soon_pause(ordered, now, self.soon_offset, self.soon_length)
        return ordered if pause is None else cut_pause(ordered, pause)

    def balance_info(self, owner: str, site_id: str) -> dict[str, Any]:
        """Return a site's balance (zero unless set with ``set_balance``)."""
        site = self._owned_site(owner, site_id)
        return self.balances.get(site.site_id, Balance()).to_json()

    def withdrawal_url(self, owner: str, site_id: str) -> dict[str, Any]:
        """Return a fresh hosted withdrawal link valid for an hour."""
        self._owned_site(owner, site_id)
        return {
            "balance_withdrawal_url": f"{WITHDRAWAL_URL_BASE}{secrets.token_urlsafe(16)}",
            "url_expiry_timestamp": iso(self.now() + WITHDRAWAL_URL_LIFETIME),
        }


def _facts(site: Site | None, asset: AssetInput | Asset) -> AssetFacts:
    """Return an asset's model and date as saved after the request (new values win)."""
    stored = site.assets.get(asset.external_id) if site is not None else None
    return AssetFacts(
        asset_model=asset.asset_model or (stored.asset_model if stored else None),
        installation_date=asset.installation_date or (stored.installation_date if stored else None),
    )


def _looks_like_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(local and at and "." in domain.strip(".")) and " " not in value


def _merge(target: object, values: Mapping[str, Any], *, created: bool) -> list[str]:
    """Copy the non-None values onto ``target``; return the names that changed on an update."""
    changed: list[str] = []
    for name, value in values.items():
        if value is None or getattr(target, name) == value:
            continue
        setattr(target, name, value)
        if not created:
            changed.append(name)
    return changed
