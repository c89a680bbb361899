"""The Axle client keeps personal data private: the exchanges it records (bounded, by path
template, for listeners) and its logs, errors and repr carry no credentials, token, meter,
address, email, ids or links.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite.api.exceptions import AxleError
from tests import api_helpers
from tests.api_helpers import REDIRECT_URI, night_schedule, onboard_request
from tests.api_site import CONSENT_AT, EMAIL, EXTERNAL_ID, MPAN, OTHER_MPAN, POSTCODE, STREET
from tools.axle_simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME

if TYPE_CHECKING:
    from custom_components.axle_flex_lite.api.client import AxleClient
    from custom_components.axle_flex_lite.api.models import ApiExchange, OnboardResponse
    from tools.axle_simulator import AxleSimulator

# The client tests' fixtures (an aiohttp session, a client for the simulator, a site onboarded).
session, make_client, client, onboarded = api_helpers.FIXTURES


# --- Diagnostics and privacy ------------------------------------------------------------------


async def test_exchanges_are_bounded_templated_and_observable(
    client: AxleClient, onboarded: OnboardResponse
) -> None:
    seen: list[ApiExchange] = []
    unsubscribe = client.add_exchange_listener(seen.append)

    for _ in range(12):
        await client.async_get_balance_info(onboarded.site_id)
        await client.async_get_asset_by_external_id(EXTERNAL_ID)
    assert len(seen) == 24
    assert list(client.exchanges) == seen[-20:]
    assert {e.path for e in client.exchanges} == {
        "/rewards/{site_id}/info",
        "/entities/asset/external-id/{external_id}",
    }
    assert all(e.method == "GET" and e.status == 200 and e.error is None for e in seen)
    assert all(e.elapsed_ms >= 0 for e in seen)
    ids = (onboarded.site_id, onboarded.asset_ids[EXTERNAL_ID], EXTERNAL_ID)
    assert not any(value in repr(e) for e in client.exchanges for value in ids)

    unsubscribe()
    unsubscribe()
    await client.async_get_current_user()
    assert len(seen) == 24


async def test_logs_and_reprs_carry_no_personal_data(
    client: AxleClient, axle_simulator: AxleSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.axle_flex_lite")
    axle_simulator.pause_mode = "price"

    response = await client.async_onboard(onboard_request())
    site_id = response.site_id
    asset_id = response.asset_ids[EXTERNAL_ID]
    await client.async_enrol(site_id, gave_boundary_meter_consent_at=CONSENT_AT)
    await client.async_send_plug_in_schedule(asset_id, night_schedule())
    await client.async_get_asset_by_external_id(EXTERNAL_ID)
    link = await client.async_get_withdrawal_url(site_id, REDIRECT_URI)
    issued_tokens = list(axle_simulator.tokens)
    axle_simulator.expire_tokens()
    await client.async_get_balance_info(site_id)
    errors: list[AxleError] = []
    for bad in (onboard_request(mpan=OTHER_MPAN), onboard_request(consent=False)):
        with pytest.raises(AxleError) as err:
            await client.async_onboard(bad)
        errors.append(err.value)

    ours = [r for r in caplog.records if r.name.startswith("custom_components.axle_flex_lite")]
    assert any("/entities/asset/{asset_id}/event/plug-in-schedule" in r.getMessage() for r in ours)
    assert any("401" in r.getMessage() for r in ours)
    issued_tokens += list(axle_simulator.tokens)
    assert len(issued_tokens) == 2
    secrets = [
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        MPAN,
        OTHER_MPAN,
        EMAIL,
        STREET,
        POSTCODE,
        POSTCODE.replace(" ", ""),
        site_id,
        asset_id,
        EXTERNAL_ID,
        REDIRECT_URI,
        link.url,
        *issued_tokens,
    ]
    texts = [r.getMessage() for r in ours] + [str(error) for error in errors] + [repr(client)]
    leaks = [secret for secret in secrets for text in texts if secret in text]
    assert leaks == []
    assert repr(client) == f"AxleClient(base_url={client.base_url!r})"
