"""The charger step: a device picker that fills the form in per profile, and the new fields' checks.

Set-up runs against the Axle simulator over loopback; the chargers are the simulated twins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.profiles import PROFILES_BY_KEY
from tests.flows import (
    CONSENT_INPUT,
    SITE_INPUT,
    STRINGS,
    home_with_charger,
    shown_values,
    start_charger_reconfigure,
    start_setup,
    submit,
    user_input,
)
from tests.helpers import charger_settings
from tests.plugins.integration import MPAN
from tests.sim_charger.twins import TWINS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant

    from tests.plugins.chargers import SimChargers
    from tests.sim_charger.runtime import SimCharger

NOTES = STRINGS["selector"]["charger_note"]["options"]
NAMES = STRINGS["selector"]["profile"]["options"]
# The flows' entries are not set up here.
pytestmark = pytest.mark.usefixtures("mock_setup_entry")


async def charger_step(hass: HomeAssistant, base_url: str) -> dict[str, Any]:
    """Fill in the account and home steps; return the charger form."""
    result = await submit(hass, await start_setup(hass), user_input(base_url))
    result = await submit(hass, result, SITE_INPUT)
    assert result["step_id"] == "eligibility"
    result = await submit(hass, result, {})
    assert result["step_id"] == "charger"
    return result


type OpenForm = Callable[..., Awaitable[tuple[dict[str, Any], list[SimCharger]]]]


@pytest.fixture
def charger_form(hass: HomeAssistant, sim_chargers: SimChargers, axle_base_url: str) -> OpenForm:
    """Add the twins of some profiles, then open the set-up flow up to its charger form.

    Return the form and the twins, in the order of the profiles.
    """

    async def open_form(*profiles: str) -> tuple[dict[str, Any], list[SimCharger]]:
        sims = [await sim_chargers.add(profile) for profile in profiles]
        return await charger_step(hass, axle_base_url), sims

    return open_form


async def pick(hass: HomeAssistant, result: dict[str, Any], sim: SimCharger) -> dict[str, Any]:
    """Pick the charger's device and submit: the form comes back filled in."""
    result = await submit(hass, result, {"charger_device": sim.device_id})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "charger"
    assert not result["errors"]
    return result


@pytest.mark.parametrize("profile", sorted(key for key in TWINS if key != "simple"))
async def test_every_profile_is_set_up_from_its_device(
    hass: HomeAssistant, sim_chargers: SimChargers, axle_base_url: str, profile: str
) -> None:
    """Pick the device, check the pre-filled form, submit it as shown: the entry is made."""
    sim = await sim_chargers.add(profile)
    car = await sim_chargers.add("tesla_car") if profile == "tesla_wall_connector" else None
    result = await pick(hass, await charger_step(hass, axle_base_url), sim)
    known = PROFILES_BY_KEY[profile]
    note = result["description_placeholders"]["charger_note"]
    assert NAMES[profile] in note
    if known.has_limit:
        assert NOTES[profile] in note
    values = shown_values(result)
    assert values["charger_device"] == sim.device_id
    assert values["command_latency"] == known.command_latency
    if car is not None:
        # Read only: the form says so, and the user picks the car's entities to pause with.
        assert "control_kind" not in values or values["control_kind"] == "switch"
        result = await submit(hass, result, values)
        assert result["errors"] == {"switch_entity": "control_entity_required"}
        values |= {"control_kind": "switch", "switch_entity": car.entity_id("charge")}
    result = await submit(hass, result, values)
    assert result["step_id"] == "charger_details", result.get("errors")
    # The profile's Axle model is offered on the charger details form.
    model = shown_values(result).get("asset_model")
    assert model == known.asset_model
    result = await submit(hass, result, {"asset_model": model} if model else {})
    assert result["step_id"] == "schedule", result.get("errors")
    result = await submit(hass, result, {})
    result = await submit(hass, result, CONSENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    options = result["subentries"][0]["data"]  # the home's first charger
    assert options["profile"] == profile
    assert options["charger_device"] == sim.device_id
    assert options["plug_entity"] == values["plug_entity"]
    assert options["control_kind"] == values["control_kind"]


async def test_a_device_no_profile_knows_is_filled_in_by_hand(
    hass: HomeAssistant, charger_form: OpenForm
) -> None:
    result, (sim,) = await charger_form("simple")
    assert result["description_placeholders"]["charger_note"] == NOTES["by_hand"]
    result = await pick(hass, result, sim)
    assert result["description_placeholders"]["charger_note"] == NOTES["unknown_device"]
    assert shown_values(result) == {
        "charger_device": sim.device_id,
        "control_kind": "switch",
        "command_latency": 30,
        "unplug_settle": 60,
        "power_kw": 7.4,
    }
    result = await submit(
        hass,
        result,
        {
            "charger_device": sim.device_id,
            "plug_entity": sim.entity_id("plugged_in"),
            "control_kind": "switch",
            "switch_entity": sim.entity_id("charging"),
        },
    )
    assert result["step_id"] == "charger_details"


async def test_picking_another_device_fills_in_again(
    hass: HomeAssistant, charger_form: OpenForm
) -> None:
    result, (ohme, zappi) = await charger_form("ohme", "zappi")
    result = await pick(hass, result, ohme)
    values = shown_values(result)
    assert values["select_entity"] == ohme.entity_id("charge_mode")
    result = await submit(hass, result, {**values, "charger_device": zappi.device_id})
    values = shown_values(result)
    assert values["select_entity"] == zappi.entity_id("charge_mode")
    assert values["pause_option"] == "Stopped"
    assert values["plugged_states"] == [
        "EV Connected",
        "Waiting for EV",
        "EV ready to charge",
        "Charging",
    ]
    # A plain sensor lists no options: the profile's words are offered, and others may be typed.
    schema = {str(marker): marker for marker in result["data_schema"].schema}
    selector = result["data_schema"].schema[schema["plugged_states"]]
    assert selector.config["custom_value"] is True


def zappi_form(zappi: SimCharger, **changes: Any) -> dict[str, Any]:
    """A filled-in zappi charger form with some fields changed."""
    return {
        "plug_entity": zappi.entity_id("plug_status"),
        "plugged_states": ["EV Connected", "Charging"],
        "unplugged_states": ["EV Disconnected"],
        "control_kind": "select",
        "select_entity": zappi.entity_id("charge_mode"),
        "pause_option": "Stopped",
        "command_latency": 180,
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"pause_option": "Off"}, {"pause_option": "option_not_found"}),
        ({"resume_option": "Turbo"}, {"resume_option": "option_not_found"}),
        ({"resume_option": "Stopped"}, {"resume_option": "resume_is_pause"}),
        ({"pause_option": None}, {"pause_option": "pause_option_required"}),
        ({"select_entity": None}, {"select_entity": "control_entity_required"}),
        ({"plugged_states": []}, {"plugged_states": "plugged_states_required"}),
        ({"unplugged_states": []}, {"unplugged_states": "unplugged_states_required"}),
        ({"unplugged_states": ["charging"]}, {"unplugged_states": "state_in_both_lists"}),
        ({"plug_entity": None}, {"plug_entity": "plug_entity_required"}),
        (
            {"control_kind": "actions", "pause_action": "easee.action_command"},
            {"pause_action": "action_not_found", "resume_action": "action_required"},
        ),
        (
            {"control_kind": "actions", "pause_action": "pause", "resume_action": "script.go"},
            {"pause_action": "action_not_found", "resume_action": "action_not_found"},
        ),
        ({"control_kind": "lock", "lock_entity": "lock.gone"}, {"lock_entity": "entity_not_found"}),
        ({"pause_current": 0}, {"pause_current": "pause_current_needs_current_kind"}),
        ({"unplug_settle": 601}, {"unplug_settle": "unplug_settle_out_of_range"}),
    ],
)
async def test_bad_input_gets_an_error_and_saves_nothing(
    hass: HomeAssistant, charger_form: OpenForm, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    result, (zappi,) = await charger_form("zappi")
    form = {key: value for key, value in zappi_form(zappi, **changes).items() if value is not None}
    result = await submit(hass, result, form)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "charger"
    assert result["errors"] == errors
    for error in errors.values():
        assert STRINGS["config"]["error"][error]
    assert hass.config_entries.async_entries(const.DOMAIN) == []
    # Put right, the same form goes on.
    result = await submit(hass, result, zappi_form(zappi))
    assert result["step_id"] == "charger_details"


async def test_enum_plug_states_and_pause_current_are_checked_against_the_entities(
    hass: HomeAssistant, charger_form: OpenForm
) -> None:
    result, (ohme, ocpp) = await charger_form("ohme", "ocpp")
    # The Ohme status is an enum sensor: only its own states can be picked.
    form = {
        "plug_entity": ohme.entity_id("status"),
        "plugged_states": ["Plugged In", "ready"],
        "unplugged_states": ["unplugged"],
        "control_kind": "current",
        "current_entity": ocpp.entity_id("maximum_current"),
        "pause_current": 40,
    }
    result = await submit(hass, result, form)
    assert result["errors"] == {
        "plugged_states": "state_not_an_option",
        "pause_current": "pause_current_out_of_range",
    }
    schema = {str(marker): marker for marker in result["data_schema"].schema}
    options = result["data_schema"].schema[schema["plugged_states"]].config["options"]
    states = list(ohme.twin.spec("status").options)
    assert options[: len(states)] == states
    result = await submit(
        hass, result, {**form, "plugged_states": ["Plugged In", "charging"], "pause_current": 0}
    )
    assert result["step_id"] == "charger_details"


async def test_easee_actions_are_accepted_once_registered(
    hass: HomeAssistant, charger_form: OpenForm
) -> None:
    result, (easee,) = await charger_form("easee")
    result = await pick(hass, result, easee)
    values = shown_values(result)
    assert values["control_kind"] == "actions"
    assert values["pause_action"] == "easee.action_command"
    assert values["pause_action_data"] == {"device_id": easee.device_id, "action_command": "pause"}
    assert values["resume_action_data"]["action_command"] == "resume"
    result = await submit(hass, result, {**values, "pause_action_data": "pause"})
    assert result["errors"] == {"pause_action_data": "action_data_not_a_mapping"}
    result = await submit(hass, result, values)
    assert result["step_id"] == "charger_details"


async def test_charger_reconfigure_picks_a_device_and_validates(
    hass: HomeAssistant, sim_chargers: SimChargers
) -> None:
    """A charger's reconfigure fills itself in from a picked device and checks it as set-up does."""
    go_e = await sim_chargers.add("go_e")
    entry = home_with_charger(
        {"mpan": MPAN},
        {
            "plug_entity": go_e.entity_id("car_0"),
            "switch_entity": "switch.old",
            "window_start": "23:30:00",
            "window_end": "05:30:00",
            "control_mode": "pause_only",
            "power_kw": 7.4,
            "future": 1,
        },
        title="go-e",
        unique_id="ha-go-e",
    )
    entry.add_to_hass(hass)
    result = await start_charger_reconfigure(hass, entry)
    assert result["description_placeholders"]["charger_note"] == NOTES["by_hand"]
    result = await submit(hass, result, {**shown_values(result), "charger_device": go_e.device_id})
    values = shown_values(result)
    assert values["select_entity"] == go_e.entity_id("frc")
    assert values["window_start"] == "23:30:00"
    result = await submit(hass, result, {**values, "pause_option": "3"})
    assert result["errors"] == {"pause_option": "option_not_found"}
    assert "select_entity" not in charger_settings(entry)
    result = await submit(hass, result, values)
    assert result["reason"] == "reconfigure_successful"
    assert dict(entry.options) == {}
    assert charger_settings(entry) == {
        "charger_device": go_e.device_id,
        "profile": "go_e",
        "plug_entity": go_e.entity_id("car_0"),
        "control_kind": "select",
        "select_entity": go_e.entity_id("frc"),
        "pause_option": "1",
        "current_entity": go_e.entity_id("amp"),
        "command_latency": 30,
        "unplug_settle": 60,
        "power_kw": 7.4,
        "window_start": "23:30:00",
        "window_end": "05:30:00",
        "control_mode": "pause_only",
        "future": 1,
    }
