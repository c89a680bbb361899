"""The Axle client's eligibility calls: the asset's CoP11 details, the eligibility check of a
meter or a site, and the meter search by postcode or address.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite.api.eligibility import PropositionEligibility
from custom_components.axle_flex_lite.api.exceptions import AxleNotFoundError, AxleValidationError
from custom_components.axle_flex_lite.api.models import AssetDetails, OnboardRequest
from tests import api_helpers
from tests.api_helpers import UNKNOWN_ID, onboard_request
from tests.api_site import EXTERNAL_ID, MPAN

if TYPE_CHECKING:
    from custom_components.axle_flex_lite.api.client import AxleClient
    from custom_components.axle_flex_lite.api.models import OnboardResponse
    from tools.axle_simulator import AxleSimulator

# The client tests' fixtures (an aiohttp session, a client for the simulator, a site onboarded).
session, make_client, client, onboarded = api_helpers.FIXTURES


async def test_installation_date_travels_in_onboard(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    axle_simulator.set_meter(MPAN, half_hourly_settled=False)
    request = onboard_request()
    cop11 = OnboardRequest(
        site=request.site,
        assets=(
            AssetDetails(
                external_id=EXTERNAL_ID,
                asset_model="zappi",
                installation_date=date(2024, 3, 1),
            ),
        ),
    )
    await client.async_onboard(cop11)
    sent = axle_simulator.requests_to("/onboard")[-1].body
    assert sent["assets"][0]["installation_date"] == "2024-03-01"
    assert sent["assets"][0]["asset_model"] == "zappi"
    eligibility = await client.async_get_site_eligibility(axle_simulator.sites[MPAN].site_id)
    assert eligibility.is_eligible()
    assert eligibility.issues() == ()
    assert eligibility.is_half_hourly_settled is False
    assert eligibility.has_meter_consent is True


async def test_check_eligibility(client: AxleClient, axle_simulator: AxleSimulator) -> None:
    settled = await client.async_check_eligibility(MPAN)
    assert settled.is_half_hourly_settled is True
    verdict = settled.for_proposition()
    assert verdict is not None
    assert (verdict.is_eligible, verdict.issues) == (True, ())
    assert axle_simulator.requests_to("/check-eligibility")[-1].body == {"mpan": MPAN}

    axle_simulator.set_meter(MPAN, half_hourly_settled=False)
    unset = (await client.async_check_eligibility(MPAN)).for_proposition()
    assert unset is not None
    assert (unset.is_eligible, unset.issues) == (False, ("asset_model_not_set",))
    old = (await client.async_check_eligibility(MPAN, "legacy_charger_v0")).for_proposition()
    assert old is not None
    assert old.issues == ("asset_model_not_cop11_qualified",)
    good = await client.async_check_eligibility(MPAN, "zappi")
    assert good.is_half_hourly_settled is False
    assert good.for_proposition() == PropositionEligibility(
        proposition="limited_pause", is_eligible=True, issues=()
    )
    assert axle_simulator.requests_to("/check-eligibility")[-1].body == {
        "mpan": MPAN,
        "asset_model": "zappi",
    }

    axle_simulator.set_meter(MPAN, domestic=False)
    shop = (await client.async_check_eligibility(MPAN, "zappi")).for_proposition()
    assert shop is not None
    assert shop.issues == ("non_domestic_site",)


async def test_site_eligibility_names_the_issue(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.set_meter(MPAN, half_hourly_settled=False)
    eligibility = await client.async_get_site_eligibility(onboarded.site_id)
    assert not eligibility.is_eligible()
    assert eligibility.issues() == ("asset_installation_date_not_set",)
    assert eligibility.assets[0].external_id == EXTERNAL_ID
    with pytest.raises(AxleNotFoundError):
        await client.async_get_site_eligibility(UNKNOWN_ID)


async def test_meter_search(client: AxleClient, axle_simulator: AxleSimulator) -> None:
    found = await client.async_search_meters("ct12eh", "4")
    assert [item.address for item in found] == ["4 Sample Lane, Canterbury, CT1 2EH"]
    assert axle_simulator.requests_to("/meter/search")[-1].query == {
        "postcode": "ct12eh",
        "building_identifier": "4",
    }
    meter = await client.async_get_meter_by_ref(found[0].ref)
    assert (meter.mpan, meter.half_hourly_settled) == (MPAN, True)
    assert MPAN not in repr(meter)
    assert found[0].address not in repr(found[0])

    flats = await client.async_search_meters("CT2 7NZ", "10")
    assert len(flats) == 2
    assert await client.async_search_meters("CT1 2EH", "99") == ()
    # Axle answers 422 for a postcode with no meter at all: no result either.
    assert await client.async_search_meters("ZZ9 9ZZ") == ()
    with pytest.raises(AxleValidationError):
        await client.async_get_meter_by_ref("mref-unknown")


async def test_meter_by_address(client: AxleClient) -> None:
    meter = await client.async_get_meter_by_address("4 Sample Lane, Canterbury, CT1 2EH")
    assert meter is not None
    assert meter.mpan == MPAN
    assert await client.async_get_meter_by_address("99 Nowhere Road, CT1 2EH") is None
