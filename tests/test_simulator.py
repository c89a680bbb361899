"""The Axle simulator's own behaviour, over real loopback HTTP with a plain aiohttp session."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import json
from typing import TYPE_CHECKING, Any
import uuid

import aiohttp
from aiohttp.test_utils import TestServer
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from tools.axle_simulator import AxleSimulator, RecordedRequest, create_app, mpan_is_valid
from tools.axle_simulator.__main__ import main as simulator_main
from tools.axle_simulator.schedule import half_hour_value

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Coroutine

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

NOW = datetime.fromisoformat("2026-11-25T20:00:00+00:00")
MPAN = "1900000000013"
OTHER_MPAN = "1400012345678"
CONSENT_AT = "2026-11-24T19:02:11+00:00"
EXTERNAL_ID = "ha-charger-5e1d"
PASSWORD = "sim-password"
OVERNIGHT = [("2026-11-25T23:30:00+00:00", "2026-11-26T05:30:00+00:00")]


class Api:
    """A thin test client: every call returns (status, parsed JSON body)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.token: str | None = None

    async def login(self, username: str = "ha-partner", password: str = PASSWORD) -> str:
        status, body = await self.call(
            "POST",
            "/auth/token-form",
            data={"username": username, "password": password},
            auth=False,
        )
        assert status == 200, body
        self.token = body["access_token"]
        return self.token

    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Any = None,
        params: dict[str, str] | None = None,
        auth: bool = True,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        headers = dict(headers or {})
        if token is not None or (auth and self.token is not None):
            headers["Authorization"] = f"Bearer {token or self.token}"
        async with self.session.request(
            method,
            f"{self.base_url}{path}",
            json=json_body,
            data=data,
            params=params,
            headers=headers,
        ) as response:
            text = await response.text()
            return response.status, json.loads(text) if text else None

    async def onboard(self, **overrides: Any) -> tuple[int, Any]:
        return await self.call(
            "POST", "/entities/site/onboard", json_body=onboard_body(**overrides)
        )

    async def schedule(self, asset_id: str, blocks: list[tuple[str, str]]) -> tuple[int, Any]:
        return await self.call(
            "POST",
            f"/entities/asset/{asset_id}/event/plug-in-schedule",
            json_body={
                "charging_schedule": [
                    {"start_timestamp": start, "end_timestamp": end} for start, end in blocks
                ]
            },
        )


def onboard_body(
    *,
    mpan: Any = MPAN,
    external_id: str = EXTERNAL_ID,
    asset_type: str = "charger",
    proposition: str = "limited_pause",
    **site_fields: Any,
) -> dict[str, Any]:
    site = {
        "mpan": mpan,
        "postcode": "CT1 2EH",
        "street_address": "4 Sample Lane",
        "email": "user@example.net",
        "gave_boundary_meter_consent_at": CONSENT_AT,
    }
    site.update(site_fields)
    return {
        "site": {key: value for key, value in site.items() if value is not None},
        "assets": [
            {"external_id": external_id, "type": asset_type, "properties": {"power_kw": 7.2}}
        ],
        "proposition": proposition,
    }


def blocks_of(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (block["start_timestamp"], block["end_timestamp"])
        for block in body["modified_charging_schedule"]
    ]


@pytest.fixture(autouse=True)
def frozen_clock(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    freezer.move_to(NOW)
    return freezer


@pytest.fixture
async def api(axle_base_url: str) -> AsyncGenerator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, axle_base_url)


@pytest.fixture
async def logged_in(api: Api) -> Api:
    await api.login()
    return api


@pytest.fixture
async def onboarded(logged_in: Api) -> tuple[Api, str, str]:
    """An enrolled site: (api, site_id, asset_id)."""
    status, body = await logged_in.onboard()
    assert status == 200, body
    return logged_in, body["site"]["site_id"], body["assets"][0]["asset_id"]


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


# Onboarding


async def test_onboard_creates_site_and_enrols(
    logged_in: Api, axle_simulator: AxleSimulator
) -> None:
    status, body = await logged_in.onboard()
    assert status == 200
    site_id = body["site"]["site_id"]
    asset_id = body["assets"][0]["asset_id"]
    uuid.UUID(site_id)
    uuid.UUID(asset_id)
    assert body == {
        "site": {"site_id": site_id, "site_created": True, "fields_updated": [], "warnings": []},
        "assets": [
            {
                "asset_id": asset_id,
                "external_id": EXTERNAL_ID,
                "asset_created": True,
                "fields_updated": [],
                "warnings": [],
            }
        ],
        "enrolment": {"site_id": site_id, "status": "enrolled"},
    }
    site = axle_simulator.sites[MPAN]
    assert (site.site_id, site.postcode, site.street_address, site.email) == (
        site_id,
        "CT1 2EH",
        "4 Sample Lane",
        "user@example.net",
    )
    assert site.consent_at == datetime.fromisoformat(CONSENT_AT)
    assert site.enrolled == {"limited_pause"}
    assert site.withdrew == set()
    assert site.assets[EXTERNAL_ID].asset_id == asset_id
    assert site.assets[EXTERNAL_ID].power_kw == 7.2


async def test_onboard_without_email_warns(logged_in: Api) -> None:
    status, body = await logged_in.onboard(email=None)
    assert status == 200
    assert body["site"]["warnings"] == ["No email: withdrawals will not use 2FA"]


async def test_onboard_is_idempotent_and_merges(
    logged_in: Api, axle_simulator: AxleSimulator
) -> None:
    _, first = await logged_in.onboard(email=None)
    body = onboard_body(email="new@example.net", postcode="CT1 2EE")
    body["assets"][0]["properties"] = {"power_kw": 11.0, "capacity_kwh": 60}
    body["assets"][0]["asset_model"] = "zappi"
    body["assets"][0]["installation_date"] = "2025-06-15"
    status, second = await logged_in.call("POST", "/entities/site/onboard", json_body=body)
    assert status == 200
    assert second["site"]["site_id"] == first["site"]["site_id"]
    assert second["site"]["site_created"] is False
    assert second["site"]["fields_updated"] == ["postcode", "email"]
    assert second["assets"][0]["asset_id"] == first["assets"][0]["asset_id"]
    assert second["assets"][0]["asset_created"] is False
    assert second["assets"][0]["fields_updated"] == [
        "power_kw",
        "capacity_kwh",
        "asset_model",
        "installation_date",
    ]
    assert second["enrolment"]["status"] == "already_enrolled"
    site = axle_simulator.sites[MPAN]
    assert (site.email, site.postcode) == ("new@example.net", "CT1 2EE")
    assert len(axle_simulator.sites) == 1


@pytest.mark.parametrize(
    ("body", "loc", "error_type"),
    [
        ({"assets": [], "proposition": "limited_pause"}, ["body", "site"], "missing"),
        (onboard_body(mpan=None), ["body", "site", "mpan"], "missing"),
        (onboard_body(postcode=None), ["body", "site", "postcode"], "missing"),
        (onboard_body(mpan=1900000000013), ["body", "site", "mpan"], "string_type"),
        ({**onboard_body(), "assets": []}, ["body", "assets"], "too_short"),
        ({**onboard_body(), "assets": "charger"}, ["body", "assets"], "list_type"),
        ({**onboard_body(), "assets": ["charger"]}, ["body", "assets", 0], "model_attributes_type"),
        (
            {**onboard_body(), "assets": [{"type": "charger"}]},
            ["body", "assets", 0, "external_id"],
            "missing",
        ),
        (onboard_body(asset_type="toaster"), ["body", "assets", 0, "type"], "enum"),
        ({**onboard_body(), "proposition": "everything"}, ["body", "proposition"], "enum"),
        (
            {key: value for key, value in onboard_body().items() if key != "proposition"},
            ["body", "proposition"],
            "missing",
        ),
        (
            {**onboard_body(), "override_withdrawal": "yes"},
            ["body", "override_withdrawal"],
            "bool_type",
        ),
        (
            onboard_body(gave_boundary_meter_consent_at="2026-11-24T19:02:11"),
            ["body", "site", "gave_boundary_meter_consent_at"],
            "timezone_aware",
        ),
        (
            onboard_body(gave_boundary_meter_consent_at="yesterday"),
            ["body", "site", "gave_boundary_meter_consent_at"],
            "datetime_parsing",
        ),
        ({**onboard_body(), "site": "CT1 2EH"}, ["body", "site"], "model_attributes_type"),
        (["not", "an", "object"], ["body"], "model_attributes_type"),
    ],
)
async def test_onboard_request_validation(
    logged_in: Api, axle_simulator: AxleSimulator, body: Any, loc: list[Any], error_type: str
) -> None:
    status, answer = await logged_in.call("POST", "/entities/site/onboard", json_body=body)
    assert status == 422
    assert {"loc": loc, "type": error_type} in [
        {"loc": error["loc"], "type": error["type"]} for error in answer["detail"]
    ]
    assert axle_simulator.sites == {}


@pytest.mark.parametrize(
    ("properties", "error_type"),
    [({"power_kw": -1}, "greater_than_equal"), ({"power_kw": "7"}, "float_type")],
)
async def test_onboard_asset_property_validation(
    logged_in: Api, properties: dict[str, Any], error_type: str
) -> None:
    body = onboard_body()
    body["assets"][0]["properties"] = properties
    body["assets"][0]["installation_date"] = "June"
    status, answer = await logged_in.call("POST", "/entities/site/onboard", json_body=body)
    assert status == 422
    assert [(error["loc"], error["type"]) for error in answer["detail"]] == [
        (["body", "assets", 0, "properties", "power_kw"], error_type),
        (["body", "assets", 0, "installation_date"], "date_parsing"),
    ]


async def test_onboard_rejects_bad_json(logged_in: Api) -> None:
    status, body = await logged_in.call(
        "POST",
        "/entities/site/onboard",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert status == 422
    assert body["detail"][0]["type"] == "json_invalid"
    # JSON sent under another content type is refused as such, not parsed.
    status, body = await logged_in.call(
        "POST", "/entities/site/onboard", data=json.dumps(onboard_body()).encode()
    )
    assert status == 415
    assert isinstance(body["detail"], str)
    status, body = await logged_in.call("POST", "/entities/site/onboard")
    assert (status, body["detail"][0]["loc"]) == (422, ["body"])


@pytest.mark.parametrize(
    ("site_fields", "detail_fragment"),
    [
        ({"mpan": "190000000001"}, "Invalid MPAN"),
        ({"mpan": "19000000000130"}, "Invalid MPAN"),
        ({"mpan": "19000 0000013"}, "Invalid MPAN"),
        ({"mpan": "1900000000014"}, "Invalid MPAN"),
        ({"mpan": "1234567890123"}, "Invalid MPAN"),
        ({"gave_boundary_meter_consent_at": None}, "consent"),
        ({"email": "not-an-email"}, "email"),
    ],
)
async def test_onboard_bad_request(
    logged_in: Api,
    axle_simulator: AxleSimulator,
    site_fields: dict[str, Any],
    detail_fragment: str,
) -> None:
    status, body = await logged_in.onboard(**site_fields)
    assert status == 400
    assert isinstance(body["detail"], str)
    assert detail_fragment in body["detail"]
    assert axle_simulator.sites == {}


def test_mpan_check_digit() -> None:
    assert mpan_is_valid("1900000000013")
    assert mpan_is_valid("1400012345678")
    assert not mpan_is_valid("1234567890123")
    assert mpan_is_valid("1234567890126")
    assert not mpan_is_valid("\uff11900000000013")  # a full-width digit one


async def test_onboard_asset_conflicts(logged_in: Api, axle_simulator: AxleSimulator) -> None:
    await logged_in.onboard()
    status, body = await logged_in.onboard(mpan=OTHER_MPAN)
    assert status == 409
    assert "different site" in body["detail"]
    assert OTHER_MPAN not in axle_simulator.sites

    status, body = await logged_in.onboard(asset_type="battery")
    assert status == 409
    assert "type mismatch" in body["detail"]


async def test_site_of_another_organisation(api: Api, axle_simulator: AxleSimulator) -> None:
    await api.login()
    _, body = await api.onboard()
    site_id = body["site"]["site_id"]
    axle_simulator.add_account("other-partner", "other-secret")
    await api.login("other-partner", "other-secret")
    status, _ = await api.onboard(external_id="other-charger")
    assert status == 409
    assert (await api.call("GET", f"/rewards/{site_id}/info"))[0] == 404
    assert (await api.call("GET", f"/entities/asset/external-id/{EXTERNAL_ID}"))[0] == 404


async def test_onboard_refuses_ineligible_site(
    logged_in: Api, axle_simulator: AxleSimulator
) -> None:
    axle_simulator.mark_ineligible(MPAN, "asset_model_not_set")
    status, body = await logged_in.onboard()
    assert status == 422
    assert body["detail"] == "Site is not eligible for limited_pause: asset_model_not_set"
    assert axle_simulator.sites == {}


# Enrolment and withdrawal


async def test_enrol_and_unenrol_are_idempotent(
    onboarded: tuple[Api, str, str], axle_simulator: AxleSimulator
) -> None:
    api, site_id, _ = onboarded
    enrol = f"/entities/site/{site_id}/enrol"
    unenrol = f"/entities/site/{site_id}/unenrol"
    assert await api.call("POST", enrol, json_body={"proposition": "limited_pause"}) == (
        200,
        {"site_id": site_id, "status": "already_enrolled"},
    )
    assert await api.call("POST", unenrol, json_body={"proposition": "limited_pause"}) == (
        200,
        {"site_id": site_id, "status": "unenrolled"},
    )
    assert await api.call("POST", unenrol, json_body={"proposition": "limited_pause"}) == (
        200,
        {"site_id": site_id, "status": "already_unenrolled"},
    )
    site = axle_simulator.sites[MPAN]
    assert (site.enrolled, site.withdrew) == (set(), {"limited_pause"})


async def test_withdrawal_needs_override(
    onboarded: tuple[Api, str, str], axle_simulator: AxleSimulator
) -> None:
    api, site_id, _ = onboarded
    await api.call(
        "POST", f"/entities/site/{site_id}/unenrol", json_body={"proposition": "limited_pause"}
    )
    status, body = await api.onboard()
    assert status == 422
    assert isinstance(body["detail"], str)
    assert "withdr" in body["detail"]
    status, body = await api.call(
        "POST", f"/entities/site/{site_id}/enrol", json_body={"proposition": "limited_pause"}
    )
    assert (status, "withdr" in body["detail"]) == (422, True)
    assert axle_simulator.sites[MPAN].enrolled == set()

    status, body = await api.call(
        "POST",
        f"/entities/site/{site_id}/enrol",
        json_body={
            "proposition": "limited_pause",
            "override_withdrawal": True,
            "gave_boundary_meter_consent_at": "2026-11-25T20:00:00Z",
        },
    )
    assert (status, body["status"]) == (200, "enrolled")
    site = axle_simulator.sites[MPAN]
    assert (site.enrolled, site.withdrew) == ({"limited_pause"}, set())
    assert site.consent_at == NOW


async def test_onboard_with_override_after_withdrawal(onboarded: tuple[Api, str, str]) -> None:
    api, site_id, _ = onboarded
    await api.call(
        "POST", f"/entities/site/{site_id}/unenrol", json_body={"proposition": "limited_pause"}
    )
    status, body = await api.call(
        "POST", "/entities/site/onboard", json_body={**onboard_body(), "override_withdrawal": True}
    )
    assert (status, body["enrolment"]["status"]) == (200, "enrolled")


async def test_enrol_other_proposition_and_ineligible(
    onboarded: tuple[Api, str, str], axle_simulator: AxleSimulator
) -> None:
    api, site_id, _ = onboarded
    status, body = await api.call(
        "POST",
        f"/entities/site/{site_id}/enrol",
        json_body={"proposition": "full_asset_schedule_control"},
    )
    assert (status, body["status"]) == (200, "enrolled")
    assert axle_simulator.sites[MPAN].enrolled == {"limited_pause", "full_asset_schedule_control"}
    axle_simulator.mark_ineligible(MPAN, "non_domestic_site")
    status, body = await api.call(
        "POST", f"/entities/site/{site_id}/enrol", json_body={"proposition": "limited_pause"}
    )
    assert status == 422
    assert "not eligible" in body["detail"]


@pytest.mark.parametrize("action", ["enrol", "unenrol"])
async def test_enrol_unenrol_validation(onboarded: tuple[Api, str, str], action: str) -> None:
    api, site_id, _ = onboarded
    status, body = await api.call("POST", f"/entities/site/{site_id}/{action}", json_body={})
    assert (status, body["detail"][0]["loc"]) == (422, ["body", "proposition"])
    status, body = await api.call(
        "POST", f"/entities/site/not-a-uuid/{action}", json_body={"proposition": "limited_pause"}
    )
    assert (status, body["detail"][0]["loc"]) == (422, ["path", "site_id"])
    status, body = await api.call(
        "POST",
        f"/entities/site/{uuid.UUID(int=7)}/{action}",
        json_body={"proposition": "limited_pause"},
    )
    assert (status, body) == (404, {"detail": "Site not found"})


# Assets and offboarding


async def test_asset_by_external_id(onboarded: tuple[Api, str, str]) -> None:
    api, site_id, asset_id = onboarded
    assert await api.call("GET", f"/entities/asset/external-id/{EXTERNAL_ID}") == (
        200,
        {
            "id": asset_id,
            "external_id": EXTERNAL_ID,
            "type": "charger",
            "site_id": site_id,
            "properties": {"power_kw": 7.2},
        },
    )
    assert await api.call("GET", "/entities/asset/external-id/unknown") == (
        404,
        {"detail": "Asset not found"},
    )


async def test_offboard_deletes_site_and_assets(
    onboarded: tuple[Api, str, str], axle_simulator: AxleSimulator
) -> None:
    api, site_id, asset_id = onboarded
    axle_simulator.set_balance(site_id, 100, 200, False)
    status, body = await api.call("POST", f"/entities/site/{site_id}/offboard-site-and-assets")
    assert status == 200
    assert body["site"]["id"] == site_id
    assert body["site"]["postcode"] == "CT1 2EH"
    assert body["asset"]["id"] == asset_id
    assert body["asset"]["external_id"] == EXTERNAL_ID
    assert axle_simulator.sites == {}
    assert axle_simulator.balances == {}
    assert (await api.call("GET", f"/entities/asset/external-id/{EXTERNAL_ID}"))[0] == 404
    assert (await api.schedule(asset_id, OVERNIGHT))[0] == 404
    assert (await api.call("POST", f"/entities/site/{site_id}/offboard-site-and-assets"))[0] == 404
    assert (await api.call("POST", "/entities/site/bad/offboard-site-and-assets"))[0] == 422

    status, again = await api.onboard()
    assert (status, again["site"]["site_created"]) == (200, True)
    assert again["site"]["site_id"] != site_id


# Plug-in schedule


async def test_price_pause_at_most_valuable_half_hour(onboarded: tuple[Api, str, str]) -> None:
    api, _, asset_id = onboarded
    status, body = await api.schedule(asset_id, OVERNIGHT)
    assert status == 200
    assert blocks_of(body) == [
        ("2026-11-25T23:30:00+00:00", "2026-11-26T02:00:00+00:00"),
        ("2026-11-26T02:30:00+00:00", "2026-11-26T05:30:00+00:00"),
    ]
    # Deterministic: the same request gives the same answer.
    assert await api.schedule(asset_id, OVERNIGHT) == (status, body)


def test_price_curve() -> None:
    values = {
        "02:00": 30,
        "01:30": 29,
        "02:30": 29,
        "23:30": 25,
        "14:00": 6,
        "15:30": 9,
        "16:00": 40,
        "18:30": 40,
        "19:00": 16,
    }
    for clock, value in values.items():
        assert half_hour_value(datetime.fromisoformat(f"2026-11-25T{clock}:00+00:00")) == value
    assert half_hour_value(datetime.fromisoformat("2026-11-25T03:00:00+01:00")) == 30


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        # The evening peak beats the night; ties inside the peak go to the earliest.
        (
            [("2026-11-26T15:00:00+00:00", "2026-11-26T20:00:00+00:00")],
            [
                ("2026-11-26T15:00:00+00:00", "2026-11-26T16:00:00+00:00"),
                ("2026-11-26T16:30:00+00:00", "2026-11-26T20:00:00+00:00"),
            ],
        ),
        # Equal values in two blocks: the earlier wins, whatever the order sent.
        (
            [
                ("2026-11-26T03:00:00+00:00", "2026-11-26T03:30:00+00:00"),
                ("2026-11-26T10:00:00+00:00", "2026-11-26T11:30:00+00:00"),
                ("2026-11-26T01:00:00+00:00", "2026-11-26T01:30:00+00:00"),
            ],
            [
                ("2026-11-26T03:00:00+00:00", "2026-11-26T03:30:00+00:00"),
                ("2026-11-26T10:00:00+00:00", "2026-11-26T11:30:00+00:00"),
            ],
        ),
        # Only aligned half-hours wholly inside a block count (01:30-02:00 would overrun 01:55).
        (
            [("2026-11-25T23:10:00+00:00", "2026-11-26T01:55:00+00:00")],
            [
                ("2026-11-25T23:10:00+00:00", "2026-11-26T01:00:00+00:00"),
                ("2026-11-26T01:30:00+00:00", "2026-11-26T01:55:00+00:00"),
            ],
        ),
        # Exactly two hours in total is enough.
        (
            [
                ("2026-11-26T00:00:00+00:00", "2026-11-26T01:00:00+00:00"),
                ("2026-11-26T02:00:00+00:00", "2026-11-26T03:00:00+00:00"),
            ],
            [
                ("2026-11-26T00:00:00+00:00", "2026-11-26T01:00:00+00:00"),
                ("2026-11-26T02:30:00+00:00", "2026-11-26T03:00:00+00:00"),
            ],
        ),
        # Other offsets and Z are read correctly; answers are UTC with +00:00.
        (
            [("2026-11-26T00:30:00+01:00", "2026-11-26T06:30:00Z")],
            [
                ("2026-11-25T23:30:00+00:00", "2026-11-26T02:00:00+00:00"),
                ("2026-11-26T02:30:00+00:00", "2026-11-26T06:30:00+00:00"),
            ],
        ),
    ],
)
async def test_price_pause_rules(
    onboarded: tuple[Api, str, str],
    blocks: list[tuple[str, str]],
    expected: list[tuple[str, str]],
) -> None:
    api, _, asset_id = onboarded
    status, body = await api.schedule(asset_id, blocks)
    assert status == 200
    assert blocks_of(body) == expected


@pytest.mark.parametrize(
    "blocks",
    [
        # Under two hours in total.
        [("2026-11-26T00:00:00+00:00", "2026-11-26T01:59:00+00:00")],
        [
            ("2026-11-26T00:00:00+00:00", "2026-11-26T01:00:00+00:00"),
            ("2026-11-26T02:00:00+00:00", "2026-11-26T02:59:59+00:00"),
        ],
        # Long enough, but no aligned half-hour fits inside any block.
        [
            (f"2026-11-26T0{hour}:05:00+00:00", f"2026-11-26T0{hour}:30:00+00:00")
            for hour in range(6)
        ],
        # Entirely in the past.
        [("2026-11-25T10:00:00+00:00", "2026-11-25T15:00:00+00:00")],
    ],
)
async def test_price_mode_leaves_schedule_unchanged(
    onboarded: tuple[Api, str, str], blocks: list[tuple[str, str]]
) -> None:
    api, _, asset_id = onboarded
    status, body = await api.schedule(asset_id, blocks)
    assert status == 200
    assert blocks_of(body) == blocks


async def test_price_pause_not_before_request_time(
    onboarded: tuple[Api, str, str], frozen_clock: FrozenDateTimeFactory
) -> None:
    api, _, asset_id = onboarded
    frozen_clock.move_to("2026-11-26T02:10:00+00:00")
    await api.login()
    status, body = await api.schedule(
        asset_id, [("2026-11-26T01:00:00+00:00", "2026-11-26T06:00:00+00:00")]
    )
    assert status == 200
    assert blocks_of(body) == [
        ("2026-11-26T01:00:00+00:00", "2026-11-26T02:30:00+00:00"),
        ("2026-11-26T03:00:00+00:00", "2026-11-26T06:00:00+00:00"),
    ]


async def test_empty_schedule(onboarded: tuple[Api, str, str]) -> None:
    api, _, asset_id = onboarded
    assert await api.schedule(asset_id, []) == (200, {"modified_charging_schedule": []})


async def test_soon_mode(onboarded: tuple[Api, str, str], axle_simulator: AxleSimulator) -> None:
    api, _, asset_id = onboarded
    axle_simulator.pause_mode = "soon"
    blocks = [("2026-11-25T19:00:00+00:00", "2026-11-25T21:00:00+00:00")]
    status, body = await api.schedule(asset_id, blocks)
    assert status == 200
    assert blocks_of(body) == [
        ("2026-11-25T19:00:00+00:00", "2026-11-25T20:02:00+00:00"),
        ("2026-11-25T20:04:00+00:00", "2026-11-25T21:00:00+00:00"),
    ]

    axle_simulator.soon_offset = timedelta(minutes=10)
    axle_simulator.soon_length = timedelta(minutes=5)
    _, body = await api.schedule(asset_id, blocks)
    assert blocks_of(body)[0][1] == "2026-11-25T20:10:00+00:00"
    assert blocks_of(body)[1][0] == "2026-11-25T20:15:00+00:00"

    # The pause would run past the end of the block: unchanged.
    short = [("2026-11-25T19:00:00+00:00", "2026-11-25T20:12:00+00:00")]
    assert blocks_of((await api.schedule(asset_id, short))[1]) == short


@pytest.mark.parametrize(
    ("wait", "pause"),
    [
        # The pause starts two minutes after the request, however late it comes...
        (timedelta(minutes=30), ("2026-11-25T20:32:00+00:00", "2026-11-25T20:34:00+00:00")),
        # ... rounded up to the next whole second.
        (timedelta(milliseconds=250), ("2026-11-25T20:02:01+00:00", "2026-11-25T20:04:01+00:00")),
    ],
)
async def test_soon_mode_follows_the_clock(
    onboarded: tuple[Api, str, str],
    axle_simulator: AxleSimulator,
    frozen_clock: FrozenDateTimeFactory,
    wait: timedelta,
    pause: tuple[str, str],
) -> None:
    api, _, asset_id = onboarded
    axle_simulator.pause_mode = "soon"
    frozen_clock.tick(wait)
    _, body = await api.schedule(
        asset_id, [("2026-11-25T20:00:00+00:00", "2026-11-25T22:00:00+00:00")]
    )
    assert blocks_of(body) == [
        ("2026-11-25T20:00:00+00:00", pause[0]),
        (pause[1], "2026-11-25T22:00:00+00:00"),
    ]


async def test_none_mode_echoes(
    onboarded: tuple[Api, str, str], axle_simulator: AxleSimulator
) -> None:
    api, _, asset_id = onboarded
    axle_simulator.pause_mode = "none"
    status, body = await api.schedule(
        asset_id, [("2026-11-26T00:30:00+01:00", "2026-11-26T05:30:00Z")]
    )
    assert (status, blocks_of(body)) == (
        200,
        [("2026-11-25T23:30:00+00:00", "2026-11-26T05:30:00+00:00")],
    )


def schedule_body(*blocks: tuple[str, str]) -> dict[str, Any]:
    """A plug-in schedule request with these (start, end) blocks, as written."""
    return {
        "charging_schedule": [
            {"start_timestamp": start, "end_timestamp": end} for start, end in blocks
        ]
    }


@pytest.mark.parametrize(
    ("body", "loc", "error_type"),
    [
        ({}, ["body", "charging_schedule"], "missing"),
        ({"charging_schedule": {}}, ["body", "charging_schedule"], "list_type"),
        ({"charging_schedule": [1]}, ["body", "charging_schedule", 0], "model_attributes_type"),
        (
            {"charging_schedule": [{"start_timestamp": "2026-11-26T00:00:00+00:00"}]},
            ["body", "charging_schedule", 0, "end_timestamp"],
            "missing",
        ),
        (
            schedule_body(("2026-11-26T00:00:00", "2026-11-26T05:00:00+00:00")),
            ["body", "charging_schedule", 0, "start_timestamp"],
            "timezone_aware",
        ),
        (
            schedule_body(("tonight", "2026-11-26T05:00:00+00:00")),
            ["body", "charging_schedule", 0, "start_timestamp"],
            "datetime_parsing",
        ),
        (
            schedule_body(("2026-11-26T05:00:00+00:00", "2026-11-26T05:00:00+00:00")),
            ["body", "charging_schedule", 0, "end_timestamp"],
            "value_error",
        ),
        (
            schedule_body(
                ("2026-11-26T00:00:00+00:00", "2026-11-26T03:00:00+00:00"),
                ("2026-11-26T02:00:00+00:00", "2026-11-26T05:00:00+00:00"),
            ),
            ["body", "charging_schedule"],
            "value_error",
        ),
    ],
)
async def test_plug_in_schedule_validation(
    onboarded: tuple[Api, str, str], body: dict[str, Any], loc: list[Any], error_type: str
) -> None:
    api, _, asset_id = onboarded
    status, answer = await api.call(
        "POST", f"/entities/asset/{asset_id}/event/plug-in-schedule", json_body=body
    )
    assert status == 422
    assert [(error["loc"], error["type"]) for error in answer["detail"]] == [(loc, error_type)]


async def test_plug_in_schedule_unknown_or_not_enrolled(onboarded: tuple[Api, str, str]) -> None:
    api, site_id, asset_id = onboarded
    assert await api.schedule(str(uuid.UUID(int=9)), OVERNIGHT) == (
        404,
        {"detail": "Charger not found"},
    )
    status, body = await api.schedule("charger-1", OVERNIGHT)
    assert (status, body["detail"][0]["loc"]) == (422, ["path", "asset_id"])
    await api.call(
        "POST", f"/entities/site/{site_id}/unenrol", json_body={"proposition": "limited_pause"}
    )
    assert await api.schedule(asset_id, OVERNIGHT) == (
        403,
        {"detail": "Site has no limited_pause consent"},
    )


# Rewards


async def test_balance_info(onboarded: tuple[Api, str, str], axle_simulator: AxleSimulator) -> None:
    api, site_id, _ = onboarded
    assert await api.call("GET", f"/rewards/{site_id}/info") == (
        200,
        {
            "current_balance_pence": 0,
            "total_earnings_pence": 0,
            "minimum_withdrawal_threshold_pence": 1000,
            "withdrawal_min_wait_days": 30,
            "can_withdraw": False,
        },
    )
    axle_simulator.set_balance(
        site_id,
        1412,
        2650,
        True,
        minimum_withdrawal_threshold_pence=500,
        withdrawal_min_wait_days=0,
    )
    assert await api.call("GET", f"/rewards/{site_id}/info") == (
        200,
        {
            "current_balance_pence": 1412,
            "total_earnings_pence": 2650,
            "minimum_withdrawal_threshold_pence": 500,
            "withdrawal_min_wait_days": 0,
            "can_withdraw": True,
        },
    )
    assert (await api.call("GET", f"/rewards/{uuid.UUID(int=3)}/info"))[0] == 404
    assert (await api.call("GET", "/rewards/site-1/info"))[0] == 422


async def test_withdrawal_url(onboarded: tuple[Api, str, str]) -> None:
    api, site_id, _ = onboarded
    path = f"/rewards/{site_id}/url/balance"
    status, body = await api.call(
        "GET",
        path,
        params={"redirect_uri": "https://example.net/done", "hide_transactions": "true"},
    )
    assert status == 200
    assert body["balance_withdrawal_url"].startswith("https://payments.example.invalid/w/")
    assert body["url_expiry_timestamp"] == "2026-11-25T21:00:00+00:00"

    status, body = await api.call("GET", path)
    assert (status, body["detail"][0]["loc"]) == (422, ["query", "redirect_uri"])
    status, body = await api.call(
        "GET", path, params={"redirect_uri": "https://example.net/", "enforce_two_factor_auth": "x"}
    )
    assert (status, body["detail"][0]["loc"]) == (422, ["query", "enforce_two_factor_auth"])
    status, _ = await api.call(
        "GET", f"/rewards/{uuid.UUID(int=3)}/url/balance", params={"redirect_uri": "x"}
    )
    assert status == 404


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
