"""Charger profiles: what we know about each charger integration, as data.

A profile says, for the devices of one integration (recognised by their entities' platform),
which entity gives the plug state and which of its states mean a car or no car, how a pause is
expressed (the control kind, its entity and options or actions), the current number, how long the
charger takes to report a command (its command latency, with some margin), the Axle asset model
name when one is known, and a limit the user must know about. The charger step pre-fills its form
from it; the user can change every field.

Each profile carries the facts it is built on in a comment (from the integration's own source and
issue tracker, late 2026). To add a charger: add a ``ChargerProfile`` to ``PROFILES``.
Entities are found by their domain and the end of their entity id (``_status`` ...), which the
integrations derive from fixed entity names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from .const import (
    CONF_COMMAND_LATENCY,
    CONF_CONTROL_KIND,
    CONF_CURRENT_ENTITY,
    CONF_PAUSE_ACTION,
    CONF_PAUSE_ACTION_DATA,
    CONF_PAUSE_OPTION,
    CONF_PLUG_ENTITY,
    CONF_PLUGGED_STATES,
    CONF_PROFILE,
    CONF_RESUME_ACTION,
    CONF_RESUME_ACTION_DATA,
    CONF_RESUME_OPTION,
    CONF_UNPLUGGED_STATES,
)
from .controls import KIND_ENTITY, ControlKind

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# In an action's data, stands for the id of the device picked in the charger step.
DEVICE_ID: Final = "{device_id}"


@dataclass(frozen=True, slots=True)
class Role:
    """An entity of the device: its domain and how its entity id ends."""

    domain: str
    suffix: str

    def matches(self, entity_id: str) -> bool:
        """Whether ``entity_id`` is this entity."""
        domain, _, object_id = entity_id.partition(".")
        return domain == self.domain and (
            object_id == self.suffix or object_id.endswith(f"_{self.suffix}")
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerProfile:
    """What the charger step pre-fills for a device of one integration."""

    key: str  # also the translation key of its name and its limit (selector "charger_profile")
    platforms: tuple[str, ...]  # integration domains whose devices this profile reads
    plug: Role | None
    plugged_states: tuple[str, ...] = ()
    unplugged_states: tuple[str, ...] = ()
    control_kind: ControlKind | None = None  # None: Home Assistant cannot pause it
    control: Role | None = None
    pause_option: str | None = None
    resume_option: str | None = None  # None: the option it had before the pause
    pause_action: str | None = None
    pause_action_data: Mapping[str, Any] = field(default_factory=dict)
    resume_action: str | None = None
    resume_action_data: Mapping[str, Any] = field(default_factory=dict)
    current: Role | None = None
    command_latency: int = 30  # seconds, with margin over the charger's usual report delay
    asset_model: str | None = None  # Axle's model name, when known
    has_limit: bool = False  # the form shows this profile's limit text

    def prefill(self, entity_ids: Iterable[str], device_id: str) -> dict[str, Any]:
        """Return the charger options this profile suggests for a device with these entities."""
        entities = sorted(entity_ids)

        def find(role: Role | None) -> str | None:
            if role is None:
                return None
            return next((entity for entity in entities if role.matches(entity)), None)

        def with_device(data: Mapping[str, Any]) -> dict[str, Any]:
            return {k: device_id if v == DEVICE_ID else v for k, v in data.items()}

        options: dict[str, Any] = {
            CONF_PROFILE: self.key,
            CONF_COMMAND_LATENCY: self.command_latency,
        }
        if plug := find(self.plug):
            options[CONF_PLUG_ENTITY] = plug
            if self.plugged_states:
                options[CONF_PLUGGED_STATES] = list(self.plugged_states)
                options[CONF_UNPLUGGED_STATES] = list(self.unplugged_states)
        if current := find(self.current):
            options[CONF_CURRENT_ENTITY] = current
        kind = self.control_kind
        if kind is None:
            return options
        options[CONF_CONTROL_KIND] = kind.value
        if kind is ControlKind.ACTIONS:
            options[CONF_PAUSE_ACTION] = self.pause_action
            options[CONF_PAUSE_ACTION_DATA] = with_device(self.pause_action_data)
            options[CONF_RESUME_ACTION] = self.resume_action
            options[CONF_RESUME_ACTION_DATA] = with_device(self.resume_action_data)
            return options
        control = find(self.control)
        if control is None:
            return options
        options[KIND_ENTITY[kind]] = control
        if kind is ControlKind.SELECT:
            options[CONF_PAUSE_OPTION] = self.pause_option
            if self.resume_option is not None:
                options[CONF_RESUME_OPTION] = self.resume_option
        return options


PROFILES: Final[tuple[ChargerProfile, ...]] = (
    # Ohme (core ohme). sensor.*_status (enum): unplugged, pending_approval, plugged_in,
    # charging, paused, finished. select.*_charge_mode: smart_charge / max_charge / paused, only
    # available during a session. Cloud polled every 30 s. Ohme's cloud has refused the pause
    # command since late 2025 (core issues 157029, 161896): the limit says so.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="ohme",
        platforms=("ohme",),
        plug=Role("sensor", "status"),
        plugged_states=("pending_approval", "plugged_in", "charging", "paused", "finished"),
        unplugged_states=("unplugged",),
        control_kind=ControlKind.SELECT,
        control=Role("select", "charge_mode"),
        pause_option="paused",
        command_latency=60,
        has_limit=True,
    ),
    # myenergi zappi (HACS CJNE/ha-myenergi). sensor.*_plug_status: "EV Disconnected",
    # "EV Connected", "Waiting for EV", "EV ready to charge", "Charging", "Fault".
    # select.*_charge_mode: Fast / Eco / Eco+ / Stopped. Polled every 60 s; a mode change can
    # take about 2 min and the select shows the old mode meanwhile. Axle's model name: zappi.
    ChargerProfile(
        key="zappi",
        platforms=("myenergi",),
        plug=Role("sensor", "plug_status"),
        plugged_states=("EV Connected", "Waiting for EV", "EV ready to charge", "Charging"),
        unplugged_states=("EV Disconnected",),
        control_kind=ControlKind.SELECT,
        control=Role("select", "charge_mode"),
        pause_option="Stopped",
        command_latency=180,
        asset_model="zappi",
    ),
    # Wallbox (core wallbox). sensor.*_status_description: Charging, Paused, Scheduled,
    # "Waiting for car demand", "Locked, car connected", Ready (= no car), Disconnected.
    # switch.*_pause_resume: off = pause; derived from the status. number.*_maximum_charging_current
    # 6 A to max. Cloud poll; the API allows few calls a minute (429s seen).
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="wallbox",
        platforms=("wallbox",),
        plug=Role("sensor", "status_description"),
        plugged_states=(
            "Charging",
            "Paused",
            "Scheduled",
            "Waiting for car demand",
            "Locked, car connected",
            "Discharging",
            "Waiting",
        ),
        unplugged_states=("Ready", "Disconnected"),
        control_kind=ControlKind.SWITCH,
        control=Role("switch", "pause_resume"),
        current=Role("number", "maximum_charging_current"),
        command_latency=90,
    ),
    # Easee (HACS nordicopen/easee_hass). sensor.*_status: disconnected, awaiting_start,
    # charging, completed, ready_to_charge, awaiting_authorization, awaiting_smart_start.
    # switch.*_is_enabled exists but its maintainers advise against toggling it; pause and resume
    # are easee.action_command with device_id and action_command. Push plus 60 s poll.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="easee",
        platforms=("easee",),
        plug=Role("sensor", "status"),
        plugged_states=(
            "awaiting_start",
            "charging",
            "completed",
            "ready_to_charge",
            "awaiting_authorization",
            "awaiting_smart_start",
        ),
        unplugged_states=("disconnected",),
        control_kind=ControlKind.ACTIONS,
        pause_action="easee.action_command",
        pause_action_data={"device_id": DEVICE_ID, "action_command": "pause"},
        resume_action="easee.action_command",
        resume_action_data={"device_id": DEVICE_ID, "action_command": "resume"},
        command_latency=60,
        has_limit=True,
    ),
    # Hypervolt (HACS gndean/home-assistant-hypervolt-charger). binary_sensor.*_car_plugged
    # (V3 only). switch.*_charging follows "is charging" and is deprecated; charging is held off
    # by select.*_activation_mode "Schedule" (Plug and Charge / Schedule / Octopus), re-read
    # every 5 min. number.*_max_current 6-32 A.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="hypervolt",
        platforms=("hypervolt_charger",),
        plug=Role("binary_sensor", "car_plugged"),
        control_kind=ControlKind.SELECT,
        control=Role("select", "activation_mode"),
        pause_option="Schedule",
        current=Role("number", "max_current"),
        command_latency=360,
    ),
    # Pod Point (HACS mattrayner/pod-point-home-assistant-component).
    # binary_sensor.*_cable_status. switch.*_charging_allowed: off adds a blocking schedule; it
    # only works in Smart mode. Polled every 5 min; a change can take 10 min to show.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="pod_point",
        platforms=("pod_point",),
        plug=Role("binary_sensor", "cable_status"),
        control_kind=ControlKind.SWITCH,
        control=Role("switch", "charging_allowed"),
        command_latency=720,
        has_limit=True,
    ),
    # OCPP chargers (HACS lbbrhzn/ocpp). sensor.<id>_status_connector: Available, Preparing,
    # Charging, SuspendedEV, SuspendedEVSE, Finishing, Faulted. switch.<id>_charge_control ends
    # the transaction; number.<id>_maximum_current 0 A pauses without ending it. Push.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="ocpp",
        platforms=("ocpp",),
        plug=Role("sensor", "status_connector"),
        plugged_states=("Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"),
        unplugged_states=("Available",),
        control_kind=ControlKind.CURRENT,
        control=Role("number", "maximum_current"),
        current=Role("number", "maximum_current"),
        command_latency=30,
    ),
    # Zaptec (HACS custom-components/zaptec). sensor.*_charger_mode: disconnected,
    # connected_requesting, connected_charging, connected_finished. switch.*_charging: on only
    # while charging, off = stop, on = resume; unavailable when the command is not valid.
    # Polled every 60 s while charging.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="zaptec",
        platforms=("zaptec",),
        plug=Role("sensor", "charger_mode"),
        plugged_states=("connected_requesting", "connected_charging", "connected_finished"),
        unplugged_states=("disconnected",),
        control_kind=ControlKind.SWITCH,
        control=Role("switch", "charging"),
        command_latency=120,
    ),
    # Tesla cars (core tesla_fleet, teslemetry, tessie). binary_sensor.*_charge_cable (on when
    # connected). switch.*_charge (charge_start / charge_stop; wakes the car).
    # number.*_charge_current 0-32 A. Fleet polls every 10 min; the switch shows a command at once.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="tesla_car",
        platforms=("tesla_fleet", "teslemetry", "tessie"),
        plug=Role("binary_sensor", "charge_cable"),
        control_kind=ControlKind.SWITCH,
        control=Role("switch", "charge"),
        current=Role("number", "charge_current"),
        command_latency=720,
    ),
    # Tesla Wall Connector (core tesla_wall_connector). binary_sensor.*_vehicle_connected; read
    # only (local poll 30 s): the pause has to go through the car's own entities.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="tesla_wall_connector",
        platforms=("tesla_wall_connector",),
        plug=Role("binary_sensor", "vehicle_connected"),
        command_latency=720,
        has_limit=True,
    ),
    # go-e Charger (HACS marq24/ha-goecharger-api2). binary_sensor.*_car_0. select.*_frc:
    # "0" neutral, "1" don't charge, "2" charge. number.*_amp 6-32 A. Local poll or push.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="go_e",
        platforms=("goecharger_api2",),
        plug=Role("binary_sensor", "car_0"),
        control_kind=ControlKind.SELECT,
        control=Role("select", "frc"),
        pause_option="1",
        current=Role("number", "amp"),
        command_latency=30,
    ),
    # Andersen A2 (lwsrbrts/hassio-andersen-ev). sensor.*_connector: Ready (= no car), Connected,
    # Charging, Error, Sleeping, Disabled. lock.*_lock: locked = charging disabled, reported at
    # once; the rest polled every 60 s.
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="andersen",
        platforms=("andersen_ev",),
        plug=Role("sensor", "connector"),
        plugged_states=("Connected", "Charging", "Sleeping"),
        unplugged_states=("Ready",),
        control_kind=ControlKind.LOCK,
        control=Role("lock", "lock"),
        command_latency=90,
    ),
    # Indra Smart PRO (HACS guybw/IndraSmartPro). binary_sensor.*_cable_connected.
    # switch.*_lock_charger: on = locked (inverted); the written state can bounce back at the
    # next poll (60 s, 30-300).
    # No Axle model name is known for it: the model is left to the user.
    ChargerProfile(
        key="indra",
        platforms=("indra",),
        plug=Role("binary_sensor", "cable_connected"),
        control_kind=ControlKind.INVERTED_SWITCH,
        control=Role("switch", "lock_charger"),
        command_latency=120,
    ),
)

PROFILES_BY_KEY: Final[dict[str, ChargerProfile]] = {profile.key: profile for profile in PROFILES}


def profile_for_platforms(platforms: Iterable[str]) -> ChargerProfile | None:
    """Return the profile of a device whose entities come from these integrations, if any."""
    found = set(platforms)
    return next((profile for profile in PROFILES if found.intersection(profile.platforms)), None)
