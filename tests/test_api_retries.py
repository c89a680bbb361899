"""The Axle client's retries on server errors, its timeouts and connection failures: which
calls are retried and how often, and which never are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from custom_components.axle_flex_lite.api import AxleClient, AxleTemporaryError, AxleTimeoutError
from custom_components.axle_flex_lite.api.exceptions import AxleConnectionError, AxleServerError
from tests import api_helpers
from tests.api_helpers import TOKEN, closed_port_url, count, night_schedule, onboard_request
from tests.api_site import EXTERNAL_ID, MPAN
from tools.axle_simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME, AxleSimulator

if TYPE_CHECKING:
    from collections.abc import Callable

    import aiohttp
    from aiohttp.test_utils import TestServer

    from custom_components.axle_flex_lite.api.models import OnboardResponse
    from tests.api_helpers import ClientFactory

# The client tests' fixtures (an aiohttp session, a client for the simulator, a site onboarded).
session, make_client, client, onboarded = api_helpers.FIXTURES


SHORT_TIMEOUT = 0.2


# --- 5xx and retries --------------------------------------------------------------------------


async def test_get_retried_on_5xx_then_succeeds(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.fail_next("/info", status=503, count=2)
    await client.async_get_balance_info(onboarded.site_id)
    assert count(axle_simulator, "/info") == 3
    assert [exchange.status for exchange in client.exchanges][-3:] == [503, 503, 200]


async def test_get_gives_up_after_two_retries(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.fail_next("/info", status=500, count=3)
    with pytest.raises(AxleServerError) as err:
        await client.async_get_balance_info(onboarded.site_id)
    assert err.value.status == 500
    assert isinstance(err.value, AxleTemporaryError)
    assert count(axle_simulator, "/info") == 3


async def test_retry_count_follows_retry_delays(
    make_client: ClientFactory, axle_simulator: AxleSimulator
) -> None:
    client = make_client(retry_delays=(0,))
    axle_simulator.fail_next("/users/me", status=502, count=5)
    with pytest.raises(AxleServerError):
        await client.async_get_current_user()
    assert count(axle_simulator, "/users/me") == 2


@pytest.mark.parametrize(
    ("fragment", "call"),
    [
        ("/onboard", lambda c, site_id: c.async_onboard(onboard_request())),
        ("/enrol", lambda c, site_id: c.async_enrol(site_id)),
        ("/unenrol", lambda c, site_id: c.async_unenrol(site_id)),
        ("/external-id/", lambda c, site_id: c.async_get_asset_by_external_id(EXTERNAL_ID)),
    ],
)
async def test_idempotent_calls_retried_on_5xx(
    client: AxleClient,
    axle_simulator: AxleSimulator,
    onboarded: OnboardResponse,
    fragment: str,
    call: Callable[[AxleClient, str], Any],
) -> None:
    before = count(axle_simulator, fragment)
    axle_simulator.fail_next(fragment, status=500)
    await call(client, onboarded.site_id)
    assert count(axle_simulator, fragment) - before == 2


async def test_plug_in_schedule_and_offboard_are_never_retried(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.fail_next("/plug-in-schedule", status=500, count=3)
    with pytest.raises(AxleServerError):
        await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], night_schedule())
    assert count(axle_simulator, "/plug-in-schedule") == 1

    axle_simulator.fail_next("/offboard", status=502, count=3)
    with pytest.raises(AxleServerError) as err:
        await client.async_offboard(onboarded.site_id)
    assert err.value.status == 502
    assert count(axle_simulator, "/offboard") == 1
    assert MPAN in axle_simulator.sites


async def test_token_request_retried_on_5xx(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    axle_simulator.fail_next(TOKEN, status=500, count=2)
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 3


# --- Timeouts and connection failures ---------------------------------------------------------


async def test_get_timeout_is_retried(
    make_client: ClientFactory, axle_simulator: AxleSimulator
) -> None:
    client = make_client(request_timeout=SHORT_TIMEOUT)
    axle_simulator.fail_next("/users/me", kind="timeout")
    await client.async_get_current_user()
    assert [(e.path, e.status, e.error) for e in client.exchanges] == [
        (TOKEN, 200, None),
        ("/auth/users/me/", None, "timeout"),
        ("/auth/users/me/", 200, None),
    ]


async def test_get_times_out_after_three_attempts(
    make_client: ClientFactory, axle_simulator: AxleSimulator
) -> None:
    client = make_client(request_timeout=SHORT_TIMEOUT)
    axle_simulator.fail_next("/users/me", kind="timeout", count=3)
    with pytest.raises(AxleTimeoutError) as err:
        await client.async_get_current_user()
    assert isinstance(err.value, AxleConnectionError)
    assert isinstance(err.value, AxleTemporaryError)
    assert "GET /auth/users/me/" in str(err.value)
    assert count(axle_simulator, "/users/me") == 3


async def test_write_timeout_is_not_retried(
    make_client: ClientFactory, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    client = make_client(request_timeout=SHORT_TIMEOUT)
    axle_simulator.fail_next("/onboard", kind="timeout")
    with pytest.raises(AxleTimeoutError):
        await client.async_onboard(onboard_request())
    assert count(axle_simulator, "/onboard") == 2  # the fixture's and this one

    axle_simulator.fail_next("/plug-in-schedule", kind="delay", delay=SHORT_TIMEOUT * 2)
    with pytest.raises(AxleTimeoutError):
        await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], night_schedule())
    assert count(axle_simulator, "/plug-in-schedule") == 1


async def test_token_timeout(make_client: ClientFactory, axle_simulator: AxleSimulator) -> None:
    client = make_client(request_timeout=SHORT_TIMEOUT)
    axle_simulator.fail_next(TOKEN, kind="timeout")
    with pytest.raises(AxleTimeoutError):
        await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 1
    assert count(axle_simulator, "/users/me") == 0


async def test_connection_refused_is_retried_then_raised(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    client = AxleClient(
        session,
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        base_url=closed_port_url(),
        retry_delays=(0, 0),
    )
    with pytest.raises(AxleConnectionError) as err:
        await client.async_get_current_user()
    assert not isinstance(err.value, AxleTimeoutError)
    assert isinstance(err.value, AxleTemporaryError)
    assert [(e.path, e.status) for e in client.exchanges] == [(TOKEN, None)] * 3
    assert all(e.error for e in client.exchanges)


async def test_lost_server_not_retried_for_schedules(
    client: AxleClient, axle_server: TestServer, onboarded: OnboardResponse
) -> None:
    await axle_server.close()
    with pytest.raises(AxleConnectionError):
        await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], night_schedule())
    assert [e.path for e in client.exchanges][-1:] == [
        "/entities/asset/{asset_id}/event/plug-in-schedule"
    ]
    assert client.exchanges[-2].path == "/entities/site/onboard"

    with pytest.raises(AxleConnectionError):
        await client.async_get_balance_info(onboarded.site_id)
    assert [e.path for e in client.exchanges][-3:] == ["/rewards/{site_id}/info"] * 3
