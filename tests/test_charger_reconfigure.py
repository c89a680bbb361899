"""Tests of a charger's reconfigure: its entities and schedule, changed without onboarding again.

The home has no options flow: everything it had belongs to a charger now (config subentries).
In a home of two chargers (``house`` and the one "Add charger" adds to it) a reconfigure changes
its own charger alone, keeps that charger's entities and model, and takes none of the other's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.subentries import charger_subentries
from tests.flows import (
    EXPECTED_OPTIONS,
    home_with_charger,
    shown_values,
    start_charger_reconfigure,
    submit,
    suggested_values,
)
from tests.helpers import charger_settings, update_charger
from tests.plugins.flows import SCHEDULE_INPUT, SECOND_INPUT, reach_schedule
from tests.plugins.integration import ENTRY_ID, MPAN

# The form shows the charger and the schedule; the charger model is set up with the charger (and
# checked by Axle there), so the form keeps it as it is.
FORM_OPTIONS = {
    key: value for key, value in EXPECTED_OPTIONS.items() if key != const.CONF_ASSET_MODEL
}

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator


def home(data: dict[str, Any]) -> MockConfigEntry:
    """A home whose one charger has the settings the config flow gave it."""
    return home_with_charger(data, EXPECTED_OPTIONS, title="Charger", unique_id="ha-charger")


@pytest.fixture
def entry(hass: HomeAssistant, charger_entities: None) -> MockConfigEntry:
    """A home as the config flow leaves it, not set up: the charger's reconfigure needs neither."""
    config_entry = home({const.CONF_MPAN: MPAN})
    config_entry.add_to_hass(hass)
    return config_entry


def saved(entry: MockConfigEntry) -> dict[str, Any]:
    """The home's charger settings as saved."""
    return {key: value for key, value in charger_settings(entry).items() if key != "key_prefix"}


async def test_form_shows_current_settings(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """One ``reconfigure`` step holds every charger and schedule setting, filled in as saved."""
    result = await start_charger_reconfigure(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert shown_values(result) == FORM_OPTIONS
    # The fields of the other control kinds are there, empty.
    assert suggested_values(result)[const.CONF_LOCK_ENTITY] is None


async def test_change_settings_and_clear_optional_ones(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Saved settings are exactly what was submitted: cleared optional fields disappear."""
    hass.states.async_set("binary_sensor.car_plugged", "on")
    result = await start_charger_reconfigure(hass, entry)
    result = await submit(
        hass,
        result,
        {
            const.CONF_PLUG_ENTITY: "binary_sensor.car_plugged",
            const.CONF_SWITCH_ENTITY: "switch.charger",
            const.CONF_POWER_KW: 11,
            const.CONF_WINDOW_START: "00:30",
            const.CONF_WINDOW_END: "07:00:00",
            const.CONF_CONTROL_MODE: "pause_only",
        },
    )
    assert result["reason"] == "reconfigure_successful"
    expected = {
        const.CONF_PLUG_ENTITY: "binary_sensor.car_plugged",
        const.CONF_CONTROL_KIND: "switch",
        const.CONF_COMMAND_LATENCY: 30,
        const.CONF_UNPLUG_SETTLE: 60,
        const.CONF_SWITCH_ENTITY: "switch.charger",
        const.CONF_POWER_KW: 11.0,
        const.CONF_WINDOW_START: "00:30:00",
        const.CONF_WINDOW_END: "07:00:00",
        const.CONF_CONTROL_MODE: "pause_only",
        const.CONF_ASSET_MODEL: "zappi",
    }
    assert dict(entry.options) == {}
    assert saved(entry) == expected
    for cleared in (
        const.CONF_CURRENT_ENTITY,
        const.CONF_PLUGGED_STATES,
        const.CONF_UNPLUGGED_STATES,
    ):
        assert cleared not in saved(entry)


async def test_keeps_settings_it_does_not_show(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Settings the form does not know about survive a save."""
    update_charger(hass, entry, {**saved(entry), "future": 1})
    result = await submit(
        hass,
        await start_charger_reconfigure(hass, entry),
        {**FORM_OPTIONS, const.CONF_PLUGGED_STATES: ["Occupied"]},
    )
    assert result["reason"] == "reconfigure_successful"
    assert saved(entry) == {
        **EXPECTED_OPTIONS,
        const.CONF_PLUGGED_STATES: ["Occupied"],
        "future": 1,
    }


async def test_entities_must_exist(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A missing entity is shown on its field and nothing is saved until it is fixed."""
    gone = {const.CONF_SWITCH_ENTITY: "switch.gone", const.CONF_CURRENT_ENTITY: "number.gone"}
    result = await start_charger_reconfigure(hass, entry)
    result = await submit(hass, result, {**FORM_OPTIONS, **gone})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == dict.fromkeys(gone, "entity_not_found")
    assert suggested_values(result)[const.CONF_SWITCH_ENTITY] == "switch.gone"
    assert saved(entry) == EXPECTED_OPTIONS

    result = await submit(hass, result, {**FORM_OPTIONS, const.CONF_WINDOW_END: "06:00"})
    assert result["reason"] == "reconfigure_successful"
    assert saved(entry) == {**EXPECTED_OPTIONS, const.CONF_WINDOW_END: "06:00:00"}


@pytest.mark.usefixtures("charger_entities")
async def test_changes_do_not_contact_axle(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Changing the charger or schedule is local: Axle, which the entry points at, hears nothing."""
    config_entry = home(
        {
            const.CONF_ENVIRONMENT: "custom",
            CONF_USERNAME: "ha-partner",
            CONF_PASSWORD: "sim-password",
            const.CONF_BASE_URL: axle_base_url,
            const.CONF_MPAN: MPAN,
        }
    )
    config_entry.add_to_hass(hass)
    result = await submit(
        hass,
        await start_charger_reconfigure(hass, config_entry),
        {**FORM_OPTIONS, const.CONF_POWER_KW: 3.6},
    )
    assert result["reason"] == "reconfigure_successful"
    assert saved(config_entry)[const.CONF_POWER_KW] == 3.6
    assert saved(config_entry)[const.CONF_ASSET_MODEL] == "zappi"
    assert axle_simulator.requests == []


async def test_unplug_settle_time_is_a_setting(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The settle time is on the form (a minute unless set), saved, and checked for its range."""
    older = {key: value for key, value in saved(entry).items() if key != const.CONF_UNPLUG_SETTLE}
    update_charger(hass, entry, older)
    result = await start_charger_reconfigure(hass, entry)
    (marker,) = (key for key in result["data_schema"].schema if key == const.CONF_UNPLUG_SETTLE)
    assert marker.default() == 60
    result = await submit(hass, result, {**FORM_OPTIONS, const.CONF_UNPLUG_SETTLE: 601})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {const.CONF_UNPLUG_SETTLE: "unplug_settle_out_of_range"}
    assert saved(entry) == older
    result = await submit(hass, result, {**FORM_OPTIONS, const.CONF_UNPLUG_SETTLE: 120})
    assert result["reason"] == "reconfigure_successful"
    assert saved(entry)[const.CONF_UNPLUG_SETTLE] == 120


async def test_reconfigure_changes_only_that_charger(
    hass: HomeAssistant, house: ConfigEntry, axle_simulator: AxleSimulator
) -> None:
    """The form is filled from the charger; saving changes it alone and sends nothing to Axle."""
    result = await submit(hass, await reach_schedule(hass, house), SCHEDULE_INPUT)
    first, second = charger_subentries(house)
    first_before, second_before = dict(first.data), dict(second.data)
    requests = len(axle_simulator.requests)

    result = await start_charger_reconfigure(hass, house, second.subentry_id)
    assert result["step_id"] == "reconfigure"
    suggested = shown_values(result)
    assert suggested[const.CONF_SWITCH_ENTITY] == "switch.garage_charger"
    assert suggested[const.CONF_WINDOW_START] == "00:30:00"

    hass.states.async_set("switch.garage_other", "on")
    result = await submit(
        hass,
        result,
        {
            **SECOND_INPUT,
            const.CONF_SWITCH_ENTITY: "switch.garage_other",
            const.CONF_WINDOW_START: "01:00",
            const.CONF_WINDOW_END: "06:00",
            const.CONF_CONTROL_MODE: "pause_only",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(first.data) == first_before
    second = charger_subentries(house)[1]
    assert dict(second.data) == {
        **second_before,
        const.CONF_SWITCH_ENTITY: "switch.garage_other",
        const.CONF_WINDOW_START: "01:00:00",
        const.CONF_WINDOW_END: "06:00:00",
        const.CONF_CONTROL_MODE: "pause_only",
    }
    assert len(axle_simulator.requests) == requests


async def test_reconfigure_refuses_another_chargers_entity_but_not_its_own(
    hass: HomeAssistant, house: ConfigEntry
) -> None:
    """A charger keeps its own entities; it cannot take the other charger's."""
    (first,) = charger_subentries(house)
    before = dict(first.data)
    result = await start_charger_reconfigure(hass, house, first.subentry_id)
    own = {
        key: value
        for key, value in before.items()
        if key
        in {
            const.CONF_PLUG_ENTITY,
            const.CONF_SWITCH_ENTITY,
            const.CONF_CURRENT_ENTITY,
            const.CONF_POWER_KW,
            const.CONF_WINDOW_START,
            const.CONF_WINDOW_END,
            const.CONF_CONTROL_MODE,
        }
    }
    other = MockConfigEntry(domain=const.DOMAIN, unique_id="1400012345678", options=SECOND_INPUT)
    other.add_to_hass(hass)
    result = await submit(hass, result, {**own, const.CONF_SWITCH_ENTITY: "switch.garage_charger"})
    assert result["errors"] == {const.CONF_SWITCH_ENTITY: "entity_in_use"}
    result = await submit(hass, result, own)
    assert result["reason"] == "reconfigure_successful"
    assert dict(first.data) == before


async def test_reconfigure_with_a_device_fills_in_first_and_keeps_the_model(
    hass: HomeAssistant, house: ConfigEntry
) -> None:
    """Picking a device shows the form again; the model stays the one Axle was told."""
    (first,) = charger_subentries(house)
    hass.config_entries.async_update_subentry(
        house, first, data={**first.data, const.CONF_ASSET_MODEL: "axle_charger_v1"}
    )
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=house.entry_id, identifiers={("test", "drive")}, name="Drive"
    )
    result = await start_charger_reconfigure(hass, house, first.subentry_id)
    values = {
        key: value
        for key, value in first.data.items()
        if key
        in {
            const.CONF_PLUG_ENTITY,
            const.CONF_SWITCH_ENTITY,
            const.CONF_POWER_KW,
            const.CONF_WINDOW_START,
        }
    }
    values |= {const.CONF_WINDOW_END: "05:30", const.CONF_CONTROL_MODE: "pause_only"}
    result = await submit(hass, result, {**values, const.CONF_CHARGER_DEVICE: device.id})
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {}
    result = await submit(hass, result, {**values, const.CONF_CHARGER_DEVICE: device.id})
    assert result["reason"] == "reconfigure_successful"
    first = charger_subentries(house)[0]
    assert first.data[const.CONF_CHARGER_DEVICE] == device.id
    assert first.data[const.CONF_ASSET_MODEL] == "axle_charger_v1"
    assert first.data[const.CONF_KEY_PREFIX] == ENTRY_ID
