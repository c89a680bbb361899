"""Tests of the set-up flow when Axle refuses the onboarding it ends with: bad home details, a
charger Axle already has, failures to retry, a home it will not take, and rejoining after
leaving."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.axle_flex_lite import const
from tests.flows import (
    CHARGER_INPUT,
    CONSENT_AT,
    CONSENT_TIME,
    EXPECTED_OPTIONS,
    SITE_INPUT,
    Refusal,
    charger_settings,
    onboard_bodies,
    reach_schedule,
    submit,
    submit_schedule,
    suggested_values,
    withdraw,
)
from tests.plugins.integration import MPAN

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

# The created entry is not set up: these tests are about the flow only (and all fill in the
# charger step).
pytestmark = pytest.mark.usefixtures("charger_entities", "mock_setup_entry")


async def test_bad_site_details_go_back_to_the_home_step(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Axle's 400 shows the home form again; fixing it onboards without any other step."""
    freezer.move_to(CONSENT_TIME)
    result = await reach_schedule(hass, axle_base_url)
    axle_simulator.fail_next("/entities/site/onboard", status=400, detail="Invalid email")
    result = await submit_schedule(hass, result)
    assert result["step_id"] == "site"
    assert result["errors"] == {"base": "invalid_site_details"}
    suggested = suggested_values(result)
    assert suggested == SITE_INPUT

    freezer.tick(90)
    result = await submit(hass, result, {**SITE_INPUT, const.CONF_EMAIL: "home@example.org"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    first, second = onboard_bodies(axle_simulator)
    assert first["assets"] == second["assets"]
    assert second["site"]["email"] == "home@example.org"
    # Correcting the details keeps the consent given a moment ago.
    assert second["site"]["gave_boundary_meter_consent_at"] == CONSENT_AT
    assert result["data"][const.CONF_CONSENT_AT] == CONSENT_AT
    assert charger_settings(result) == EXPECTED_OPTIONS


async def test_asset_conflict_goes_back_to_the_charger_step(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Axle's 409 shows the charger form again; submitting it onboards again."""
    result = await reach_schedule(hass, axle_base_url)
    axle_simulator.fail_next("/entities/site/onboard", status=409)
    result = await submit_schedule(hass, result)
    assert result["step_id"] == "charger"
    assert result["errors"] == {"base": "asset_conflict"}

    result = await submit(hass, result, {**CHARGER_INPUT, const.CONF_POWER_KW: 11})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert charger_settings(result)[const.CONF_POWER_KW] == 11.0
    first, second = onboard_bodies(axle_simulator)
    assert first["assets"][0]["external_id"] == second["assets"][0]["external_id"]
    assert second["assets"][0]["properties"] == {"power_kw": 11.0}


@pytest.mark.parametrize(
    "refusal",
    [
        Refusal({"status": 500}, "cannot_connect"),
        Refusal({"status": 503}, "cannot_connect"),
        Refusal({"kind": "missing_fields"}, "cannot_connect"),
        Refusal({"status": 401, "count": 2}, "invalid_auth"),
        Refusal({"status": 403}, "forbidden"),
        Refusal(
            {
                "status": 422,
                "detail": [{"loc": ["body", "site", "mpan"], "msg": "bad", "type": "string_type"}],
            },
            "unknown",
        ),
    ],
    ids=lambda refusal: refusal.error,
)
async def test_onboard_failures_stay_on_the_schedule_step(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    refusal: Refusal,
) -> None:
    """When Axle cannot take the onboarding, submitting the schedule again retries it as is."""
    result = await reach_schedule(hass, axle_base_url)
    refusal.arm(axle_simulator, "/entities/site/onboard")
    result = await submit_schedule(hass, result)
    assert result["step_id"] == "schedule"
    assert result["errors"] == {"base": refusal.error}

    result = await submit_schedule(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    bodies = onboard_bodies(axle_simulator)
    assert all(body == bodies[-1] for body in bodies)
    assert charger_settings(result) == EXPECTED_OPTIONS


async def test_ineligible_site_aborts_with_axles_reason(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """A site Axle will not take ends the flow and says why."""
    axle_simulator.mark_ineligible(MPAN, reason="no smart meter found")
    result = await submit_schedule(hass, await reach_schedule(hass, axle_base_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_eligible"
    assert result["description_placeholders"] == {
        "reason": "Site is not eligible for limited_pause: no smart meter found"
    }
    assert hass.config_entries.async_entries(const.DOMAIN) == []


async def test_rejoin_after_withdrawal(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """A home that left Flex Lite is asked to confirm, then joins again with an override."""
    withdraw(axle_simulator)
    result = await submit_schedule(hass, await reach_schedule(hass, axle_base_url))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "rejoin"
    assert not result["errors"]

    axle_simulator.fail_next("/entities/site/onboard", status=502)
    result = await submit(hass, result, {})
    assert result["step_id"] == "rejoin"
    assert result["errors"] == {"base": "cannot_connect"}

    result = await submit(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [body["override_withdrawal"] for body in onboard_bodies(axle_simulator)] == [
        False,
        True,
        True,
    ]
    assert "limited_pause" in axle_simulator.sites[MPAN].enrolled
    assert result["data"][const.CONF_SITE_ID] == axle_simulator.sites[MPAN].site_id


async def test_rejoin_refused_again_aborts(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """If Axle still refuses after the override, the flow ends instead of asking again."""
    withdraw(axle_simulator)
    result = await submit_schedule(hass, await reach_schedule(hass, axle_base_url))
    assert result["step_id"] == "rejoin"
    detail = "Site previously withdrew from limited_pause; contact Axle support"
    axle_simulator.fail_next("/entities/site/onboard", status=422, detail=detail)
    result = await submit(hass, result, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_eligible"
    assert result["description_placeholders"] == {"reason": detail}
