"""The Axle simulator: its state, the test-facing controls, faults, tokens and recorded traffic.

Everything here is plain Python: the HTTP layer in ``app.py`` validates request shapes the way
FastAPI would and then calls the methods of ``AxleSimulator``, which raise ``ApiError`` for Axle's
refusals. Axle's own rules live in the mixins: ``SiteRules`` (``sites.py``) for sites and assets,
``MeterRegistry`` (``meters.py``) for the meter table; the records are in ``records.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
import secrets
from typing import TYPE_CHECKING, Any
import uuid

from .eligibility import Meter, default_meters
from .errors import ApiError
from .records import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    FAILURE_KINDS,
    HOLD_SECONDS,
    ID_NAMESPACE,
    LIMITED_PAUSE,
    SUMMER_TIME,
    TOKEN_LIFETIME,
    AssetInput,
    Balance,
    FailureKind,
    Fault,
    IssuedToken,
    PauseMode,
    RecordedRequest,
    RefusalShape,
    Site,
    SiteInput,
    TimeStyle,
    iso,
    utc_now,
)
from .sites import SiteRules

if TYPE_CHECKING:
    from collections.abc import Callable

# Kept importable from here, where the tests have always found them.
__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "LIMITED_PAUSE",
    "AssetInput",
    "AxleSimulator",
    "RefusalShape",
    "SiteInput",
    "TimeStyle",
]


class AxleSimulator(SiteRules):
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
        self.reset_assets()
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
            return moment.astimezone(SUMMER_TIME).isoformat()
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
        self.faults.append(Fault(path_fragment, kind, status, count, delay, detail))

    def requests_to(self, path_fragment: str) -> list[RecordedRequest]:
        """Return the recorded requests whose path contains ``path_fragment``."""
        return [request for request in self.requests if path_fragment in request.path]

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
        return str(uuid.uuid5(ID_NAMESPACE, f"{kind}-{self._ids_issued}"))

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
