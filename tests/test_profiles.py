"""Charger profiles read the simulated twins of the real chargers right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.axle_flex_lite.charger_options import ChargerSettings
from custom_components.axle_flex_lite.const import KNOWN_ASSET_MODELS, ControlKind
from custom_components.axle_flex_lite.controls import SelectControl
from custom_components.axle_flex_lite.profiles import (
    PROFILES,
    PROFILES_BY_KEY,
    Role,
    load_profiles,
    profile_for_platforms,
)
from tests.sim_charger.twins import TWINS

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from tests.plugins.chargers import SimChargers

PROFILED = sorted(key for key in TWINS if key != "simple")


def test_every_profile_has_a_twin_and_a_distinct_platform() -> None:
    assert {profile.key for profile in PROFILES} == set(PROFILED)
    platforms = [platform for profile in PROFILES for platform in profile.platforms]
    assert len(platforms) == len(set(platforms))


def test_profiles_suggest_only_the_axle_models_known_for_their_charger() -> None:
    """Axle's known names are zappi and its own charger's: only the zappi profile has one."""
    suggested = {profile.key: profile.asset_model for profile in PROFILES if profile.asset_model}
    assert set(suggested.values()) <= set(KNOWN_ASSET_MODELS)
    assert suggested == {"zappi": "zappi"}


def test_roles_match_the_end_of_the_entity_id() -> None:
    role = Role("sensor", "status")
    assert role.matches("sensor.ohme_home_pro_status")
    assert role.matches("sensor.status")
    assert not role.matches("sensor.ohme_home_pro_status_2x")
    assert not role.matches("sensor.ohme_home_pro_substatus")
    assert not role.matches("select.ohme_home_pro_status")
    # Home Assistant numbers an id that is taken (a second device of the same name).
    assert role.matches("sensor.ohme_home_pro_status_2")
    assert not role.matches("sensor.ohme_home_pro_substatus_2")


def test_profile_file_reads_roles_kinds_and_lists() -> None:
    (profile,) = load_profiles(
        '{"x": {"facts": "why", "platforms": ["x"], "plug": "binary_sensor.*_car",'
        ' "control_kind": "select", "control": "select.*_mode", "pause_option": "Stop"}}'
    )
    assert profile.key == "x"
    assert profile.platforms == ("x",)
    assert profile.plug == Role("binary_sensor", "car")
    assert profile.control == Role("select", "mode")
    assert profile.control_kind is ControlKind.SELECT
    assert profile.plugged_states == ()
    assert profile.current is None


@pytest.mark.parametrize(
    "entry",
    [
        '{"platforms": ["x"], "plug": "sensor.status"}',  # a role without its "*_"
        '{"platforms": ["x"], "plug": "sensor.*_status", "latency": 30}',  # an unknown field
        '{"platforms": ["x"], "plug": "sensor.*_status", "control_kind": "push"}',  # no such kind
    ],
)
def test_profile_file_mistakes_fail_loudly(entry: str) -> None:
    with pytest.raises((TypeError, ValueError)):
        load_profiles(f'{{"x": {entry}}}')


def test_unknown_devices_have_no_profile() -> None:
    assert profile_for_platforms(["sim_charger"]) is None
    assert profile_for_platforms([]) is None
    assert profile_for_platforms(["teslemetry", "mobile_app"]) is PROFILES_BY_KEY["tesla_car"]


@pytest.mark.parametrize("profile_key", PROFILED)
async def test_profile_reads_its_twin(
    hass: HomeAssistant, sim_chargers: SimChargers, profile_key: str
) -> None:
    """Recognised by platform; entities found; every plug state the twin shows read right."""
    sim = await sim_chargers.add(profile_key)
    entries = er.async_entries_for_device(er.async_get(hass), str(sim.device_id))
    profile = profile_for_platforms(entry.platform for entry in entries)
    assert profile is not None
    assert profile.key == profile_key
    options = profile.prefill([entry.entity_id for entry in entries], str(sim.device_id))
    assert options["profile"] == profile_key
    assert options["command_latency"] > max(sim.lag_of(spec.key) for spec in sim.twin.entities)
    plug_spec = next(
        spec
        for spec in sim.twin.entities
        if profile.plug
        and profile.plug.domain == spec.platform
        and profile.plug.matches(sim.entity_id(spec.key))
    )
    assert options["plug_entity"] == sim.entity_id(plug_spec.key)
    if profile.control_kind is None:
        assert "control_kind" not in options
        return
    options.setdefault("plug_entity", "")
    settings = ChargerSettings.from_options(options)
    assert settings.control is not None
    assert settings.control.kind is profile.control_kind
    if settings.control.entity_id is not None:
        assert hass.states.get(settings.control.entity_id) is not None
    if isinstance(settings.control, SelectControl):
        select = hass.states.get(settings.control.entity_id)
        assert select is not None
        assert settings.control.pause_option in select.attributes["options"]
    if profile.control_kind is ControlKind.ACTIONS:
        assert options["pause_action_data"]["device_id"] == sim.device_id

    # Each situation of the charger, as its plug entity shows it.
    plug = options["plug_entity"]
    seen: list[tuple[str, bool | None]] = []

    async def read() -> None:
        sim.report()
        state = hass.states.get(plug)
        assert state is not None
        seen.append((state.state, settings.plug.read(state)))

    await read()
    await sim.plug_in()
    await read()
    sim.device.own_schedule = True
    await read()
    sim.device.own_schedule = False
    sim.device.car_full = True
    await read()
    sim.device.car_full = False
    sim.device.enabled = False
    sim.device.paused = True
    sim.device.mode = profile.pause_option or sim.device.mode
    await read()
    # Paused by the charger's lock, Andersen says "Disabled", with or without a car: that word
    # is listed neither way, so it neither starts nor ends a session. Nothing else is unsure.
    paused_reading = seen[-1][1]
    assert [plugged for _, plugged in seen[:-1]] == [False, True, True, True], seen
    assert paused_reading is True or (profile_key == "andersen" and paused_reading is None)


@pytest.mark.parametrize("profile_key", PROFILED)
async def test_soak_finding_second_charger_of_a_make_is_prefilled(
    hass: HomeAssistant, sim_chargers: SimChargers, profile_key: str
) -> None:
    """Soak finding: a home's second charger of the same make and device name (its entity ids
    numbered ``_2`` by Home Assistant) got no entities pre-filled, so no control either."""
    first = await sim_chargers.add_profile(profile_key)
    second = await sim_chargers.add_profile(profile_key)
    assert second.options.keys() == first.options.keys()
    entities = {key: value for key, value in first.options.items() if key.endswith("_entity")}
    assert entities
    assert {key: second.options[key] for key in entities} == {
        key: f"{value}_2" for key, value in entities.items()
    }
