"""Tests of the options flow: charger and schedule settings, changed without onboarding again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite.const import (
    CONF_ASSET_MODEL,
    CONF_BASE_URL,
    CONF_COMMAND_LATENCY,
    CONF_CONTROL_KIND,
    CONF_CONTROL_MODE,
    CONF_CURRENT_ENTITY,
    CONF_ENVIRONMENT,
    CONF_EXTERNAL_ID,
    CONF_LOCK_ENTITY,
    CONF_MPAN,
    CONF_PLUG_ENTITY,
    CONF_PLUGGED_STATES,
    CONF_POWER_KW,
    CONF_SWITCH_ENTITY,
    CONF_UNPLUG_SETTLE,
    CONF_UNPLUGGED_STATES,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DOMAIN,
)
from tests.helpers import charger_settings

from .test_config_flow import EXPECTED_OPTIONS, MPAN, check_text

# The options form shows the charger and the schedule; the charger model is set up in the config
# flow (and checked by Axle there), so the form keeps it as it is.
FORM_OPTIONS = {key: value for key, value in EXPECTED_OPTIONS.items() if key != CONF_ASSET_MODEL}

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator


@pytest.fixture
def entry(hass: HomeAssistant) -> MockConfigEntry:
    """An entry as the config flow leaves it, not set up: the options flow needs neither."""
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title="Axle Flex Lite CT1",
        unique_id=MPAN,
        data={CONF_MPAN: MPAN},
        options=EXPECTED_OPTIONS,
    )
    config_entry.add_to_hass(hass)
    hass.states.async_set("sensor.charger_status", "Car Connected")
    hass.states.async_set("switch.charger", "on")
    hass.states.async_set("number.charger_current", "16")
    return config_entry


def saved(entry: MockConfigEntry) -> dict[str, Any]:
    """The home's charger settings as saved, without the key prefix its move gave it."""
    return {key: value for key, value in charger_settings(entry).items() if key != "key_prefix"}


async def start(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    """Open the options flow and check its text."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    check_text(result, "options")
    return result


async def submit(hass: HomeAssistant, result: Any, data: dict[str, Any]) -> Any:
    """Submit the options form and check the answer is all text."""
    result = await hass.config_entries.options.async_configure(result["flow_id"], data)
    check_text(result, "options")
    return result


def suggested_values(result: Any) -> dict[str, Any]:
    """The values the form is filled in with."""
    return {
        str(marker): (marker.description or {}).get("suggested_value")
        for marker in result["data_schema"].schema
    }


async def test_form_shows_current_settings(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """One ``init`` step holds every charger and schedule setting, filled in as saved."""
    result = await start(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    shown = suggested_values(result)
    assert {key: value for key, value in shown.items() if value is not None} == FORM_OPTIONS
    # The fields of the other control kinds are there, empty.
    assert shown[CONF_LOCK_ENTITY] is None


async def test_change_settings_and_clear_optional_ones(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Saved options are exactly what was submitted: cleared optional fields disappear."""
    hass.states.async_set("binary_sensor.car_plugged", "on")
    result = await start(hass, entry)
    result = await submit(
        hass,
        result,
        {
            CONF_PLUG_ENTITY: "binary_sensor.car_plugged",
            CONF_SWITCH_ENTITY: "switch.charger",
            CONF_POWER_KW: 11,
            CONF_WINDOW_START: "00:30",
            CONF_WINDOW_END: "07:00:00",
            CONF_CONTROL_MODE: "pause_only",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    expected = {
        CONF_PLUG_ENTITY: "binary_sensor.car_plugged",
        CONF_CONTROL_KIND: "switch",
        CONF_COMMAND_LATENCY: 30,
        CONF_UNPLUG_SETTLE: 60,
        CONF_SWITCH_ENTITY: "switch.charger",
        CONF_POWER_KW: 11.0,
        CONF_WINDOW_START: "00:30:00",
        CONF_WINDOW_END: "07:00:00",
        CONF_CONTROL_MODE: "pause_only",
        CONF_ASSET_MODEL: "zappi",
    }
    # The home's first charger is what the options flow edits.
    assert result["data"] == {}
    assert saved(entry) == expected
    for cleared in (
        CONF_CURRENT_ENTITY,
        CONF_PLUGGED_STATES,
        CONF_UNPLUGGED_STATES,
    ):
        assert cleared not in saved(entry)


async def test_keeps_options_it_does_not_show(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Options the form does not know about survive a save."""
    hass.config_entries.async_update_entry(entry, options={**entry.options, "future": 1})
    result = await submit(
        hass,
        await start(hass, entry),
        {**FORM_OPTIONS, CONF_PLUGGED_STATES: ["Occupied"]},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert saved(entry) == {
        **EXPECTED_OPTIONS,
        CONF_PLUGGED_STATES: ["Occupied"],
        "future": 1,
    }


async def test_entities_must_exist(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A missing entity is shown on its field and nothing is saved until it is fixed."""
    result = await start(hass, entry)
    result = await submit(
        hass,
        result,
        {**FORM_OPTIONS, CONF_SWITCH_ENTITY: "switch.gone", CONF_CURRENT_ENTITY: "number.gone"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        CONF_SWITCH_ENTITY: "entity_not_found",
        CONF_CURRENT_ENTITY: "entity_not_found",
    }
    assert suggested_values(result)[CONF_SWITCH_ENTITY] == "switch.gone"
    assert saved(entry) == EXPECTED_OPTIONS

    result = await submit(hass, result, {**FORM_OPTIONS, CONF_WINDOW_END: "06:00"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert saved(entry) == {**EXPECTED_OPTIONS, CONF_WINDOW_END: "06:00:00"}


async def test_options_do_not_contact_axle(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Changing the charger or schedule is local: Axle, which the entry points at, hears nothing."""
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=MPAN,
        data={
            CONF_ENVIRONMENT: "custom",
            CONF_USERNAME: "ha-partner",
            CONF_PASSWORD: "sim-password",
            CONF_BASE_URL: axle_base_url,
            CONF_MPAN: MPAN,
            CONF_EXTERNAL_ID: "ha-charger",
        },
        options=EXPECTED_OPTIONS,
    )
    config_entry.add_to_hass(hass)
    hass.states.async_set("sensor.charger_status", "Car Connected")
    hass.states.async_set("switch.charger", "on")
    hass.states.async_set("number.charger_current", "16")
    result = await submit(
        hass,
        await start(hass, config_entry),
        {**FORM_OPTIONS, CONF_POWER_KW: 3.6},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert saved(config_entry)[CONF_POWER_KW] == 3.6
    assert saved(config_entry)[CONF_ASSET_MODEL] == "zappi"
    assert axle_simulator.requests == []


async def test_unplug_settle_time_is_an_option(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The settle time is on the form (a minute unless set), saved, and checked for its range."""
    older = {key: value for key, value in entry.options.items() if key != CONF_UNPLUG_SETTLE}
    hass.config_entries.async_update_entry(entry, options=older)
    result = await start(hass, entry)
    (marker,) = (key for key in result["data_schema"].schema if key == CONF_UNPLUG_SETTLE)
    assert marker.default() == 60
    result = await submit(hass, result, {**FORM_OPTIONS, CONF_UNPLUG_SETTLE: 601})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_UNPLUG_SETTLE: "unplug_settle_out_of_range"}
    assert saved(entry) == older
    result = await submit(hass, result, {**FORM_OPTIONS, CONF_UNPLUG_SETTLE: 120})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert saved(entry)[CONF_UNPLUG_SETTLE] == 120
