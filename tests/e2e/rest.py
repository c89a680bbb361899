"""Home Assistant's REST API and the simulator's admin endpoints, as the end-to-end test calls them.

Both are reached the way a person's browser would: nothing comes from the integration's own code.
"""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

POLL_INTERVAL = 0.2


class HttpError(AssertionError):
    """An HTTP call answered with an unexpected status."""


async def wait_for(
    check: Callable[[], Any], within: float, what: str, interval: float = POLL_INTERVAL
) -> Any:
    """Await ``check()`` (sync or async) until it gives something truthy; fail after ``within``."""
    deadline = monotonic() + within
    last_error: Exception | None = None
    while True:
        try:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
        except (aiohttp.ClientError, HttpError, OSError) as err:
            result, last_error = None, err
        if result:
            return result
        if monotonic() > deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}{detail}")
        await asyncio.sleep(interval)


class SimulatorClient:
    """The simulator's admin endpoints."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Use ``session`` for calls to ``base_url``."""
        self._session = session
        self.base_url = base_url

    async def _get(self, endpoint: str, **params: str) -> Any:
        async with self._session.get(f"{self.base_url}{endpoint}", params=params) as response:
            if response.status != 200:
                text = await response.text()
                raise HttpError(f"GET {endpoint}: HTTP {response.status}: {text}")
            return await response.json()

    async def state(self) -> dict[str, Any]:
        """Return ``GET /_sim/state``."""
        result: dict[str, Any] = await self._get("/_sim/state")
        return result

    async def set_asset_pause(
        self, external_id: str, *, soon_offset: float, soon_length: float
    ) -> None:
        """Give one charger its own "soon" pauses (``POST /_sim/asset-pause``)."""
        body = {
            "external_id": external_id,
            "mode": "soon",
            "soon_offset": soon_offset,
            "soon_length": soon_length,
        }
        async with self._session.post(f"{self.base_url}/_sim/asset-pause", json=body) as response:
            if response.status != 200:
                text = await response.text()
                raise HttpError(f"POST /_sim/asset-pause: HTTP {response.status}: {text}")

    async def requests(self, path_fragment: str) -> list[dict[str, Any]]:
        """Return the recorded requests whose path contains ``path_fragment``."""
        result = await self._get("/_sim/requests", path=path_fragment)
        requests: list[dict[str, Any]] = result["requests"]
        return requests


class HomeAssistantClient:
    """Home Assistant's REST API, authenticated like the frontend after onboarding."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Use ``session`` for calls to ``base_url``; no token until ``onboard``."""
        self._session = session
        self.base_url = base_url
        self.client_id = f"{base_url}/"
        self.access_token: str | None = None
        self.refresh_token: str | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: dict[str, str] | None = None,
        authenticated: bool = True,
        expect: int = 200,
    ) -> Any:
        """Call the API and return the decoded JSON answer; fail on any other status."""
        headers = {}
        if authenticated:
            headers["Authorization"] = f"Bearer {self.access_token}"
        async with self._session.request(
            method, f"{self.base_url}{path}", json=json, data=form, headers=headers
        ) as response:
            if response.status != expect:
                raise HttpError(
                    f"{method} {path}: HTTP {response.status} (expected {expect}): "
                    f"{(await response.text())[:500]}"
                )
            if response.content_type == "application/json":
                return await response.json()
            return await response.text()

    async def is_up(self) -> bool:
        """Return True once the frontend answers (the first thing a browser asks for)."""
        await self.request("GET", "/manifest.json", authenticated=False)
        return True

    async def onboard(self, name: str, username: str, password: str) -> None:
        """Create the owner, log in, and finish the other onboarding steps the browser shows."""
        created = await self.request(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
            authenticated=False,
        )
        await self._token(
            {
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": self.client_id,
            }
        )
        await self.request("POST", "/api/onboarding/analytics", json={})
        await self.request(
            "POST",
            "/api/onboarding/integration",
            json={"client_id": self.client_id, "redirect_uri": f"{self.base_url}/?auth_callback=1"},
        )

    async def login(self, username: str, password: str) -> None:
        """Log in through the login flow, as the login page does."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
            authenticated=False,
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self.client_id, "username": username, "password": password},
            authenticated=False,
        )
        if result.get("type") != "create_entry":
            raise AssertionError(f"login refused: {result.get('errors')}")
        await self._token(
            {
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": self.client_id,
            }
        )

    async def refresh(self) -> None:
        """Get a new access token with the refresh token (after a restart, say)."""
        assert self.refresh_token, "onboard first"
        await self._token(
            {
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
            }
        )

    async def _token(self, form: dict[str, str]) -> None:
        tokens = await self.request("POST", "/auth/token", form=form, authenticated=False)
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens.get("refresh_token", self.refresh_token)

    async def onboarding_done(self) -> bool:
        """Return True when every onboarding step is done."""
        async with self._session.get(f"{self.base_url}/api/onboarding") as response:
            if response.status == 404:
                return True  # onboarding serves nothing once it is complete (after a restart)
            if response.status != 200:
                raise HttpError(f"GET /api/onboarding: HTTP {response.status}")
            steps = await response.json()
        return all(step["done"] for step in steps)

    async def state(self, entity_id: str) -> dict[str, Any]:
        """Return the state object of ``entity_id``."""
        result: dict[str, Any] = await self.request("GET", f"/api/states/{entity_id}")
        return result

    async def call_service(self, domain: str, service: str, **data: Any) -> None:
        """Call an action and wait for it to finish."""
        await self.request("POST", f"/api/services/{domain}/{service}", json=data)

    async def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """Return the config entries of ``domain``."""
        entries = await self.request("GET", f"/api/config/config_entries/entry?domain={domain}")
        return [entry for entry in entries if entry["domain"] == domain]

    async def start_flow(self, handler: str) -> dict[str, Any]:
        """Start a config flow as the "Add integration" dialog does."""
        result: dict[str, Any] = await self.request(
            "POST",
            "/api/config/config_entries/flow",
            json={"handler": handler, "show_advanced_options": False},
        )
        return result

    async def run_config_flow(
        self, handler: str, forms: Sequence[tuple[str, dict[str, Any]]]
    ) -> dict[str, Any]:
        """Fill in each expected form in turn; return what the last answer led to."""
        flow = await self.start_flow(handler)
        for step_id, user_input in forms:
            shown = (flow["type"], flow.get("step_id"), flow.get("errors") or {})
            if shown != ("form", step_id, {}):
                raise AssertionError(f"expected the form {step_id!r} without errors, got {flow}")
            flow = await self.flow_step(flow["flow_id"], user_input)
        return flow

    async def run_subentry_flow(
        self, entry_id: str, subentry_type: str, forms: Sequence[tuple[str, dict[str, Any]]]
    ) -> dict[str, Any]:
        """Run a subentry flow (the entry page's "Add ..." button), filling in each form in turn.

        Both releases we test take ``{"handler": [entry_id, subentry_type]}`` here; the newer
        one no longer reads ``show_advanced_options``, so it is left out.
        """
        flows = "/api/config/config_entries/subentries/flow"
        flow = await self.request("POST", flows, json={"handler": [entry_id, subentry_type]})
        for step_id, user_input in forms:
            shown = (flow["type"], flow.get("step_id"), flow.get("errors") or {})
            if shown != ("form", step_id, {}):
                raise AssertionError(f"expected the form {step_id!r} without errors, got {flow}")
            flow = await self.request("POST", f"{flows}/{flow['flow_id']}", json=user_input)
        result: dict[str, Any] = flow
        return result

    async def flow_step(self, flow_id: str, user_input: dict[str, Any]) -> dict[str, Any]:
        """Submit one form of a config flow."""
        result: dict[str, Any] = await self.request(
            "POST", f"/api/config/config_entries/flow/{flow_id}", json=user_input
        )
        return result
