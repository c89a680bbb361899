"""The simulator with several chargers on one site, every answer checked against Axle's document.

Onboard upserts chargers by external id, one charger is looked up or deleted by Axle's id, each
charger is paused its own way, and offboarding removes them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from tests import test_simulator_schema
from tests.simulator_helpers import EXTERNAL_ID, MPAN, OTHER_MPAN, OVERNIGHT, onboard_body

if TYPE_CHECKING:
    from tests.openapi import SchemaChecker
    from tests.test_simulator_schema import CheckedApi
    from tools.axle_simulator import AxleSimulator

SECOND_ID = "ha-charger-77aa"
ONBOARD = "/entities/site/onboard"
ASSET = "/entities/asset/{asset_id}"
SCHEDULE = "/entities/asset/{asset_id}/event/plug-in-schedule"
OFFBOARD = "/entities/site/{site_id}/offboard-site-and-assets"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

# The schema tests' fixtures: a frozen clock, the checker, a logged-in checked client.
frozen_clock = test_simulator_schema.frozen_clock
checker = test_simulator_schema.checker
sim = test_simulator_schema.sim


def schedule_body(blocks: list[tuple[str, str]]) -> dict[str, Any]:
    return {"charging_schedule": [{"start_timestamp": s, "end_timestamp": e} for s, e in blocks]}


def answered(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(b["start_timestamp"], b["end_timestamp"]) for b in body["modified_charging_schedule"]]


async def two_chargers(sim: CheckedApi) -> tuple[str, str, str]:
    """Onboard the site with one charger, then add a second one: (site_id, first, second)."""
    status, first = await sim.checked("POST", ONBOARD, json_body=onboard_body())
    assert status == 200
    status, second = await sim.checked(
        "POST", ONBOARD, json_body=onboard_body(external_id=SECOND_ID)
    )
    assert status == 200
    assert second["site"] == {
        "site_id": first["site"]["site_id"],
        "site_created": False,
        "fields_updated": [],
        "warnings": [],
    }
    [added] = second["assets"]
    assert (added["external_id"], added["asset_created"]) == (SECOND_ID, True)
    return first["site"]["site_id"], first["assets"][0]["asset_id"], added["asset_id"]


async def test_onboard_adds_a_charger_to_the_site(
    sim: CheckedApi, axle_simulator: AxleSimulator
) -> None:
    site_id, first_id, second_id = await two_chargers(sim)

    site = axle_simulator.sites[MPAN]
    assert [asset.asset_id for asset in site.assets.values()] == [first_id, second_id]
    for asset_id, external_id in ((first_id, EXTERNAL_ID), (second_id, SECOND_ID)):
        status, asset = await sim.checked("GET", ASSET, {"asset_id": asset_id})
        assert status == 200
        assert (asset["id"], asset["external_id"], asset["site_id"]) == (
            asset_id,
            external_id,
            site_id,
        )
    # Sending both again changes nothing and names both.
    body = onboard_body()
    body["assets"].append(onboard_body(external_id=SECOND_ID)["assets"][0])
    status, again = await sim.checked("POST", ONBOARD, json_body=body)
    assert [(a["asset_id"], a["asset_created"]) for a in again["assets"]] == [
        (first_id, False),
        (second_id, False),
    ]
    assert len(site.assets) == 2


async def test_a_charger_of_another_site_is_refused(
    sim: CheckedApi, axle_simulator: AxleSimulator
) -> None:
    await two_chargers(sim)
    status, answer = await sim.checked(
        "POST", ONBOARD, json_body=onboard_body(mpan=OTHER_MPAN, external_id=SECOND_ID)
    )
    assert status == 409
    assert "different site" in answer["detail"]
    # Nothing was saved: no second site, the charger stays where it was.
    assert set(axle_simulator.sites) == {MPAN}
    assert set(axle_simulator.sites[MPAN].assets) == {EXTERNAL_ID, SECOND_ID}


async def test_deleting_one_charger(sim: CheckedApi, axle_simulator: AxleSimulator) -> None:
    site_id, first_id, second_id = await two_chargers(sim)

    status, body = await sim.checked("DELETE", ASSET, {"asset_id": first_id})
    assert (status, body) == (204, None)
    assert set(axle_simulator.sites[MPAN].assets) == {SECOND_ID}
    assert axle_simulator.sites[MPAN].enrolled == {"limited_pause"}
    for method in ("GET", "DELETE"):
        status, body = await sim.checked(method, ASSET, {"asset_id": first_id})
        assert (status, body) == (404, {"detail": "Asset not found"})
    status, body = await sim.checked(
        "POST", SCHEDULE, {"asset_id": first_id}, json_body=schedule_body(OVERNIGHT)
    )
    assert status == 404
    status, body = await sim.checked(
        "POST", SCHEDULE, {"asset_id": second_id}, json_body=schedule_body(OVERNIGHT)
    )
    assert status == 200
    status, body = await sim.checked("DELETE", ASSET, {"asset_id": "not-a-uuid"})
    assert (status, body["detail"][0]["loc"]) == (422, ["path", "asset_id"])
    status, _ = await sim.checked("DELETE", ASSET, {"asset_id": UNKNOWN_ID})
    assert status == 404

    # Another organisation cannot see or delete it.
    axle_simulator.add_account("other-partner", "other-secret")
    await sim.login("other-partner", "other-secret")
    for method in ("GET", "DELETE"):
        status, _ = await sim.checked(method, ASSET, {"asset_id": second_id})
        assert status == 404
    assert set(axle_simulator.sites[MPAN].assets) == {SECOND_ID}

    # A charger deleted can be added again; it gets a new id.
    await sim.login()
    status, again = await sim.checked("POST", ONBOARD, json_body=onboard_body())
    assert again["assets"][0]["asset_created"] is True
    assert again["assets"][0]["asset_id"] not in (first_id, second_id)
    assert again["site"]["site_id"] == site_id


async def test_two_chargers_plugged_in_at_once_are_paused_independently(
    sim: CheckedApi, axle_simulator: AxleSimulator
) -> None:
    _, first_id, second_id = await two_chargers(sim)
    # The second charger's pause comes 4 hours from now (midnight) for 30 minutes.
    status, setting = await sim.call(
        "POST",
        "/_sim/asset-pause",
        json_body={"external_id": SECOND_ID, "mode": "soon", "soon_offset": 14400,
                   "soon_length": 1800},
        auth=False,
    )  # fmt: skip
    assert (status, setting["mode"], setting["soon_offset"]) == (200, "soon", 14400.0)

    answers = {}
    for asset_id in (first_id, second_id):
        status, body = await sim.checked(
            "POST", SCHEDULE, {"asset_id": asset_id}, json_body=schedule_body(OVERNIGHT)
        )
        assert status == 200
        answers[asset_id] = answered(body)
    start, end = OVERNIGHT[0]
    assert answers[first_id] == [
        (start, "2026-11-26T02:00:00+00:00"),
        ("2026-11-26T02:30:00+00:00", end),
    ]
    assert answers[second_id] == [
        (start, "2026-11-26T00:00:00+00:00"),
        ("2026-11-26T00:30:00+00:00", end),
    ]
    # The simulator-wide setting is untouched; each charger's history is its own.
    assert axle_simulator.pause_mode == "price"
    [first] = axle_simulator.schedules_of(EXTERNAL_ID)
    [second] = axle_simulator.schedules_of(SECOND_ID)
    assert first.paused
    assert second.paused
    assert first.sent == second.sent
    assert first.answered != second.answered

    # One charger not paused at all while the other keeps its own pause.
    axle_simulator.set_asset_pause(EXTERNAL_ID, "none")
    for asset_id in (first_id, second_id):
        await sim.checked(
            "POST", SCHEDULE, {"asset_id": asset_id}, json_body=schedule_body(OVERNIGHT)
        )
    assert not axle_simulator.schedules_of(EXTERNAL_ID)[-1].paused
    assert axle_simulator.schedules_of(SECOND_ID)[-1].answered == second.answered
    assert set(axle_simulator.asset_pauses()) == {EXTERNAL_ID, SECOND_ID}

    axle_simulator.reset()
    assert axle_simulator.asset_pauses() == {}
    assert axle_simulator.schedules_of(SECOND_ID) == []


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "soon"},
        {"external_id": SECOND_ID, "mode": "sometimes"},
        {"external_id": SECOND_ID, "mode": "soon", "soon_offset": "later"},
        [],
    ],
)
async def test_admin_asset_pause_refuses_bad_input(
    sim: CheckedApi, axle_simulator: AxleSimulator, body: Any
) -> None:
    status, _ = await sim.call("POST", "/_sim/asset-pause", json_body=body, auth=False)
    assert status == 400
    assert axle_simulator.asset_pauses() == {}


async def test_offboard_removes_every_charger(
    sim: CheckedApi, axle_simulator: AxleSimulator, checker: SchemaChecker
) -> None:
    site_id, first_id, second_id = await two_chargers(sim)
    status, offboarded = await sim.checked("POST", OFFBOARD, {"site_id": site_id})
    assert (status, offboarded["asset"]["id"]) == (200, first_id)
    assert axle_simulator.sites == {}
    for asset_id in (first_id, second_id):
        status, _ = await sim.checked("GET", ASSET, {"asset_id": asset_id})
        assert status == 404

    # A site left without chargers still offboards; its answer has no asset, the one way it
    # departs from the document (which requires one; Axle's answer then is undocumented).
    site_id, first_id, second_id = await two_chargers(sim)
    for asset_id in (first_id, second_id):
        await sim.checked("DELETE", ASSET, {"asset_id": asset_id})
    status, offboarded = await sim.call("POST", OFFBOARD.format(site_id=site_id), json_body=None)
    assert status == 200
    schema = checker.response_schema("POST", OFFBOARD, 200)
    assert checker.errors(offboarded, schema) == ["$: asset is required"]
    assert axle_simulator.sites == {}


async def test_asset_routes_need_a_token(axle_base_url: str, axle_simulator: AxleSimulator) -> None:
    async with aiohttp.ClientSession() as session:
        for method in ("GET", "DELETE"):
            async with session.request(
                method, f"{axle_base_url}/entities/asset/{UNKNOWN_ID}"
            ) as response:
                assert response.status == 401
    assert [r.method for r in axle_simulator.requests_to("/entities/asset/")] == ["GET", "DELETE"]
