"""Tests of the charger subentry flow's "Add charger": a home's second charger and its steps.

A home of version 2 (the home in the entry, its first charger a subentry) talks to the simulator
over loopback; adding a charger adds an asset to the home's site there. The steps: the charger
(named after a picked device, none of whose entities another charger drives), its details (the
profile's model offered; a home not half-hourly settled also gives the installation date, and a
model that does not qualify stops the flow), its schedule. The forms serialise for the frontend;
on a set-up home the new charger runs at once beside the first. Axle refusing or failing while a
charger is added: test_charger_subentry_flow_axle.py; a charger's reconfigure:
test_charger_reconfigure.py.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.config_flow import AxleFlexLiteConfigFlow
from custom_components.axle_flex_lite.subentries import charger_subentries
from tests.flows import (
    FIRST_CHARGER,
    FIRST_EXTERNAL_ID,
    NOT_SETTLED,
    home_entry,
    onboard_bodies,
    shown_values,
    start_add_charger,
    submit,
)
from tests.plugins.flows import SCHEDULE_INPUT, SECOND_INPUT, reach_schedule
from tests.plugins.integration import ENTRY_ID, EXTERNAL_ID, MPAN, PLUG_2, SWITCH_2

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from tests.plugins.chargers import SimChargers
    from tests.plugins.home import Home
    from tools.axle_simulator import AxleSimulator

pytestmark = pytest.mark.usefixtures("home_charger_entities")


@pytest.fixture
def unsettled_house(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> ConfigEntry:
    """A home whose meter is not half-hourly settled (its first charger a CoP11 zappi)."""
    entry = home_entry(axle_simulator, axle_base_url, mpan=NOT_SETTLED, model="zappi")
    entry.add_to_hass(hass)
    return entry


def charger_data(entry: ConfigEntry) -> list[dict[str, Any]]:
    """The data of the home's chargers, in order."""
    return [dict(subentry.data) for subentry in charger_subentries(entry)]


async def test_add_a_second_charger(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """The new charger goes to the home's site at Axle, and into a subentry of its own."""
    before = charger_data(house)
    result = await submit(hass, await reach_schedule(hass, house), SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY

    chargers = charger_subentries(house)
    assert len(chargers) == 2
    assert dict(chargers[0].data) == before[0]
    added = chargers[1]
    external_id = added.data[const.CONF_EXTERNAL_ID]
    assert re.fullmatch(r"ha-[0-9a-f]{32}", external_id)
    assert added.unique_id == external_id
    assert added.title == "Garage plug"
    site = axle_simulator.sites[MPAN]
    assert set(site.assets) == {FIRST_EXTERNAL_ID, external_id}
    assert dict(added.data) == {
        const.CONF_PLUG_ENTITY: "binary_sensor.garage_plug",
        const.CONF_CONTROL_KIND: "switch",
        const.CONF_SWITCH_ENTITY: "switch.garage_charger",
        const.CONF_POWER_KW: 11.0,
        const.CONF_COMMAND_LATENCY: 30,
        const.CONF_UNPLUG_SETTLE: 60,
        const.CONF_WINDOW_START: "00:30:00",
        const.CONF_WINDOW_END: "07:00:00",
        const.CONF_CONTROL_MODE: "full_schedule",
        const.CONF_ASSET_ID: site.assets[external_id].asset_id,
        const.CONF_EXTERNAL_ID: external_id,
        const.CONF_KEY_PREFIX: f"{ENTRY_ID}_{external_id}",
    }
    # Onboard with the site as saved and only the new charger: the first one is left alone.
    (body,) = onboard_bodies(axle_simulator)
    assert body["site"]["mpan"] == MPAN
    assert body["override_withdrawal"] is False
    assert [asset["external_id"] for asset in body["assets"]] == [external_id]
    assert body["assets"][0]["properties"] == {"power_kw": 11.0}
    # The home itself is untouched.
    assert dict(house.options) == {}
    assert house.data[const.CONF_SITE_ID] == site.site_id


async def test_a_device_names_the_charger_and_its_profile_model_is_offered(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """Picked as a device, the charger is named after it; its model is checked with Axle."""
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=house.entry_id, identifiers={("test", "garage")}, name="Garage zappi"
    )
    result = await submit(
        hass,
        await start_add_charger(hass, house),
        {**SECOND_INPUT, const.CONF_CHARGER_DEVICE: device.id},
    )
    # An unknown device fills nothing in: the form comes back to be checked.
    assert result["step_id"] == "charger"
    result = await submit(hass, result, {**SECOND_INPUT, const.CONF_CHARGER_DEVICE: device.id})
    result = await submit(hass, result, {const.CONF_ASSET_MODEL: "zappi"})
    result = await submit(hass, result, SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    added = charger_subentries(house)[1]
    assert added.title == "Garage zappi"
    assert added.data[const.CONF_ASSET_MODEL] == "zappi"
    assert onboard_bodies(axle_simulator)[0]["assets"][0]["asset_model"] == "zappi"


async def test_a_profiles_model_is_offered_on_the_details_form(
    hass: HomeAssistant, house: ConfigEntry, sim_chargers: SimChargers
) -> None:
    """A device a profile knows fills in the charger form and offers the profile's Axle model."""
    zappi = await sim_chargers.add("zappi")
    result = await submit(
        hass, await start_add_charger(hass, house), {const.CONF_CHARGER_DEVICE: zappi.device_id}
    )
    assert result["step_id"] == "charger"
    shown = shown_values(result)
    assert const.CONF_ASSET_MODEL not in shown  # not a field of the charger form
    result = await submit(hass, result, shown)
    assert result["step_id"] == "charger_details", result["errors"]
    assert shown_values(result) == {const.CONF_ASSET_MODEL: "zappi"}


async def test_cop11_home_asks_for_the_installation_date(
    hass: HomeAssistant, unsettled_house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """A home whose meter is not half-hourly settled needs the model and date, as at set-up."""
    result = await submit(hass, await start_add_charger(hass, unsettled_house), SECOND_INPUT)
    assert result["step_id"] == "charger_details"
    assert set(result["data_schema"].schema) == {
        const.CONF_ASSET_MODEL,
        const.CONF_INSTALLATION_DATE,
    }
    result = await submit(
        hass, result, {const.CONF_ASSET_MODEL: "zappi", const.CONF_INSTALLATION_DATE: "2099-01-01"}
    )
    assert result["errors"] == {const.CONF_INSTALLATION_DATE: "date_in_future"}
    result = await submit(
        hass, result, {const.CONF_ASSET_MODEL: "zappi", const.CONF_INSTALLATION_DATE: "2025-03-01"}
    )
    result = await submit(hass, result, SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    added = charger_subentries(unsettled_house)[1]
    assert added.data[const.CONF_INSTALLATION_DATE] == "2025-03-01"
    assert onboard_bodies(axle_simulator)[0]["assets"][0]["installation_date"] == "2025-03-01"


async def test_cop11_home_with_an_unqualified_model_aborts_before_axle_is_changed(
    hass: HomeAssistant, unsettled_house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """Without a CoP11 model the charger cannot join: nothing is sent, nothing saved."""
    result = await submit(hass, await start_add_charger(hass, unsettled_house), SECOND_INPUT)
    result = await submit(
        hass,
        result,
        {const.CONF_ASSET_MODEL: "legacy_charger_v0", const.CONF_INSTALLATION_DATE: "2025-03-01"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "charger_not_qualified"
    assert onboard_bodies(axle_simulator) == []
    assert len(charger_subentries(unsettled_house)) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (const.CONF_SWITCH_ENTITY, "switch.drive_charger"),
        (const.CONF_PLUG_ENTITY, "binary_sensor.drive_plug"),
        (const.CONF_CURRENT_ENTITY, "number.drive_current"),
    ],
)
async def test_an_entity_of_another_charger_is_refused(
    hass: HomeAssistant,
    house: ConfigEntry,
    axle_simulator: AxleSimulator,
    field: str,
    value: str,
) -> None:
    """Two chargers driving one entity would fight: the field says so, nothing is sent."""
    result = await submit(
        hass, await start_add_charger(hass, house), {**SECOND_INPUT, field: value}
    )
    assert result["step_id"] == "charger"
    assert result["errors"] == {field: "entity_in_use"}
    assert axle_simulator.requests == []
    assert len(charger_subentries(house)) == 1


async def test_an_entity_of_an_older_entry_is_refused(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """A home not yet migrated keeps its charger in its options: its entities count too."""
    MockConfigEntry(
        domain=const.DOMAIN, unique_id="1400012345678", options={**SECOND_INPUT}
    ).add_to_hass(hass)
    result = await submit(hass, await start_add_charger(hass, house), SECOND_INPUT)
    assert result["errors"] == {
        const.CONF_PLUG_ENTITY: "entity_in_use",
        const.CONF_SWITCH_ENTITY: "entity_in_use",
    }


async def test_older_entry_offers_no_charger_to_add(
    hass: HomeAssistant, house: ConfigEntry
) -> None:
    """Only a home of version 2 takes chargers; an older entry is migrated at set-up first."""
    older = MockConfigEntry(domain=const.DOMAIN, version=1, options=FIRST_CHARGER)
    assert AxleFlexLiteConfigFlow.async_get_supported_subentry_types(older) == {}
    assert set(AxleFlexLiteConfigFlow.async_get_supported_subentry_types(house)) == {
        const.SUBENTRY_TYPE_CHARGER
    }


async def test_forms_serialise_for_the_frontend(
    hass: HomeAssistant, house: ConfigEntry, hass_client: Any
) -> None:
    """Add a charger and change it through the HTTP API, as the frontend does."""
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    url = "/api/config/config_entries/subentries/flow"
    response = await client.post(
        url, json={"handler": [house.entry_id, const.SUBENTRY_TYPE_CHARGER]}
    )
    assert response.status == 200, await response.text()
    step = await response.json()
    for step_id, answer in (
        ("charger", SECOND_INPUT),
        ("charger_details", {}),
        ("schedule", SCHEDULE_INPUT),
    ):
        assert step["step_id"] == step_id
        assert {field["name"] for field in step["data_schema"]} >= set(answer)
        response = await client.post(f"{url}/{step['flow_id']}", json=answer)
        assert response.status == 200, await response.text()
        step = await response.json()
    assert step["type"] == "create_entry"

    added = charger_subentries(house)[1]
    response = await client.post(
        url,
        json={
            "handler": [house.entry_id, const.SUBENTRY_TYPE_CHARGER],
            "subentry_id": added.subentry_id,
        },
    )
    assert response.status == 200, await response.text()
    step = await response.json()
    assert step["step_id"] == "reconfigure"
    assert {field["name"] for field in step["data_schema"]} >= {
        *SECOND_INPUT,
        *SCHEDULE_INPUT,
    }


async def test_added_charger_runs_at_once_beside_the_first(
    home: Home, entity_registry: er.EntityRegistry
) -> None:
    """On a set-up home the new charger gets its controller and entities; the first runs on."""
    entry = home.entry
    result = await submit(
        hass := home.hass,
        await start_add_charger(hass, entry),
        {
            const.CONF_PLUG_ENTITY: PLUG_2,
            const.CONF_SWITCH_ENTITY: SWITCH_2,
            const.CONF_POWER_KW: 7.4,
        },
    )
    result = await submit(hass, result, {})
    # The first charger's entities are taken: the second gets its own only.
    assert result["step_id"] == "schedule"
    result = await submit(hass, result, SCHEDULE_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    first, added = charger_subentries(entry)
    controllers = entry.runtime_data.controllers
    assert set(controllers) == {first.subentry_id, added.subentry_id}
    assert controllers[first.subentry_id] is home.controller  # no reload
    prefix = added.data[const.CONF_KEY_PREFIX]
    status = entity_registry.async_get_entity_id("sensor", const.DOMAIN, f"{prefix}_status")
    assert status is not None
    assert set(home.axle.sites[MPAN].assets) == {EXTERNAL_ID, added.unique_id}
    result = await submit(
        hass,
        await start_add_charger(hass, entry),
        {
            const.CONF_PLUG_ENTITY: PLUG_2,
            const.CONF_SWITCH_ENTITY: SWITCH_2,
            const.CONF_POWER_KW: 7.4,
        },
    )
    assert result["errors"] == {
        const.CONF_PLUG_ENTITY: "entity_in_use",
        const.CONF_SWITCH_ENTITY: "entity_in_use",
    }
