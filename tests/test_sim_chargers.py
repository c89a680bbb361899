"""The simulated chargers behave like the real ones: ids, states, options and quirks."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest

from tests.sim_charger.twins import TWINS

if TYPE_CHECKING:
    from tests.plugins.chargers import SimChargers
    from tests.plugins.integration import Clock

# The entity ids the real integrations give a charger named like the twin's device.
REAL_ENTITY_IDS = {
    "simple": [
        "binary_sensor.ev_charger_plugged_in",
        "switch.ev_charger_charging",
        "number.ev_charger_current",
    ],
    "ohme": ["sensor.ohme_home_pro_status", "select.ohme_home_pro_charge_mode"],
    "zappi": ["sensor.zappi_12345678_plug_status", "select.zappi_12345678_charge_mode"],
    "wallbox": [
        "sensor.wallbox_pulsar_plus_status_description",
        "switch.wallbox_pulsar_plus_pause_resume",
        "number.wallbox_pulsar_plus_maximum_charging_current",
    ],
    "easee": ["sensor.easee_eh123456_status", "switch.easee_eh123456_is_enabled"],
    "hypervolt": [
        "binary_sensor.hypervolt_car_plugged",
        "switch.hypervolt_charging",
        "select.hypervolt_activation_mode",
        "number.hypervolt_max_current",
    ],
    "pod_point": ["binary_sensor.pod_point_cable_status", "switch.pod_point_charging_allowed"],
    "ocpp": [
        "sensor.charger_status_connector",
        "switch.charger_charge_control",
        "number.charger_maximum_current",
    ],
    "zaptec": ["sensor.zaptec_go_charger_mode", "switch.zaptec_go_charging"],
    "tesla_car": [
        "binary_sensor.model_y_charge_cable",
        "sensor.model_y_charging",
        "switch.model_y_charge",
        "number.model_y_charge_current",
    ],
    "tesla_wall_connector": ["binary_sensor.tesla_wall_connector_vehicle_connected"],
    "go_e": [
        "binary_sensor.goe_012345_car_0",
        "sensor.goe_012345_car_value",
        "select.goe_012345_frc",
        "number.goe_012345_amp",
    ],
    "andersen": ["sensor.andersen_a2_connector", "lock.andersen_a2_lock"],
    "indra": [
        "binary_sensor.indra_smart_pro_cable_connected",
        "switch.indra_smart_pro_lock_charger",
    ],
}


async def command(hass: HomeAssistant, action: str, entity_id: str, **data: Any) -> Context:
    """Call ``action`` on the entity as a person would; return the call's context."""
    context = Context()
    domain, _, service = action.partition(".")
    await hass.services.async_call(
        domain, service, {"entity_id": entity_id, **data}, blocking=True, context=context
    )
    return context


def test_every_profile_has_a_twin() -> None:
    assert set(REAL_ENTITY_IDS) == set(TWINS)


@pytest.mark.parametrize("profile", sorted(TWINS))
async def test_entity_ids_and_platform_are_the_real_ones(
    hass: HomeAssistant, sim_chargers: SimChargers, profile: str
) -> None:
    sim = await sim_chargers.add(profile)
    registry = er.async_get(hass)
    ids = [sim.entity_id(spec.key) for spec in sim.twin.entities]
    assert ids == REAL_ENTITY_IDS[profile]
    for entity_id in ids:
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.platform == TWINS[profile].domain
        assert entry.device_id == sim.device_id


async def test_a_lagging_poll_reports_under_a_fresh_context(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers
) -> None:
    sim = await sim_chargers.add("zappi")
    await sim.plug_in()
    select = sim.entity_id("charge_mode")
    assert sim.state("plug_status") == "Charging"
    context = await command(hass, "select.select_option", select, option="Stopped")
    await hass.async_block_till_done()
    # The charger stopped at once, but the select shows the old mode until the poll.
    assert not sim.charging
    assert sim.state("charge_mode") == "Eco+"
    await clock.advance(timedelta(seconds=119))
    assert sim.state("charge_mode") == "Eco+"
    await clock.advance(timedelta(seconds=1))
    state = hass.states.get(select)
    assert state is not None
    assert state.state == "Stopped"
    assert state.context.id != context.id
    assert sim.state("plug_status") == "EV Connected"


async def test_an_immediate_report_carries_the_callers_context(
    hass: HomeAssistant, sim_chargers: SimChargers
) -> None:
    sim = await sim_chargers.add("simple")
    context = await command(hass, "switch.turn_off", sim.entity_id("charging"))
    state = hass.states.get(sim.entity_id("charging"))
    assert state is not None
    assert (state.state, state.context.id) == ("off", context.id)


async def test_stale_value_before_the_new_one(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers
) -> None:
    sim = await sim_chargers.add("tesla_car")
    await sim.plug_in()
    switch = sim.entity_id("charge")
    assert sim.state("charge") == "on"
    context = await command(hass, "switch.turn_off", switch)
    seen = [sim.state("charge")]
    await clock.advance(timedelta(seconds=300))
    seen.append(sim.state("charge"))
    await clock.advance(timedelta(seconds=300))
    seen.append(sim.state("charge"))
    assert seen == ["off", "on", "off"]
    state = hass.states.get(switch)
    assert state is not None
    assert state.context.id != context.id


async def test_a_mirroring_switch_flips_by_itself(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers
) -> None:
    zaptec = await sim_chargers.add("zaptec")
    assert zaptec.state("charging") == "unavailable"
    await zaptec.plug_in()
    assert zaptec.state("charging") == "on"
    await zaptec.car_full()
    await clock.advance(timedelta(seconds=60))
    assert (zaptec.state("charging"), zaptec.state("charger_mode")) == ("off", "connected_finished")
    assert zaptec.commands == []

    wallbox = await sim_chargers.add("wallbox")
    await wallbox.plug_in()
    await wallbox.own_schedule(holding=True)
    await clock.advance(timedelta(seconds=45))
    assert (wallbox.state("pause_resume"), wallbox.state("status_description")) == (
        "off",
        "Scheduled",
    )


async def test_the_vendors_app_changes_without_a_user(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers
) -> None:
    sim = await sim_chargers.add("ohme")
    await sim.plug_in()
    await sim.app_set(mode="max_charge")
    await clock.advance(timedelta(seconds=30))
    state = hass.states.get(sim.entity_id("charge_mode"))
    assert state is not None
    assert state.state == "max_charge"
    assert state.context.user_id is None
    assert sim.commands == []


async def test_unavailable_blip_and_ignored_commands(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers
) -> None:
    sim = await sim_chargers.add("pod_point")
    await sim.plug_in()
    await sim.blip(20)
    assert sim.state("cable_status") == "unavailable"
    assert sim.state("charging_allowed") == "unavailable"
    await clock.advance(timedelta(seconds=20))
    assert (sim.state("cable_status"), sim.state("charging_allowed")) == ("on", "on")
    sim.set_quirks(ignore_commands=True)
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": sim.entity_id("charging_allowed")}, blocking=True
    )
    await clock.advance(timedelta(minutes=20))
    assert sim.charging
    assert sim.state("charging_allowed") == "on"
    assert [command.value for command in sim.commands] == [False]


async def _fresh_read(hass: HomeAssistant, entity_id: str) -> str:
    """Ask Home Assistant to read the entity afresh, as the integration does before a check."""
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": entity_id}, blocking=True
    )
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def test_a_fresh_read_shows_what_the_charger_did(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers
) -> None:
    """A poll made now: a command carried out shows, an ignored or unfinished one does not."""
    assert await async_setup_component(hass, "homeassistant", {})
    pod_point = await sim_chargers.add("pod_point")
    await pod_point.plug_in()
    switch = pod_point.entity_id("charging_allowed")
    context = await command(hass, "switch.turn_off", switch)
    await clock.advance(timedelta(seconds=60))
    assert pod_point.state("charging_allowed") == "on"  # its poll comes after ten minutes
    assert await _fresh_read(hass, switch) == "off"
    state = hass.states.get(switch)
    assert state is not None
    assert state.context.id != context.id
    # Ignored: the fresh read still shows the old value.
    pod_point.set_quirks(ignore_commands=True)
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    assert await _fresh_read(hass, switch) == "off"
    assert not pod_point.charging

    # Carried out a minute after it was asked: the old mode until then.
    zappi = await sim_chargers.add("zappi", actuation=60)
    await zappi.plug_in()
    select = zappi.entity_id("charge_mode")
    await hass.services.async_call(
        "select", "select_option", {"entity_id": select, "option": "Stopped"}, blocking=True
    )
    await clock.advance(timedelta(seconds=30))
    assert await _fresh_read(hass, select) == "Eco+"
    await clock.advance(timedelta(seconds=30))
    assert await _fresh_read(hass, select) == "Stopped"

    # A stale value comes from a poll older than the fresh read: it no longer comes after it.
    tesla = await sim_chargers.add("tesla_car")
    await tesla.plug_in()
    charge = tesla.entity_id("charge")
    await hass.services.async_call("switch", "turn_off", {"entity_id": charge}, blocking=True)
    assert await _fresh_read(hass, charge) == "off"
    seen = []
    for _ in range(3):
        await clock.advance(timedelta(seconds=300))
        seen.append(tesla.state("charge"))
    assert seen == ["off", "off", "off"]


async def test_easee_pauses_through_its_action(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers
) -> None:
    sim = await sim_chargers.add("easee")
    await sim.plug_in()
    await hass.services.async_call(
        "easee",
        "action_command",
        {"device_id": sim.device_id, "action_command": "pause"},
        blocking=True,
    )
    assert not sim.charging
    await clock.advance(timedelta(seconds=5))
    assert sim.state("status") == "awaiting_start"
    await sim.user_action("easee.action_command", {"action_command": "resume"})
    await clock.advance(timedelta(seconds=5))
    assert sim.state("status") == "charging"
    assert [command.value["action_command"] for command in sim.commands] == ["pause", "resume"]
    assert len(sim.integration_commands()) == 1


async def test_andersen_lock_reports_at_once_the_status_later(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers
) -> None:
    sim = await sim_chargers.add("andersen")
    await sim.plug_in()
    assert (sim.state("lock"), sim.state("connector")) == ("unlocked", "Charging")
    await sim.user_set("lock", True)
    assert (sim.state("lock"), sim.state("connector")) == ("locked", "Charging")
    await clock.advance(timedelta(seconds=60))
    assert sim.state("connector") == "Disabled"
    assert sim.commands[0].user_id is not None
