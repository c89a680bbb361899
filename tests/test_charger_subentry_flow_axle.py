"""Axle refusing or failing while a charger is added with "Add charger": the home is left as it was.

Each refusal of the onboarding is a form error on the step to put right (or an abort: the charger
not eligible, the home no longer participating), and the user goes on from there; Axle unreachable
while the route or the model is checked keeps the form shown; a site Axle answers with that is not
the home's, or a saved address the client refuses, is said and saves nothing. The home (version 2,
its first charger a subentry) talks to the simulator over loopback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.subentries import charger_subentries
from tests.flows import FIRST_EXTERNAL_ID, home_entry, onboard_bodies, start_add_charger, submit
from tests.plugins.flows import SCHEDULE_INPUT, SECOND_INPUT, reach_schedule
from tests.plugins.integration import MPAN
from tools.axle_simulator.state import DEFAULT_USERNAME, LIMITED_PAUSE

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

pytestmark = pytest.mark.usefixtures("home_charger_entities")


def site_assets(simulator: AxleSimulator, mpan: str = MPAN) -> set[str]:
    """The external ids of the chargers on the home's site at Axle."""
    return set(simulator.sites[mpan].assets)


@pytest.mark.parametrize(
    ("fault", "step_id", "error"),
    [
        ({"status": 503}, "schedule", {"base": "cannot_connect"}),
        ({"kind": "timeout"}, "schedule", {"base": "cannot_connect"}),
        # Twice: the client logs in afresh after a 401 and tries once more.
        ({"status": 401, "count": 2}, "schedule", {"base": "invalid_auth"}),
        ({"status": 403}, "schedule", {"base": "forbidden"}),
        ({"status": 400}, "schedule", {"base": "invalid_site_details"}),
        ({"status": 409}, "charger", {"base": "asset_conflict"}),
        ({"status": 404}, "charger_details", {const.CONF_ASSET_MODEL: "unknown_asset_model"}),
        ({"status": 418}, "schedule", {"base": "unknown"}),
    ],
)
async def test_axle_refusals_are_form_errors_and_change_nothing(
    hass: HomeAssistant,
    house: ConfigEntry,
    axle_simulator: AxleSimulator,
    fault: dict[str, Any],
    step_id: str,
    error: dict[str, str],
) -> None:
    """Each refusal shows its step again with the error; the home and Axle's site are as before."""
    result = await reach_schedule(hass, house)
    axle_simulator.fail_next("/entities/site/onboard", **fault)
    result = await submit(hass, result, SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == step_id
    assert result["errors"] == error
    assert len(charger_subentries(house)) == 1
    assert site_assets(axle_simulator) == {FIRST_EXTERNAL_ID}
    # The user goes on from the form shown, and the charger is added once Axle takes it.
    if step_id == "charger":
        result = await submit(hass, result, SECOND_INPUT)
    if result["step_id"] == "charger_details":
        result = await submit(hass, result, {})
    result = await submit(hass, result, SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(charger_subentries(house)) == 2
    assert len(site_assets(axle_simulator)) == 2


async def test_unknown_model_is_shown_on_the_field_before_anything_is_sent(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """Axle's eligibility check knows no such model: the details form says so."""
    result = await submit(hass, await start_add_charger(hass, house), SECOND_INPUT)
    result = await submit(hass, result, {const.CONF_ASSET_MODEL: "no-such-model"})
    assert result["step_id"] == "charger_details"
    assert result["errors"] == {const.CONF_ASSET_MODEL: "unknown_asset_model"}
    assert onboard_bodies(axle_simulator) == []


async def test_axle_down_before_the_details_keeps_the_charger_form(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """The route (CoP11 or not) needs Axle: when it cannot be asked, the charger form stays."""
    axle_simulator.fail_next("/check-eligibility", status=503)
    result = await submit(hass, await start_add_charger(hass, house), SECOND_INPUT)
    assert result["step_id"] == "charger"
    assert result["errors"] == {"base": "cannot_connect"}
    result = await submit(hass, result, SECOND_INPUT)
    assert result["step_id"] == "charger_details"


async def test_site_mismatch_is_an_error_and_nothing_is_saved(
    hass: HomeAssistant, house: ConfigEntry
) -> None:
    """Axle answered with another site than the home's: nothing is saved in Home Assistant."""
    hass.config_entries.async_update_entry(
        house, data={**house.data, const.CONF_SITE_ID: "site-that-moved"}
    )
    result = await submit(hass, await reach_schedule(hass, house), SCHEDULE_INPUT)
    assert result["step_id"] == "schedule"
    assert result["errors"] == {"base": "site_mismatch"}
    assert len(charger_subentries(house)) == 1


async def test_home_not_participating_aborts(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """Participation off: adding a charger would enrol the home again, so the flow stops."""
    axle_simulator.unenrol(DEFAULT_USERNAME, house.data[const.CONF_SITE_ID], LIMITED_PAUSE)
    result = await submit(hass, await reach_schedule(hass, house), SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "home_not_participating"
    assert len(charger_subentries(house)) == 1
    assert site_assets(axle_simulator) == {FIRST_EXTERNAL_ID}


async def test_unusable_saved_address_is_a_form_error(
    hass: HomeAssistant, axle_simulator: AxleSimulator
) -> None:
    """A custom address the client refuses (plain http to another host) is said, not raised."""
    entry = home_entry(axle_simulator, "http://axle.example.net")
    entry.add_to_hass(hass)
    result = await submit(hass, await start_add_charger(hass, entry), SECOND_INPUT)
    assert result["step_id"] == "charger"
    assert result["errors"] == {"base": "invalid_base_url"}


async def test_not_eligible_aborts_with_axles_reason(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """Axle refuses the charger outright: its reason is shown and nothing is saved."""
    result = await reach_schedule(hass, house)
    axle_simulator.fail_next(
        "/entities/site/onboard", status=422, detail="Charger cannot join this programme"
    )
    result = await submit(hass, result, SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_eligible"
    assert result["description_placeholders"] == {"reason": "Charger cannot join this programme"}
    assert len(charger_subentries(house)) == 1


async def test_axle_down_while_checking_the_model_stays_on_the_details(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """The model's check fails for want of Axle: the details form says so and keeps the model."""
    result = await submit(hass, await start_add_charger(hass, house), SECOND_INPUT)
    axle_simulator.fail_next("/check-eligibility", status=503)
    result = await submit(hass, result, {const.CONF_ASSET_MODEL: "zappi"})
    assert result["step_id"] == "charger_details"
    assert result["errors"] == {"base": "cannot_connect"}
    result = await submit(hass, result, {const.CONF_ASSET_MODEL: "zappi"})
    assert result["step_id"] == "schedule"
