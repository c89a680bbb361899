"""The Axle client with two chargers on one site: adding one, looking one up, removing one.

Over real loopback HTTP against the simulator; every request body the client sends is checked
against Axle's OpenAPI document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite.api.assets import AssetRemoval
from custom_components.axle_flex_lite.api.exceptions import (
    AxleConflictError,
    AxleError,
    AxleNotFoundError,
    AxleServerError,
    AxleSiteMismatchError,
    AxleValidationError,
)
from custom_components.axle_flex_lite.api.models import AssetDetails, OnboardRequest
from tests import api_helpers
from tests.api_helpers import UNKNOWN_ID, count, night_schedule, onboard_request
from tests.api_site import EXTERNAL_ID, MPAN, OTHER_MPAN
from tests.openapi import SchemaChecker, load_spec

if TYPE_CHECKING:
    from custom_components.axle_flex_lite.api.client import AxleClient
    from custom_components.axle_flex_lite.api.models import OnboardResponse
    from tools.axle_simulator import AxleSimulator

# The client tests' fixtures (an aiohttp session, a client for the simulator, a site onboarded).
session, make_client, client, onboarded = api_helpers.FIXTURES

SECOND_ID = "ha-charger-77aa"
ONBOARD = "/entities/site/onboard"


def second_charger(base: OnboardRequest, external_id: str = SECOND_ID) -> OnboardRequest:
    """The request that adds a second charger: the site as onboarded, only the new charger."""
    return OnboardRequest(
        site=base.site,
        assets=(AssetDetails(external_id=external_id, power_kw=22.0, asset_model="zappi"),),
    )


def check_sent_onboards(simulator: AxleSimulator) -> None:
    """Every onboard request sent is valid for Axle's document."""
    checker = SchemaChecker(load_spec())
    for sent in simulator.requests_to(ONBOARD):
        checker.check_request("POST", ONBOARD, sent.body)


async def test_a_second_charger_joins_the_site(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    request = second_charger(onboard_request())
    [added] = await client.async_add_assets(onboarded.site_id, request)

    site = axle_simulator.sites[MPAN]
    assert set(site.assets) == {EXTERNAL_ID, SECOND_ID}
    assert (added.external_id, added.asset_id, added.asset_created) == (
        SECOND_ID,
        site.assets[SECOND_ID].asset_id,
        True,
    )
    # The first charger is left as it was: only the new one was sent.
    assert site.assets[EXTERNAL_ID].power_kw == 7.4
    assert site.assets[SECOND_ID].power_kw == 22.0
    assert axle_simulator.requests_to(ONBOARD)[-1].body == request.to_json()
    check_sent_onboards(axle_simulator)

    # A repeat (say, after a lost answer) gives the same id back.
    [again] = await client.async_add_assets(onboarded.site_id, request)
    assert (again.asset_id, again.asset_created) == (added.asset_id, False)
    assert len(site.assets) == 2

    first = await client.async_get_asset(onboarded.asset_ids[EXTERNAL_ID])
    second = await client.async_get_asset(added.asset_id)
    assert (first.external_id, first.site_id) == (EXTERNAL_ID, onboarded.site_id)
    assert (second.external_id, second.site_id, second.power_kw) == (
        SECOND_ID,
        onboarded.site_id,
        22.0,
    )


async def test_the_charger_is_retried_after_a_server_failure(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.fail_next(ONBOARD, status=502)
    [added] = await client.async_add_assets(onboarded.site_id, second_charger(onboard_request()))
    assert added.asset_created is True
    assert count(axle_simulator, ONBOARD) == 3  # the first onboard, the failure, the retry


async def test_a_charger_of_another_site_is_a_conflict(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    await client.async_onboard(onboard_request(mpan=OTHER_MPAN, external_id=SECOND_ID))

    with pytest.raises(AxleConflictError) as err:
        await client.async_add_assets(onboarded.site_id, second_charger(onboard_request()))
    assert err.value.status == 409
    assert set(axle_simulator.sites[MPAN].assets) == {EXTERNAL_ID}
    check_sent_onboards(axle_simulator)


async def test_chargers_put_on_another_site_are_reported(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    # The MPAN sent is not the onboarded site's: Axle makes (or finds) another site.
    elsewhere = second_charger(onboard_request(mpan=OTHER_MPAN))

    with pytest.raises(AxleSiteMismatchError) as err:
        await client.async_add_assets(onboarded.site_id, elsewhere)
    assert isinstance(err.value, AxleError)
    assert err.value.expected_site_id == onboarded.site_id
    assert err.value.site_id == axle_simulator.sites[OTHER_MPAN].site_id
    assert err.value.site_id != onboarded.site_id
    assert set(axle_simulator.sites[OTHER_MPAN].assets) == {SECOND_ID}


async def test_removing_one_charger_leaves_the_other(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    [added] = await client.async_add_assets(onboarded.site_id, second_charger(onboard_request()))
    first_id = onboarded.asset_ids[EXTERNAL_ID]

    assert await client.async_delete_asset(first_id) == AssetRemoval(
        asset_id=first_id, deleted=True
    )
    [sent] = axle_simulator.requests_to(f"/entities/asset/{first_id}")
    assert (sent.method, sent.body) == ("DELETE", None)
    assert set(axle_simulator.sites[MPAN].assets) == {SECOND_ID}
    with pytest.raises(AxleNotFoundError):
        await client.async_get_asset(first_id)
    with pytest.raises(AxleNotFoundError):
        await client.async_send_plug_in_schedule(first_id, night_schedule())

    # The other charger is still enrolled and scheduled.
    assert len(await client.async_send_plug_in_schedule(added.asset_id, night_schedule())) == 2

    # Gone already (a repeat, or never ours): not an error for a removal.
    assert await client.async_delete_asset(first_id) == AssetRemoval(
        asset_id=first_id, deleted=False
    )
    assert await client.async_delete_asset(UNKNOWN_ID) == AssetRemoval(
        asset_id=UNKNOWN_ID, deleted=False
    )


async def test_deleting_is_retried_and_failures_are_typed(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    asset_id = onboarded.asset_ids[EXTERNAL_ID]
    axle_simulator.fail_next("/entities/asset/", status=500, count=3)
    with pytest.raises(AxleServerError):
        await client.async_delete_asset(asset_id)
    assert count(axle_simulator, f"/entities/asset/{asset_id}") == 3
    assert axle_simulator.sites[MPAN].assets

    # One 5xx is retried, and the retry deletes it.
    axle_simulator.fail_next("/entities/asset/", status=503)
    removal = await client.async_delete_asset(asset_id)
    assert removal.deleted is True
    assert axle_simulator.sites[MPAN].assets == {}

    with pytest.raises(AxleValidationError) as err:
        await client.async_delete_asset("not-a-uuid")
    assert err.value.status == 422
    with pytest.raises(ValueError, match="asset_id"):
        await client.async_delete_asset("")


async def test_offboard_removes_every_charger(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    [added] = await client.async_add_assets(onboarded.site_id, second_charger(onboard_request()))
    response = await client.async_offboard(onboarded.site_id)
    assert response.site_id == onboarded.site_id
    for asset_id in (onboarded.asset_ids[EXTERNAL_ID], added.asset_id):
        with pytest.raises(AxleNotFoundError):
            await client.async_get_asset(asset_id)

    # A site whose chargers were all removed one by one can still be offboarded.
    again = await client.async_onboard(onboard_request())
    await client.async_delete_asset(again.asset_ids[EXTERNAL_ID])
    assert (await client.async_offboard(again.site_id)).site_id == again.site_id
    assert axle_simulator.sites == {}
