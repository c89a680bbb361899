"""The simulator tests' client and fixtures, over real loopback HTTP with a plain aiohttp session.

``Api`` is a thin client whose every call returns the status and the parsed body; ``onboard_body``
builds an onboarding request. The fixtures (a frozen clock, a client, logged in, with a site
onboarded) reach a test module as ``FIXTURES``, unpacked there into their own names: pytest
finds a fixture by its name in the module.
"""

from __future__ import annotations

from datetime import datetime
import json
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from freezegun.api import FrozenDateTimeFactory


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


# A test module takes all four at once: ``frozen_clock, api, logged_in, onboarded = FIXTURES``.
FIXTURES = (frozen_clock, api, logged_in, onboarded)
