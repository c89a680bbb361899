"""The Axle client's transport: its token (cached, renewed before expiry and once on a 401,
shared by concurrent callers) and its construction from an environment or a base URL.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite.api.client import AxleClient
from custom_components.axle_flex_lite.api.exceptions import (
    AxleAuthenticationError,
    AxleConfigurationError,
)
from custom_components.axle_flex_lite.api.models import Environment, OnboardResponse
from custom_components.axle_flex_lite.api.transport import BASE_URLS, normalise_base_url
from tests import api_helpers
from tests.api_helpers import TOKEN, count
from tools.axle_simulator import DEFAULT_USERNAME, AxleSimulator

if TYPE_CHECKING:
    import aiohttp
    from freezegun.api import FrozenDateTimeFactory

    from tests.api_helpers import ClientFactory

# The client tests' fixtures (an aiohttp session, a client for the simulator, a site onboarded).
session, make_client, client, onboarded = api_helpers.FIXTURES


# --- Token handling ---------------------------------------------------------------------------


async def test_token_is_cached(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    for _ in range(3):
        await client.async_get_current_user()
        await client.async_get_balance_info(onboarded.site_id)
    assert count(axle_simulator, TOKEN) == 1

    await client.async_login()
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2


async def test_token_renewed_before_expiry(
    client: AxleClient, axle_simulator: AxleSimulator, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-11-25T20:00:00+00:00")
    await client.async_get_current_user()
    assert client.exchanges[0].at == datetime(2026, 11, 25, 20, tzinfo=UTC)

    freezer.tick(timedelta(minutes=54, seconds=59))
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 1

    # Less than five minutes of the hour left: log in before Axle would refuse the token.
    freezer.tick(timedelta(seconds=2))
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2
    assert [e.status for e in client.exchanges] == [200] * 5  # never a 401

    freezer.tick(timedelta(minutes=54))
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2


async def test_token_renewed_once_on_401(client: AxleClient, axle_simulator: AxleSimulator) -> None:
    await client.async_get_current_user()
    assert axle_simulator.expire_tokens() == 1

    assert (await client.async_get_current_user()).username == DEFAULT_USERNAME
    assert count(axle_simulator, TOKEN) == 2
    assert [e.status for e in client.exchanges] == [200, 200, 401, 200, 200]


async def test_second_401_is_an_authentication_error(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    await client.async_get_current_user()
    axle_simulator.fail_next("/users/me", status=401, count=2)
    with pytest.raises(AxleAuthenticationError):
        await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2
    assert count(axle_simulator, "/users/me") == 3


async def test_concurrent_callers_share_one_login(
    make_client: ClientFactory, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    client = make_client()
    logins = count(axle_simulator, TOKEN)

    results = await asyncio.gather(
        *(client.async_get_balance_info(onboarded.site_id) for _ in range(12))
    )
    assert len(results) == 12
    assert count(axle_simulator, TOKEN) - logins == 1

    axle_simulator.expire_tokens()
    await asyncio.gather(*(client.async_get_current_user() for _ in range(12)))
    assert count(axle_simulator, TOKEN) - logins == 2


# --- Construction and base URLs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.axle.energy", "https://api.axle.energy"),
        ("https://api.axle.energy/", "https://api.axle.energy"),
        ("  https://proxy.example/axle/  ", "https://proxy.example/axle"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.5.6.7:9000", "http://127.5.6.7:9000"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://LOCALHOST", "http://localhost"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
    ],
)
def test_base_url_accepted(url: str, expected: str) -> None:
    assert normalise_base_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "api.axle.energy",
        "ftp://api.axle.energy",
        "http://api.axle.energy",
        "http://192.168.1.10:8080",
        "http://[::2]:8080",
        "http://localhost.example",
        "https://",
        "https://user:secret@api.axle.energy",
        "https://api.axle.energy/?x=1",
        "https://api.axle.energy/#top",
        "https://[::1",
    ],
)
def test_base_url_refused(url: str) -> None:
    with pytest.raises(AxleConfigurationError):
        normalise_base_url(url)


async def test_for_environment(session: aiohttp.ClientSession) -> None:
    production = AxleClient.for_environment(session, "u", "p", Environment.PRODUCTION)
    assert production.base_url == BASE_URLS[Environment.PRODUCTION] == "https://api.axle.energy"
    sandbox = AxleClient.for_environment(session, "u", "p", "sandbox", "https://ignored.example")
    assert sandbox.base_url == "https://api-sandbox.axle.energy"
    custom = AxleClient.for_environment(
        session, "u", "p", "custom", "http://127.0.0.1:8123/", request_timeout=3
    )
    assert custom.base_url == "http://127.0.0.1:8123"
    assert AxleClient(session, "u", "p").base_url == "https://api.axle.energy"

    with pytest.raises(AxleConfigurationError):
        AxleClient.for_environment(session, "u", "p", "staging")
    with pytest.raises(AxleConfigurationError):
        AxleClient.for_environment(session, "u", "p", Environment.CUSTOM)
    with pytest.raises(AxleConfigurationError):
        AxleClient.for_environment(session, "u", "p", Environment.CUSTOM, "http://10.0.0.2")
    with pytest.raises(AxleConfigurationError):
        AxleClient(session, "u", "p", base_url="http://axle.example")


def test_default_clock_is_aware_utc() -> None:
    from custom_components.axle_flex_lite.api import utc_now

    now = utc_now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
