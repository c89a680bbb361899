"""The simulator's answers against Axle's OpenAPI document, and its eligibility and meter rules."""

from __future__ import annotations

from datetime import datetime
import json
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from tests.openapi import SchemaChecker, load_spec
from tests.simulator_helpers import EXTERNAL_ID, MPAN, NOW, OVERNIGHT, Api, onboard_body

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from freezegun.api import FrozenDateTimeFactory

    from tools.axle_simulator import AxleSimulator

NOT_SETTLED = "1900000000403"
SHOP = "1900000000101"


class CheckedApi(Api):
    """The simulator test client, checking every answer against the document."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, checker: SchemaChecker):
        super().__init__(session, base_url)
        self.checker = checker

    async def checked(
        self, method: str, template: str, ids: dict[str, str] | None = None, **kwargs: Any
    ) -> tuple[int, Any]:
        if (body := kwargs.get("json_body")) is not None and kwargs.pop("valid_request", True):
            self.checker.check_request(method, template, body)
        status, answer = await self.call(method, template.format(**(ids or {})), **kwargs)
        self.checker.check_response(method, template, status, answer)
        return status, answer


@pytest.fixture
def checker() -> SchemaChecker:
    return SchemaChecker(load_spec())


@pytest.fixture(autouse=True)
def frozen_clock(freezer: FrozenDateTimeFactory) -> None:
    freezer.move_to(NOW)


@pytest.fixture
async def sim(axle_base_url: str, checker: SchemaChecker) -> AsyncGenerator[CheckedApi]:
    async with aiohttp.ClientSession() as session:
        api = CheckedApi(session, axle_base_url, checker)
        await api.login()
        yield api


def cop11_body(mpan: str, model: str | None, installed: str | None) -> dict[str, Any]:
    body = onboard_body(mpan=mpan)
    asset = body["assets"][0]
    if model is not None:
        asset["asset_model"] = model
    if installed is not None:
        asset["installation_date"] = installed
    return body


def test_the_checker_finds_faults(checker: SchemaChecker) -> None:
    schema = {"$ref": "#/components/schemas/OnboardResponse"}
    assert checker.errors({"site": {}}, schema)
    good = {
        "site": {"site_id": "0f6a2c1e-8b7d-4f7a-9a55-3c2d1e0b9a10", "site_created": True},
        "assets": [],
        "enrolment": {"site_id": "0f6a2c1e-8b7d-4f7a-9a55-3c2d1e0b9a10", "status": "enrolled"},
    }
    assert checker.errors(good, schema) == []
    site_response = {"$ref": "#/components/schemas/SiteResponse"}
    assert checker.errors({"id": "0f6a2c1e-8b7d-4f7a-9a55-3c2d1e0b9a10", "address": None},
                          site_response)  # fmt: skip
    assert checker.errors({"id": "not-a-uuid"}, site_response)


async def test_whole_journey_matches_the_document(
    sim: CheckedApi, axle_simulator: AxleSimulator
) -> None:
    await sim.checked("GET", "/auth/users/me/")
    status, eligibility = await sim.checked(
        "POST", "/entities/site/check-eligibility", json_body={"mpan": MPAN}
    )
    assert (status, eligibility["is_half_hourly_settled"]) == (200, True)
    status, onboarded = await sim.checked(
        "POST", "/entities/site/onboard", json_body=onboard_body()
    )
    assert status == 200
    site_id = onboarded["site"]["site_id"]
    asset_id = onboarded["assets"][0]["asset_id"]
    ids = {"site_id": site_id, "asset_id": asset_id, "external_id": EXTERNAL_ID}
    status, detail = await sim.checked("GET", "/entities/site/{site_id}/eligibility", ids)
    assert (status, detail["eligible_propositions"]) == (
        200,
        ["limited_pause", "full_asset_schedule_control"],
    )
    schedule = {
        "charging_schedule": [{"start_timestamp": s, "end_timestamp": e} for s, e in OVERNIGHT]
    }
    for style in ("+00:00", "Z", "+01:00"):
        axle_simulator.time_style = style
        axle_simulator.reverse_blocks = style != "+00:00"
        status, answer = await sim.checked(
            "POST", "/entities/asset/{asset_id}/event/plug-in-schedule", ids, json_body=schedule
        )
        stamps = [block["start_timestamp"] for block in answer["modified_charging_schedule"]]
        assert status == 200
        assert all(stamp.endswith(style) for stamp in stamps)
        starts = [datetime.fromisoformat(stamp) for stamp in stamps]
        assert starts == sorted(starts, reverse=style != "+00:00")
    await sim.checked("GET", "/rewards/{site_id}/info", ids)
    await sim.checked(
        "GET", "/rewards/{site_id}/url/balance", ids, params={"redirect_uri": "https://h.example/"}
    )
    await sim.checked("GET", "/entities/asset/external-id/{external_id}", ids)
    await sim.checked(
        "POST", "/entities/site/{site_id}/unenrol", ids, json_body={"proposition": "limited_pause"}
    )
    status, _ = await sim.checked(
        "POST",
        "/entities/site/{site_id}/enrol",
        ids,
        json_body={"proposition": "limited_pause", "override_withdrawal": True},
    )
    assert status == 200
    # A site without a street address still answers without "address": null.
    status, offboarded = await sim.checked(
        "POST", "/entities/site/{site_id}/offboard-site-and-assets", ids
    )
    assert status == 200
    assert offboarded["site"]["id"] == site_id
    assert "address" in offboarded["site"]

    status, _ = await sim.checked(
        "POST", "/entities/site/onboard", json_body=onboard_body(street_address=None)
    )
    assert status == 200
    site_id = axle_simulator.sites[MPAN].site_id
    status, offboarded = await sim.checked(
        "POST", "/entities/site/{site_id}/offboard-site-and-assets", {"site_id": site_id}
    )
    assert "address" not in offboarded["site"]


async def test_declared_validation_errors_match_the_document(sim: CheckedApi) -> None:
    status, body = await sim.checked(
        "POST", "/entities/site/check-eligibility", json_body={}, valid_request=False
    )
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "mpan"]
    status, _ = await sim.checked(
        "GET", "/entities/site/{site_id}/eligibility", {"site_id": "nope"}
    )
    assert status == 422
    status, body = await sim.checked("GET", "/meter/search", params={"postcode": "ZZ9 9ZZ"})
    assert (status, body) == (422, {"detail": "Invalid postcode or no meters found"})
    status, _ = await sim.checked("GET", "/meter/by-ref/{meter_ref}", {"meter_ref": "x"})
    assert status == 422
    status, body = await sim.call("POST", "/auth/token-form", data={"username": "only"})
    sim.checker.check_response("POST", "/auth/token-form", status, body)
    assert status == 422


async def test_cop11_rule(sim: CheckedApi, axle_simulator: AxleSimulator) -> None:
    async def check(mpan: str, model: str | None = None) -> tuple[int, Any]:
        body = {"mpan": mpan} if model is None else {"mpan": mpan, "asset_model": model}
        return await sim.checked("POST", "/entities/site/check-eligibility", json_body=body)

    assert (await check(NOT_SETTLED))[1] == {
        "is_half_hourly_settled": False,
        "propositions": [
            {"proposition": p, "is_eligible": False, "issues": ["asset_model_not_set"]}
            for p in ("limited_pause", "full_asset_schedule_control")
        ],
    }
    assert (await check(NOT_SETTLED, "zappi"))[1]["propositions"][0]["is_eligible"] is True
    legacy = (await check(NOT_SETTLED, "legacy_charger_v0"))[1]["propositions"][0]
    assert legacy["issues"] == ["asset_model_not_cop11_qualified"]
    assert await check(NOT_SETTLED, "mystery") == (404, {"detail": "Asset model not found"})
    assert (await check(SHOP, "zappi"))[1]["propositions"][0]["issues"] == ["non_domestic_site"]

    # Onboarding applies the same rule, with the installation date.
    refused = [
        (
            cop11_body(NOT_SETTLED, None, None),
            ["asset_model_not_set", "asset_installation_date_not_set"],
        ),
        (cop11_body(NOT_SETTLED, "zappi", None), ["asset_installation_date_not_set"]),
        (cop11_body(SHOP, "zappi", "2024-03-01"), ["non_domestic_site"]),
    ]  # fmt: skip
    axle_simulator.refusal_shape = "object"
    for body, issues in refused:
        status, answer = await sim.call("POST", "/entities/site/onboard", json_body=body)
        assert status == 422
        assert answer["detail"]["issues"] == issues
    assert axle_simulator.sites == {}
    status, _ = await sim.call(
        "POST", "/entities/site/onboard", json_body=cop11_body(NOT_SETTLED, "mystery", "2024-03-01")
    )
    assert status == 404
    status, answer = await sim.checked(
        "POST", "/entities/site/onboard", json_body=cop11_body(NOT_SETTLED, "zappi", "2024-03-01")
    )
    assert status == 200
    ids = {"site_id": answer["site"]["site_id"]}
    status, detail = await sim.checked("GET", "/entities/site/{site_id}/eligibility", ids)
    assert detail["site_properties"] == {"is_half_hourly_settled": False, "has_meter_consent": True}
    assert detail["assets"][0]["propositions"][0]["is_eligible"] is True


@pytest.mark.parametrize("shape", ["string", "list", "object"])
async def test_refusal_shapes(sim: CheckedApi, axle_simulator: AxleSimulator, shape: str) -> None:
    axle_simulator.refusal_shape = shape  # type: ignore[assignment]
    status, answer = await sim.call(
        "POST", "/entities/site/onboard", json_body=cop11_body(NOT_SETTLED, None, None)
    )
    assert status == 422
    assert (
        type(answer["detail"]).__name__
        == {"string": "str", "list": "list", "object": "dict"}[shape]
    )
    assert "asset_model_not_set" in json.dumps(answer["detail"])
    status, onboarded = await sim.call("POST", "/entities/site/onboard", json_body=onboard_body())
    site_id = onboarded["site"]["site_id"]
    await sim.call(
        "POST", f"/entities/site/{site_id}/unenrol", json_body={"proposition": "limited_pause"}
    )
    status, answer = await sim.call(
        "POST", f"/entities/site/{site_id}/enrol", json_body={"proposition": "limited_pause"}
    )
    assert status == 422
    assert "withdr" in json.dumps(answer["detail"])


async def test_meter_search_endpoints(sim: CheckedApi, axle_simulator: AxleSimulator) -> None:
    status, found = await sim.checked(
        "GET", "/meter/search", params={"postcode": "ct1 2eh", "building_identifier": "6"}
    )
    assert status == 200
    assert [item["address"] for item in found] == ["6 Sample Lane, Canterbury, CT1 2EH"]
    status, meter = await sim.checked(
        "GET", "/meter/by-ref/{meter_ref}", {"meter_ref": found[0]["ref"]}
    )
    assert (status, meter["mpan"], meter["half_hourly_settled"]) == (200, NOT_SETTLED, False)
    status, everyone = await sim.checked("GET", "/meter/search", params={"postcode": "CT1 2EH"})
    assert len(everyone) == 3
    status, flats = await sim.checked(
        "GET", "/meter/search", params={"postcode": "CT2 7NZ", "building_identifier": "10"}
    )
    assert len(flats) == 2
    status, none = await sim.checked(
        "GET", "/meter/search", params={"postcode": "CT2 7NZ", "building_identifier": "12"}
    )
    assert (status, none) == (200, [])
    status, _ = await sim.call("GET", "/meter/search")
    assert status == 422

    status, meter = await sim.checked(
        "POST", "/meter/by-address", json_body={"address": "4 Sample Lane, Canterbury, CT1 2EH"}
    )
    assert (status, meter["mpan"]) == (200, MPAN)
    status, _ = await sim.checked(
        "POST", "/meter/by-address", json_body={"address": "12 Mill Row, CT2 7NZ"}
    )
    assert status == 202
    added = axle_simulator.set_meter("1900000000500", postcode="CT2 7NZ", building="12")
    status, meter = await sim.checked(
        "POST", "/meter/by-address", json_body={"address": added.address}
    )
    assert (status, meter["mpan"]) == (200, "1900000000500")


async def test_content_types(sim: CheckedApi) -> None:
    status, body = await sim.call(
        "POST",
        "/entities/site/check-eligibility",
        data=json.dumps({"mpan": MPAN}).encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert status == 415
    assert isinstance(body["detail"], str)
    # A multipart login works as FastAPI's form parsing does; no 500.
    form = aiohttp.FormData()
    form.add_field("username", "ha-partner")
    form.add_field("password", "sim-password")
    form.add_field("grant_type", "password")
    form._is_multipart = True
    status, body = await sim.call("POST", "/auth/token-form", data=form, auth=False)
    assert status == 200
    sim.checker.check_response("POST", "/auth/token-form", status, body)
    form = aiohttp.FormData()
    form.add_field("username", "ha-partner")
    form._is_multipart = True
    status, body = await sim.call("POST", "/auth/token-form", data=form, auth=False)
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "password"]


async def test_admin_shapes_answers(sim: CheckedApi, axle_simulator: AxleSimulator) -> None:
    status, _ = await sim.call(
        "POST",
        "/_sim/answer-style",
        json_body={"refusal_shape": "list", "time_style": "Z", "reverse_blocks": True},
        auth=False,
    )
    assert status == 200
    assert (axle_simulator.refusal_shape, axle_simulator.time_style) == ("list", "Z")
    assert axle_simulator.reverse_blocks is True
    status, _ = await sim.call(
        "POST", "/_sim/answer-style", json_body={"time_style": "+02:00"}, auth=False
    )
    assert status == 400
    status, meter = await sim.call(
        "POST",
        "/_sim/meter",
        json_body={"mpan": "1900000000500", "half_hourly_settled": False, "building": "3"},
        auth=False,
    )
    assert (status, meter["half_hourly_settled"]) == (200, False)
    assert axle_simulator.meters["1900000000500"].building == "3"
    status, _ = await sim.call("POST", "/_sim/meter", json_body={}, auth=False)
    assert status == 400
    axle_simulator.reset()
    assert (axle_simulator.refusal_shape, axle_simulator.time_style) == ("string", "+00:00")
    assert "1900000000500" not in axle_simulator.meters
