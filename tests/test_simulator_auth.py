"""The simulator's authentication: the token form, token expiry, and its unknown routes."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
import uuid

import pytest

from tests import simulator_helpers

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory

    from tests.simulator_helpers import Api
    from tools.axle_simulator import AxleSimulator

# The simulator tests' fixtures: a frozen clock, a test client, logged in, with a site onboarded.
frozen_clock, api, logged_in, onboarded = simulator_helpers.FIXTURES


# Authentication


async def test_token_form_and_current_user(api: Api, axle_simulator: AxleSimulator) -> None:
    status, body = await api.call(
        "POST",
        "/auth/token-form",
        data={"grant_type": "password", "username": "ha-partner", "password": "sim-password"},
    )
    assert status == 200
    assert body["token_type"] == "bearer"
    assert body["access_token"] in axle_simulator.tokens

    status, me = await api.call("GET", "/auth/users/me/", token=body["access_token"])
    assert status == 200
    assert me == {"username": "ha-partner", "roles": ["entity_read", "entity_write", "rewards"]}


async def test_token_form_rejects_bad_credentials(api: Api) -> None:
    async with api.session.post(
        f"{api.base_url}/auth/token-form", data={"username": "ha-partner", "password": "nope"}
    ) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert await response.json() == {"detail": "Incorrect username or password"}
    status, _ = await api.call(
        "POST", "/auth/token-form", data={"username": "someone", "password": "sim-password"}
    )
    assert status == 401


@pytest.mark.parametrize(
    ("form", "bad_fields"),
    [
        ({}, ["username", "password"]),
        ({"username": "ha-partner"}, ["password"]),
        ({"password": "sim-password"}, ["username"]),
        (
            {"username": "ha-partner", "password": "sim-password", "grant_type": "client"},
            ["grant_type"],
        ),
    ],
)
async def test_token_form_validation(api: Api, form: dict[str, str], bad_fields: list[str]) -> None:
    status, body = await api.call("POST", "/auth/token-form", data=form or None)
    assert status == 422
    assert [error["loc"] for error in body["detail"]] == [["body", name] for name in bad_fields]
    assert all({"loc", "msg", "type"} <= error.keys() for error in body["detail"])


async def test_token_form_ignores_json_bodies(api: Api) -> None:
    status, body = await api.call(
        "POST", "/auth/token-form", json_body={"username": "ha-partner", "password": "sim-password"}
    )
    assert status == 422
    assert body["detail"][0]["type"] == "missing"


async def test_added_account(api: Api, axle_simulator: AxleSimulator) -> None:
    axle_simulator.add_account("second-partner", "second-secret")
    await api.login("second-partner", "second-secret")
    status, me = await api.call("GET", "/auth/users/me/")
    assert (status, me["username"]) == (200, "second-partner")


PROTECTED = [
    ("GET", "/auth/users/me/"),
    ("POST", "/entities/site/onboard"),
    ("POST", f"/entities/site/{uuid.UUID(int=1)}/enrol"),
    ("POST", f"/entities/site/{uuid.UUID(int=1)}/unenrol"),
    ("POST", f"/entities/site/{uuid.UUID(int=1)}/offboard-site-and-assets"),
    ("GET", "/entities/asset/external-id/anything"),
    ("POST", f"/entities/asset/{uuid.UUID(int=1)}/event/plug-in-schedule"),
    ("GET", f"/rewards/{uuid.UUID(int=1)}/info"),
    ("GET", f"/rewards/{uuid.UUID(int=1)}/url/balance"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_endpoints_need_a_token(api: Api, method: str, path: str) -> None:
    status, body = await api.call(method, path, auth=False)
    assert (status, body) == (401, {"detail": "Not authenticated"})
    status, body = await api.call(method, path, token="made-up")
    assert (status, body) == (401, {"detail": "Could not validate credentials"})


async def test_tokens_expire_after_an_hour(
    logged_in: Api, frozen_clock: FrozenDateTimeFactory
) -> None:
    frozen_clock.tick(timedelta(minutes=59, seconds=59))
    status, _ = await logged_in.call("GET", "/auth/users/me/")
    assert status == 200
    frozen_clock.tick(timedelta(seconds=1))
    status, body = await logged_in.call("GET", "/auth/users/me/")
    assert (status, body["detail"]) == (401, "Could not validate credentials")
    await logged_in.login()
    status, _ = await logged_in.call("GET", "/auth/users/me/")
    assert status == 200


async def test_expire_tokens(logged_in: Api, axle_simulator: AxleSimulator) -> None:
    assert axle_simulator.expire_tokens() == 1
    status, _ = await logged_in.call("GET", "/auth/users/me/")
    assert status == 401


async def test_unknown_route_and_method(logged_in: Api) -> None:
    assert await logged_in.call("GET", "/entities/nothing-here") == (404, {"detail": "Not Found"})
    assert await logged_in.call("GET", "/entities/site/onboard") == (
        405,
        {"detail": "Method Not Allowed"},
    )
