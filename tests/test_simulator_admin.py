"""The simulator's controls for tests: injected faults, held and recorded requests, the admin
API, reset, and the command line.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp.test_utils import TestServer
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from tests import simulator_helpers
from tests.simulator_helpers import MPAN, NOW, OTHER_MPAN, Api, blocks_of, onboard_body
from tools.axle_simulator import AxleSimulator, RecordedRequest, create_app
from tools.axle_simulator.__main__ import main as simulator_main

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

# The simulator tests' fixtures: a frozen clock, a test client, logged in, with a site onboarded.
frozen_clock, api, logged_in, onboarded = simulator_helpers.FIXTURES


async def wait_for_requests(simulator: AxleSimulator, count: int) -> None:
    """Let the loop run (without sleeping on wall time) until the server has seen ``count``."""
    for _ in range(1000):
        if len(simulator.requests) >= count:
            return
        await asyncio.sleep(0)
    pytest.fail(f"server saw {len(simulator.requests)} requests, expected {count}")


async def held[T](simulator: AxleSimulator, call: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """Start ``call``; return its task once the server has the request and has not answered."""
    seen = len(simulator.requests)
    task = asyncio.create_task(call)
    await wait_for_requests(simulator, seen + 1)
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done()
    return task


# Fault injection


async def test_fail_next_status(logged_in: Api, axle_simulator: AxleSimulator) -> None:
    axle_simulator.fail_next("users/me")
    assert await logged_in.call("GET", "/auth/users/me/") == (
        500,
        {"detail": "Internal Server Error"},
    )
    assert (await logged_in.call("GET", "/auth/users/me/"))[0] == 200

    axle_simulator.fail_next("users/me", status=503, count=2, detail="Maintenance")
    # A fault for one path leaves other paths alone.
    assert (await logged_in.call("GET", "/entities/asset/external-id/x"))[0] == 404
    for _ in range(2):
        assert await logged_in.call("GET", "/auth/users/me/") == (503, {"detail": "Maintenance"})
    assert (await logged_in.call("GET", "/auth/users/me/"))[0] == 200

    axle_simulator.fail_next(status=599)
    assert await logged_in.call("GET", "/auth/users/me/") == (599, {"detail": "Simulated failure"})


async def test_fail_next_malformed_and_missing_fields(
    api: Api, axle_simulator: AxleSimulator
) -> None:
    axle_simulator.fail_next("token-form", kind="malformed")
    async with api.session.post(
        f"{api.base_url}/auth/token-form", data={"username": "ha-partner", "password": "x"}
    ) as response:
        assert response.status == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(await response.text())
    axle_simulator.fail_next("token-form", kind="missing_fields")
    status, body = await api.call(
        "POST", "/auth/token-form", data={"username": "ha-partner", "password": "sim-password"}
    )
    assert status == 200
    assert "access_token" not in body


def test_fail_next_rejects_nonsense(axle_simulator: AxleSimulator) -> None:
    with pytest.raises(ValueError, match="kind"):
        axle_simulator.fail_next(kind="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="count"):
        axle_simulator.fail_next(count=0)


async def test_fail_next_delay(
    hass: HomeAssistant,
    logged_in: Api,
    axle_simulator: AxleSimulator,
    frozen_clock: FrozenDateTimeFactory,
) -> None:
    axle_simulator.fail_next("users/me", kind="delay", delay=20)
    task = await held(axle_simulator, logged_in.call("GET", "/auth/users/me/"))
    frozen_clock.tick(21)
    async_fire_time_changed(hass)
    status, body = await task
    assert (status, body["username"]) == (200, "ha-partner")


async def test_fail_next_timeout_outlasts_client_timeout(
    hass: HomeAssistant,
    logged_in: Api,
    axle_simulator: AxleSimulator,
    frozen_clock: FrozenDateTimeFactory,
) -> None:
    axle_simulator.fail_next("users/me", kind="timeout")
    seen = len(axle_simulator.requests)

    async def call_with_timeout() -> None:
        async with logged_in.session.get(
            f"{logged_in.base_url}/auth/users/me/",
            headers={"Authorization": f"Bearer {logged_in.token}"},
            timeout=aiohttp.ClientTimeout(total=15),
        ):
            pass

    task = asyncio.create_task(call_with_timeout())
    await wait_for_requests(axle_simulator, seen + 1)
    frozen_clock.tick(16)
    async_fire_time_changed(hass)
    with pytest.raises(TimeoutError):
        await task
    # The next request is answered normally.
    assert (await logged_in.call("GET", "/auth/users/me/"))[0] == 200


async def test_held_request_released(logged_in: Api, axle_simulator: AxleSimulator) -> None:
    axle_simulator.fail_next(kind="timeout")
    task = await held(axle_simulator, logged_in.call("GET", "/auth/users/me/"))
    axle_simulator.release_held_requests()
    assert await task == (504, {"detail": "Simulated timeout released"})


async def test_server_shutdown_releases_held_request(socket_enabled: None) -> None:
    simulator = AxleSimulator()
    server = TestServer(create_app(simulator), host="127.0.0.1")
    await server.start_server()
    simulator.fail_next(kind="timeout")
    async with aiohttp.ClientSession() as session:

        async def call() -> int:
            async with session.post(f"http://127.0.0.1:{server.port}/auth/token-form") as resp:
                return resp.status

        task = asyncio.create_task(call())
        await wait_for_requests(simulator, 1)
        for _ in range(20):
            await asyncio.sleep(0)
        await server.close()
        assert await task == 504


async def test_recorded_requests(logged_in: Api, axle_simulator: AxleSimulator) -> None:
    await logged_in.onboard()
    await logged_in.call("GET", "/rewards/x/url/balance", params={"redirect_uri": "r"})
    await logged_in.call("POST", "/entities/site/onboard", data=b"plain text")
    token_request = axle_simulator.requests[0]
    assert isinstance(token_request, RecordedRequest)
    assert (token_request.method, token_request.path) == ("POST", "/auth/token-form")
    assert token_request.body == {"username": "ha-partner", "password": "sim-password"}
    assert token_request.at == NOW
    onboard_requests = axle_simulator.requests_to("/site/onboard")
    assert [request.body for request in onboard_requests] == [onboard_body(), "plain text"]
    balance_request = axle_simulator.requests_to("url/balance")[0]
    assert (balance_request.query, balance_request.body) == ({"redirect_uri": "r"}, None)


# Admin API


async def test_admin_api(onboarded: tuple[Api, str, str], axle_simulator: AxleSimulator) -> None:
    api, site_id, asset_id = onboarded
    admin_requests_before = len(axle_simulator.requests)

    status, body = await api.call(
        "POST",
        "/_sim/fail",
        json_body={"path_fragment": "rewards", "status": 502, "count": 1},
        auth=False,
    )
    assert status == 200
    assert body["faults"][0]["status"] == 502
    assert (await api.call("GET", f"/rewards/{site_id}/info"))[0] == 502

    status, body = await api.call("GET", "/_sim/requests", params={"path": "rewards"}, auth=False)
    assert status == 200
    assert [item["path"] for item in body["requests"]] == [f"/rewards/{site_id}/info"]
    status, body = await api.call("GET", "/_sim/requests", auth=False)
    assert len(body["requests"]) == admin_requests_before + 1
    assert body["requests"][0]["at"] == "2026-11-25T20:00:00+00:00"

    status, body = await api.call(
        "POST",
        "/_sim/pause-mode",
        json_body={"mode": "soon", "soon_offset": 60, "soon_length": 300},
        auth=False,
    )
    assert (status, body) == (200, {"mode": "soon", "soon_offset": 60.0, "soon_length": 300.0})
    assert axle_simulator.pause_mode == "soon"
    assert axle_simulator.soon_length == timedelta(minutes=5)
    _, schedule = await api.schedule(
        asset_id, [("2026-11-25T20:00:00+00:00", "2026-11-25T22:00:00+00:00")]
    )
    assert blocks_of(schedule)[1][0] == "2026-11-25T20:06:00+00:00"

    status, body = await api.call(
        "POST",
        "/_sim/balance",
        json_body={"site_id": site_id, "current_pence": 5, "total_pence": 9},
        auth=False,
    )
    assert (status, body["current_balance_pence"]) == (200, 5)
    status, body = await api.call(
        "POST", "/_sim/ineligible", json_body={"mpan": OTHER_MPAN, "reason": "test"}, auth=False
    )
    assert (status, body["ineligible"]) == (200, {OTHER_MPAN: "test"})

    status, state = await api.call("GET", "/_sim/state", auth=False)
    assert status == 200
    assert state["pause_mode"] == "soon"
    assert state["sites"][MPAN]["id"] == site_id
    assert state["sites"][MPAN]["enrolled"] == ["limited_pause"]
    assert state["sites"][MPAN]["assets"][0]["id"] == asset_id
    assert state["balances"][site_id]["total_earnings_pence"] == 9
    assert state["accounts"] == ["ha-partner"]
    assert state["active_tokens"] == 1

    assert await api.call("POST", "/_sim/expire-tokens", auth=False) == (200, {"expired": 1})
    assert (await api.call("GET", "/auth/users/me/"))[0] == 401

    assert await api.call("POST", "/_sim/reset", auth=False) == (200, {"reset": True})
    assert axle_simulator.sites == {}
    assert axle_simulator.requests == []
    assert axle_simulator.snapshot()["pause_mode"] == "price"
    assert axle_simulator.ineligible == {}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_sim/fail", {"kind": "explode"}),
        ("/_sim/fail", {"count": "many"}),
        ("/_sim/fail", [1]),
        ("/_sim/pause-mode", {"mode": "later"}),
        ("/_sim/pause-mode", {"soon_offset": "soon"}),
        ("/_sim/balance", {"current_pence": 1}),
        ("/_sim/ineligible", {}),
    ],
)
async def test_admin_api_rejects_nonsense(api: Api, path: str, body: Any) -> None:
    status, answer = await api.call("POST", path, json_body=body, auth=False)
    assert status == 400
    assert isinstance(answer["detail"], str)


async def test_admin_fail_kinds(api: Api, axle_simulator: AxleSimulator) -> None:
    assert (await api.call("POST", "/_sim/fail", auth=False))[0] == 200
    assert (await api.call("POST", "/auth/token-form", data={"x": "y"}))[0] == 500
    await api.call(
        "POST", "/_sim/fail", json_body={"kind": "missing_fields", "count": 2}, auth=False
    )
    assert axle_simulator.faults[0].kind == "missing_fields"
    assert axle_simulator.faults[0].remaining == 2


def test_reset_restores_defaults(axle_simulator: AxleSimulator) -> None:
    axle_simulator.add_account("x", "y")
    axle_simulator.mark_ineligible(MPAN)
    axle_simulator.fail_next()
    axle_simulator.soon_offset = timedelta(hours=1)
    axle_simulator.reset()
    assert axle_simulator.accounts == {"ha-partner": "sim-password"}
    assert (axle_simulator.ineligible, axle_simulator.faults) == ({}, [])
    assert axle_simulator.soon_offset == timedelta(minutes=2)


def test_command_line_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        simulator_main(["--help"])
    assert "--pause-mode" in capsys.readouterr().out
