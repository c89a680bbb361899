"""The simulator's plug-in schedule (its pause modes, the price curve, request validation) and
its rewards calls (the balance and the withdrawal link).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
import uuid

import pytest

from tests import simulator_helpers
from tests.simulator_helpers import OVERNIGHT, Api, blocks_of
from tools.axle_simulator.schedule import half_hour_value

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory

    from tools.axle_simulator import AxleSimulator

# The simulator tests' fixtures: a frozen clock, a test client, logged in, with a site onboarded.
frozen_clock, api, logged_in, onboarded = simulator_helpers.FIXTURES


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
