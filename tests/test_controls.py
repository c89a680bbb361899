"""Control kinds, plug-state reading and the migration of older entries' charger options."""

from __future__ import annotations

from typing import Any

from homeassistant.core import State
import pytest

from custom_components.axle_flex_lite.charger_options import (
    LEGACY_UNPLUGGED_STATES,
    ChargerSettings,
    control_kind_of,
    migrate_charger_options,
)
from custom_components.axle_flex_lite.const import ControlKind
from custom_components.axle_flex_lite.controls import (
    ACTION_PAUSED,
    ACTION_RESUMED,
    ACTIONS_KEY,
    ActionsControl,
    Command,
    CurrentControl,
    InvertedSwitchControl,
    LockControl,
    SelectControl,
    SwitchControl,
    control_from_options,
)
from custom_components.axle_flex_lite.plug import PlugReader, clean_states, normalise_state


def state(entity_id: str, value: str, **attributes: Any) -> State:
    return State(entity_id, value, attributes)


def test_switch_on_means_charging() -> None:
    control = SwitchControl(kind=ControlKind.SWITCH, entity_id="switch.ev")
    assert control.value(state("switch.ev", "on")) == "on"
    assert control.value(state("switch.ev", "unavailable")) is None
    assert control.pause_value(None) == "off"
    assert control.charge_value == "on"
    assert control.allows_charging("on") is True
    assert control.allows_charging("off") is False
    assert control.allows_charging(None) is None
    assert control.command("off") == Command(
        domain="switch", service="turn_off", data={"entity_id": "switch.ev"}
    )
    helper = SwitchControl(kind=ControlKind.SWITCH, entity_id="input_boolean.ev")
    assert helper.command("on").domain == "input_boolean"


def test_inverted_switch_on_means_paused() -> None:
    control = InvertedSwitchControl(
        kind=ControlKind.INVERTED_SWITCH, entity_id="switch.lock_charger"
    )
    assert control.pause_value(None) == "on"
    assert control.charge_value == "off"
    assert control.allows_charging("on") is False
    assert control.command("on").service == "turn_on"


def test_lock_locked_means_paused() -> None:
    control = LockControl(kind=ControlKind.LOCK, entity_id="lock.a2_lock")
    assert control.value(state("lock.a2_lock", "locked")) == "locked"
    # On its way, or jammed: the lock does not say yet.
    for transitional in ("locking", "unlocking", "jammed", "open"):
        assert control.value(state("lock.a2_lock", transitional)) is None
    assert control.pause_value(None) == "locked"
    assert control.allows_charging("unlocked") is True
    assert control.command("locked") == Command(
        domain="lock", service="lock", data={"entity_id": "lock.a2_lock"}
    )
    assert control.command("unlocked").service == "unlock"


def test_select_pauses_with_its_option_and_puts_any_option_back() -> None:
    previous = SelectControl(
        kind=ControlKind.SELECT, entity_id="select.zappi_charge_mode", pause_option="Stopped"
    )
    assert previous.value(state("select.zappi_charge_mode", "Eco+")) == "Eco+"
    assert previous.pause_value(None) == "Stopped"
    assert previous.charge_value is None  # resumes to whatever it had
    assert previous.allows_charging("Eco+") is True
    assert previous.allows_charging("Stopped") is False
    assert previous.command("Eco+") == Command(
        domain="select",
        service="select_option",
        data={"entity_id": "select.zappi_charge_mode", "option": "Eco+"},
    )
    fixed = SelectControl(
        kind=ControlKind.SELECT,
        entity_id="input_select.mode",
        pause_option="Stopped",
        resume_option="Fast",
    )
    assert fixed.charge_value == "Fast"
    assert fixed.command("Fast").domain == "input_select"


def test_current_pauses_at_the_chosen_value_or_the_minimum() -> None:
    number = state("number.max_current", "16", min=6, max=32)
    default = CurrentControl(kind=ControlKind.CURRENT, entity_id="number.max_current")
    assert default.value(number) == 16.0
    assert default.value(state("number.max_current", "n/a")) is None
    assert default.pause_value(number) == 6
    assert default.pause_value(None) is None
    assert default.allows_charging(16.0, number) is True
    assert default.allows_charging(6.0, number) is False
    zero = CurrentControl(kind=ControlKind.CURRENT, entity_id="number.max_current", pause_current=0)
    assert zero.pause_value(number) == 0
    assert zero.allows_charging(6.0, number) is True
    assert zero.command(0) == Command(
        domain="number", service="set_value", data={"entity_id": "number.max_current", "value": 0}
    )


def test_a_users_service_call_tells_the_value_it_sets() -> None:
    """What a person's call sets, read before the charger reports it (its "off" is theirs)."""
    switch = SwitchControl(kind=ControlKind.SWITCH, entity_id="switch.ev")
    inverted = InvertedSwitchControl(kind=ControlKind.INVERTED_SWITCH, entity_id="switch.lock")
    lock = LockControl(kind=ControlKind.LOCK, entity_id="lock.ev")
    select = SelectControl(kind=ControlKind.SELECT, entity_id="select.mode", pause_option="Stop")
    current = CurrentControl(kind=ControlKind.CURRENT, entity_id="number.amps")
    actions = ActionsControl(kind=ControlKind.ACTIONS, pause_action="a.p", resume_action="a.r")
    assert switch.value_of_call("turn_off", {}) == "off"
    assert switch.value_of_call("toggle", {}) is None
    assert inverted.value_of_call("turn_on", {}) == "on"
    assert inverted.allows_charging("on") is False
    assert lock.value_of_call("unlock", {}) == "unlocked"
    assert lock.value_of_call("open", {}) is None
    assert select.value_of_call("select_option", {"option": "Stop"}) == "Stop"
    assert select.value_of_call("select_next", {}) is None
    assert current.value_of_call("set_value", {"value": "16"}) == 16.0
    assert current.value_of_call("set_value", {}) is None
    assert actions.value_of_call("pause", {}) is None


def test_actions_pause_and_resume_with_their_data() -> None:
    control = ActionsControl(
        kind=ControlKind.ACTIONS,
        pause_action="easee.action_command",
        pause_data={"device_id": "d1", "action_command": "pause"},
        resume_action="script.resume_charger",
    )
    assert control.key == ACTIONS_KEY
    assert not control.readable
    assert control.value(None) is None
    assert control.pause_value(None) == ACTION_PAUSED
    assert control.allows_charging(ACTION_RESUMED) is True
    assert control.command(ACTION_PAUSED) == Command(
        domain="easee",
        service="action_command",
        data={"device_id": "d1", "action_command": "pause"},
    )
    assert control.command(ACTION_RESUMED) == Command(
        domain="script", service="resume_charger", data={}
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"control_kind": "switch", "switch_entity": "switch.a"}, SwitchControl),
        ({"control_kind": "inverted_switch", "switch_entity": "switch.a"}, InvertedSwitchControl),
        ({"control_kind": "lock", "lock_entity": "lock.a"}, LockControl),
        (
            {"control_kind": "select", "select_entity": "select.a", "pause_option": "Stopped"},
            SelectControl,
        ),
        (
            {"control_kind": "actions", "pause_action": "a.b", "resume_action": "a.c"},
            ActionsControl,
        ),
        ({"control_kind": "current", "current_entity": "number.a"}, CurrentControl),
        ({"control_kind": "select", "select_entity": "select.a"}, None),
        ({"control_kind": "lock"}, None),
        ({"control_kind": "actions", "pause_action": "a.b"}, None),
        ({"control_kind": "current"}, None),
        ({"control_kind": "switch"}, None),
    ],
)
def test_control_from_options(options: dict[str, Any], expected: type | None) -> None:
    control = control_from_options(ControlKind(options["control_kind"]), options)
    if expected is None:
        assert control is None
    else:
        assert type(control) is expected


# How states are written, and what is left of them to compare.
FOLDED = {
    "SuspendedEV": "suspendedev",
    "suspended_ev": "suspendedev",
    " EV Connected ": "evconnected",
    "Locked, car connected": "lockedcarconnected",
    "connected-charging": "connectedcharging",
}


@pytest.mark.parametrize(("raw", "folded"), FOLDED.items())
def test_states_compare_without_case_or_separators(raw: str, folded: str) -> None:
    assert normalise_state(raw) == folded


def test_clean_states_drops_blanks_and_repeats() -> None:
    assert clean_states(["EV Connected", " ", "ev_connected", "Charging "]) == [
        "EV Connected",
        "Charging",
    ]


def test_plug_reader_needs_a_listed_state() -> None:
    reader = PlugReader.create(
        "sensor.charger_status_connector", ["SuspendedEV", "Charging"], ["Available"]
    )
    assert reader.read(state("sensor.charger_status_connector", "suspended_ev")) is True
    assert reader.read(state("sensor.charger_status_connector", "CHARGING")) is True
    assert reader.read(state("sensor.charger_status_connector", "Available")) is False
    # Neither listed, unknown or unavailable: no word either way.
    for silent in ("Faulted", "unknown", "unavailable"):
        assert reader.read(state("sensor.charger_status_connector", silent)) is None
    assert reader.read(None) is None


def test_binary_plug_reads_on_and_off() -> None:
    reader = PlugReader.create("binary_sensor.cable", [], [])
    assert reader.read(state("binary_sensor.cable", "on")) is True
    assert reader.read(state("binary_sensor.cable", "off")) is False
    assert reader.read(state("binary_sensor.cable", "unavailable")) is None


def test_ready_is_no_car_unless_the_user_says_so() -> None:
    settings = ChargerSettings.from_options(
        {
            "control_kind": "switch",
            "switch_entity": "switch.pause_resume",
            "plug_entity": "sensor.wallbox_status_description",
            "plugged_states": ["Charging"],
            "unplugged_states": ["Ready"],
        }
    )
    assert settings.plug.read(state("sensor.wallbox_status_description", "Ready")) is False


def test_old_switch_entries_become_switch_kind_with_the_old_plug_reading() -> None:
    old = {
        "plug_entity": "sensor.charger_status",
        "switch_entity": "switch.ev",
        "current_entity": "number.current",
        "plugged_states": ["Car Connected"],
    }
    migrated = migrate_charger_options(old)
    assert migrated is not None
    assert migrated["control_kind"] == "switch"
    assert "Car Connected" in migrated["plugged_states"]
    assert "charging" in migrated["plugged_states"]
    assert migrated["unplugged_states"] == list(LEGACY_UNPLUGGED_STATES)
    assert migrate_charger_options(migrated) is None
    settings = ChargerSettings.from_options(old)
    assert settings.plug.read(state("sensor.charger_status", "car_connected")) is True
    assert settings.plug.read(state("sensor.charger_status", "disconnected")) is False
    assert isinstance(settings.control, SwitchControl)
    assert settings.command_latency == 30


def test_old_entries_without_a_switch_pause_by_current() -> None:
    old = {"plug_entity": "binary_sensor.plug", "current_entity": "number.current"}
    assert control_kind_of(old) is ControlKind.CURRENT
    migrated = migrate_charger_options(old)
    assert migrated == {**old, "control_kind": "current"}


def test_command_latency_from_options() -> None:
    settings = ChargerSettings.from_options(
        {"plug_entity": "binary_sensor.plug", "switch_entity": "switch.a", "command_latency": 600}
    )
    assert settings.command_latency == 600
