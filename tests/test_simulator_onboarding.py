"""The simulator's site lifecycle: onboarding and its validation, enrolment and withdrawal,
assets by external id, and offboarding.
"""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any
import uuid

import pytest

from tests import simulator_helpers
from tests.simulator_helpers import (
    CONSENT_AT,
    EXTERNAL_ID,
    MPAN,
    NOW,
    OTHER_MPAN,
    OVERNIGHT,
    Api,
    onboard_body,
)
from tools.axle_simulator import AxleSimulator, mpan_is_valid

# The simulator tests' fixtures: a frozen clock, a test client, logged in, with a site onboarded.
frozen_clock, api, logged_in, onboarded = simulator_helpers.FIXTURES


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
