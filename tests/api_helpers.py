"""The Axle client tests' requests, paths, ids, helpers and fixtures, for the simulator over HTTP.

The site they onboard is in ``tests.api_site``. The fixtures (an aiohttp session, a client
factory, a client, a site onboarded) reach a test module as ``FIXTURES``, unpacked there into
their own names: pytest finds a fixture by its name in the module.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import timedelta
import socket
from typing import Any

import aiohttp
from homeassistant.util import dt as dt_util
import pytest

from custom_components.axle_flex_lite.api.client import AxleClient
from custom_components.axle_flex_lite.api.models import (
    AssetDetails,
    OnboardRequest,
    OnboardResponse,
    ScheduleBlock,
    SiteDetails,
)
from tests.api_site import CONSENT_AT, EMAIL, EXTERNAL_ID, MPAN, POSTCODE, STREET
from tools.axle_simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME, AxleSimulator

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
REDIRECT_URI = "https://home.example/axle-return"
TOKEN = "/auth/token-form"

type ClientFactory = Callable[..., AxleClient]


def onboard_request(
    *,
    mpan: str = MPAN,
    external_id: str = EXTERNAL_ID,
    consent: bool = True,
    asset_type: str = "charger",
    override_withdrawal: bool = False,
) -> OnboardRequest:
    """Build the onboarding request the config flow would send."""
    return OnboardRequest(
        site=SiteDetails(
            mpan=mpan,
            postcode=POSTCODE,
            street_address=STREET,
            email=EMAIL,
            gave_boundary_meter_consent_at=CONSENT_AT if consent else None,
        ),
        assets=(
            AssetDetails(
                external_id=external_id, type=asset_type, power_kw=7.4, asset_model="zappi"
            ),
        ),
        override_withdrawal=override_withdrawal,
    )


def night_schedule() -> tuple[ScheduleBlock, ...]:
    """Tonight's 23:30 to 05:30 UTC window, relative to the (frozen) clock."""
    today = dt_util.utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        ScheduleBlock(
            start=today + timedelta(hours=23, minutes=30),
            end=today + timedelta(days=1, hours=5, minutes=30),
        ),
    )


def count(simulator: AxleSimulator, fragment: str) -> int:
    """How many requests the simulator received whose path contains ``fragment``."""
    return len(simulator.requests_to(fragment))


def closed_port_url() -> str:
    """A loopback URL where nothing listens (a port bound, then let go): connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(session: aiohttp.ClientSession, axle_base_url: str) -> ClientFactory:
    """Build clients for the simulator with the test clock and no retry pauses."""

    def make(
        username: str = DEFAULT_USERNAME, password: str = DEFAULT_PASSWORD, **kwargs: Any
    ) -> AxleClient:
        kwargs.setdefault("base_url", axle_base_url)
        kwargs.setdefault("clock", dt_util.utcnow)
        kwargs.setdefault("retry_delays", (0, 0))
        return AxleClient(session, username, password, **kwargs)

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> AxleClient:
    """A client for the simulator's default account."""
    return make_client()


@pytest.fixture
async def onboarded(client: AxleClient) -> OnboardResponse:
    """The default site and charger, onboarded and enrolled."""
    return await client.async_onboard(onboard_request())


# A test module takes all four at once: ``session, make_client, client, onboarded = FIXTURES``.
FIXTURES = (session, make_client, client, onboarded)
