"""The config flow's eligibility, CoP11 charger details and MPAN look-up steps, and Axle's 4xx.

Axle is the simulator over loopback: its meter table decides eligibility (see its README).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.axle_flex_lite import const
from tests.flows import (
    CHARGER_INPUT,
    NON_DOMESTIC,
    NOT_SETTLED,
    SITE_INPUT,
    charger_settings,
    finish_from_eligibility,
    onboard_bodies,
    reach_schedule,
    start_setup,
    submit,
    submit_schedule,
    user_input,
    withdraw,
)
from tests.plugins.integration import MPAN

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

pytestmark = pytest.mark.usefixtures("charger_entities", "mock_setup_entry")


async def reach_site(hass: HomeAssistant, base_url: str) -> Any:
    result = await submit(hass, await start_setup(hass), user_input(base_url))
    assert result["step_id"] == "site"
    return result


def check_requests(simulator: AxleSimulator) -> list[dict[str, Any]]:
    return [request.body for request in simulator.requests_to("/check-eligibility")]


async def test_not_settled_home_with_a_cop11_charger(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The model and the installation date are asked, checked with Axle and sent in onboard."""
    freezer.move_to("2026-11-25T12:00:00+00:00")
    result = await submit(
        hass, await reach_site(hass, axle_base_url), {**SITE_INPUT, const.CONF_MPAN: NOT_SETTLED}
    )
    assert result["step_id"] == "eligibility_cop11"
    assert result["description_placeholders"] == {"propositions": "-"}
    result = await submit(hass, result, {})
    result = await submit(hass, result, CHARGER_INPUT)
    assert result["step_id"] == "charger_details"
    assert list(result["data_schema"].schema) == [
        const.CONF_ASSET_MODEL,
        const.CONF_INSTALLATION_DATE,
    ]

    # A date to come is refused before Axle is asked.
    result = await submit(
        hass, result, {const.CONF_ASSET_MODEL: "zappi", const.CONF_INSTALLATION_DATE: "2027-01-01"}
    )
    assert result["errors"] == {const.CONF_INSTALLATION_DATE: "date_in_future"}
    # A model Axle does not know is shown on its field.
    result = await submit(
        hass,
        result,
        {const.CONF_ASSET_MODEL: "mystery", const.CONF_INSTALLATION_DATE: "2024-03-01"},
    )
    assert result["errors"] == {const.CONF_ASSET_MODEL: "unknown_asset_model"}

    result = await submit(
        hass, result, {const.CONF_ASSET_MODEL: "zappi", const.CONF_INSTALLATION_DATE: "2024-03-01"}
    )
    assert result["step_id"] == "schedule"
    assert check_requests(axle_simulator) == [
        {"mpan": NOT_SETTLED},
        {"mpan": NOT_SETTLED, "asset_model": "mystery"},
        {"mpan": NOT_SETTLED, "asset_model": "zappi"},
    ]
    result = await submit_schedule(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert charger_settings(result)[const.CONF_ASSET_MODEL] == "zappi"
    assert charger_settings(result)[const.CONF_INSTALLATION_DATE] == "2024-03-01"
    (body,) = onboard_bodies(axle_simulator)
    assert body["assets"][0]["asset_model"] == "zappi"
    assert body["assets"][0]["installation_date"] == "2024-03-01"
    assert "limited_pause" in axle_simulator.sites[NOT_SETTLED].enrolled


@pytest.mark.parametrize(
    ("model", "reason"),
    [("legacy_charger_v0", "charger_not_qualified"), ("", "cop11_charger_required")],
)
async def test_not_settled_home_without_a_known_model(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    model: str,
    reason: str,
) -> None:
    """A clear refusal, and nothing is onboarded."""
    result = await submit(
        hass, await reach_site(hass, axle_base_url), {**SITE_INPUT, const.CONF_MPAN: NOT_SETTLED}
    )
    result = await submit(hass, result, {})
    result = await submit(hass, result, CHARGER_INPUT)
    result = await submit(
        hass, result, {const.CONF_ASSET_MODEL: model, const.CONF_INSTALLATION_DATE: "2024-03-01"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert onboard_bodies(axle_simulator) == []
    assert axle_simulator.sites == {}


async def test_non_domestic_site_cannot_join(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    result = await submit(
        hass, await reach_site(hass, axle_base_url), {**SITE_INPUT, const.CONF_MPAN: NON_DOMESTIC}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "non_domestic_site"
    assert onboard_bodies(axle_simulator) == []


async def test_eligibility_check_failures_stay_on_the_home_step(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    result = await reach_site(hass, axle_base_url)
    axle_simulator.fail_next("/check-eligibility", status=503)
    result = await submit(hass, result, SITE_INPUT)
    assert result["step_id"] == "site"
    assert result["errors"] == {"base": "cannot_connect"}
    axle_simulator.fail_next("/check-eligibility", status=403)
    result = await submit(hass, result, SITE_INPUT)
    assert result["errors"] == {"base": "forbidden"}
    result = await submit(hass, result, SITE_INPUT)
    assert result["step_id"] == "eligibility"


async def test_mpan_found_from_the_postcode(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Empty MPAN -> search -> pick the address -> the home form is filled in."""
    result = await reach_site(hass, axle_base_url)
    result = await submit(
        hass, result, {**SITE_INPUT, const.CONF_MPAN: "", const.CONF_STREET_ADDRESS: ""}
    )
    assert result["step_id"] == "find_mpan"
    result = await submit(hass, result, {const.CONF_POSTCODE: "ct1 2eh", const.CONF_BUILDING: "4"})
    assert result["step_id"] == "pick_address"
    (option,) = result["data_schema"].schema[const.CONF_METER].config["options"]
    assert option == {"value": "0", "label": "4 Sample Lane, Canterbury, CT1 2EH"}
    result = await submit(hass, result, {const.CONF_METER: "0"})
    assert result["step_id"] == "site"
    suggested = {
        str(marker): (marker.description or {}).get("suggested_value")
        for marker in result["data_schema"].schema
    }
    assert suggested[const.CONF_MPAN] == MPAN
    assert suggested[const.CONF_STREET_ADDRESS] == "4 Sample Lane"
    assert suggested[const.CONF_POSTCODE] == "CT1 2EH"
    result = await submit(
        hass,
        result,
        {**SITE_INPUT, const.CONF_MPAN: MPAN, const.CONF_STREET_ADDRESS: "4 Sample Lane"},
    )
    assert result["step_id"] == "eligibility"
    result = await finish_from_eligibility(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][const.CONF_MPAN] == MPAN
    assert axle_simulator.requests_to("/meter/search")[0].query == {
        "postcode": "ct1 2eh",
        "building_identifier": "4",
    }


async def test_no_meter_and_several_meters(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    result = await reach_site(hass, axle_base_url)
    # The frontend leaves an empty field out of what it sends.
    result = await submit(
        hass, result, {k: v for k, v in SITE_INPUT.items() if k != const.CONF_MPAN}
    )
    assert result["step_id"] == "find_mpan"
    for search in (
        {const.CONF_POSTCODE: "CT1 2EH", const.CONF_BUILDING: "99"},
        {const.CONF_POSTCODE: "ZZ9 9ZZ"},
    ):
        result = await submit(hass, result, search)
        assert result["step_id"] == "find_mpan"
        assert result["errors"] == {"base": "no_meter_found"}
    axle_simulator.fail_next("/meter/search", status=504)
    result = await submit(hass, result, {const.CONF_POSTCODE: "CT2 7NZ", const.CONF_BUILDING: "10"})
    assert result["errors"] == {"base": "cannot_connect"}

    result = await submit(hass, result, {const.CONF_POSTCODE: "CT2 7NZ", const.CONF_BUILDING: "10"})
    assert result["step_id"] == "pick_address_several"
    assert result["description_placeholders"] == {"count": "2"}
    labels = [
        option["label"]
        for option in result["data_schema"].schema[const.CONF_METER].config["options"]
    ]
    assert labels == [
        "Flat 1, 10 Mill Row, Canterbury, CT2 7NZ",
        "Flat 2, 10 Mill Row, Canterbury, CT2 7NZ",
    ]
    result = await submit(hass, result, {const.CONF_METER: "1"})
    suggested = {
        str(marker): (marker.description or {}).get("suggested_value")
        for marker in result["data_schema"].schema
    }
    assert suggested[const.CONF_MPAN] == "1900000000306"
    assert suggested[const.CONF_STREET_ADDRESS] == "Flat 2, 10 Mill Row"
    assert suggested[const.CONF_POSTCODE] == "CT2 7NZ"


@pytest.mark.parametrize("shape", ["string", "list", "object"])
async def test_refusals_of_every_shape(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str, shape: str
) -> None:
    """A refusal ends the flow with Axle's reason; a withdrawal offers to rejoin, in any shape."""
    axle_simulator.refusal_shape = shape  # type: ignore[assignment]
    axle_simulator.mark_ineligible(MPAN, "asset_model_not_cop11_qualified")
    result = await submit_schedule(hass, await reach_schedule(hass, axle_base_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_eligible"
    assert "asset_model_not_cop11_qualified" in result["description_placeholders"]["reason"]

    axle_simulator.ineligible.clear()
    withdraw(axle_simulator)
    result = await submit_schedule(hass, await reach_schedule(hass, axle_base_url))
    assert result["step_id"] == "rejoin"
    result = await submit(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert onboard_bodies(axle_simulator)[-1]["override_withdrawal"] is True


async def test_unknown_model_at_onboard_goes_to_the_model_field(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Axle's 404 on onboard names the charger model: its form is shown again."""
    result = await reach_schedule(hass, axle_base_url)
    axle_simulator.fail_next("/entities/site/onboard", status=404, detail="Asset model not found")
    result = await submit_schedule(hass, result)
    assert result["step_id"] == "charger_details"
    assert result["errors"] == {const.CONF_ASSET_MODEL: "unknown_asset_model"}
    result = await submit(hass, result, {const.CONF_ASSET_MODEL: "axle_charger_v1"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert onboard_bodies(axle_simulator)[-1]["assets"][0]["asset_model"] == "axle_charger_v1"


async def test_unexpected_error_is_unknown_and_logged(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = await reach_schedule(hass, axle_base_url)
    with (
        caplog.at_level(logging.ERROR),
        patch(
            "custom_components.axle_flex_lite.config_flow.async_onboard",
            side_effect=RuntimeError("bug"),
        ),
    ):
        result = await submit_schedule(hass, result)
    assert result["step_id"] == "schedule"
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while onboarding" in caplog.text
    assert "Traceback" in caplog.text
    result = await submit_schedule(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
