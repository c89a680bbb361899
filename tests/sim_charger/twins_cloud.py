"""Twins of chargers reached through a cloud (polled, lagging)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .twins import (
    EntitySpec,
    Quirks,
    Twin,
    Value,
    enabled,
    enabled_allowed,
    mirror,
    mode,
    mode_allowed,
    number,
    plug_sensor,
    set_enabled,
    set_mode,
    status,
    when_connected,
)

if TYPE_CHECKING:
    from .device import Device


def _ohme() -> Twin:
    # core ohme: sensor status (enum) and select charge_mode, only available during a session;
    # the cloud is polled every 30 s.
    allowed = mode_allowed("paused")
    return Twin(
        profile="ohme",
        domain="ohme",
        device_name="Ohme Home Pro",
        manufacturer="Ohme",
        model="Home Pro",
        allowed=allowed,
        initial={"mode": "smart_charge"},
        quirks=Quirks(lag=30, poll=True),
        entities=(
            EntitySpec(
                platform="sensor",
                key="status",
                name="Status",
                device_class="enum",
                options=(
                    "unplugged",
                    "pending_approval",
                    "plugged_in",
                    "charging",
                    "paused",
                    "finished",
                ),
                read=status(
                    allowed,
                    unplugged="unplugged",
                    charging_state="charging",
                    full="finished",
                    own_schedule="plugged_in",
                    stopped="paused",
                ),
            ),
            EntitySpec(
                platform="select",
                key="charge_mode",
                name="Charge mode",
                options=("smart_charge", "max_charge", "paused"),
                read=when_connected(mode),
                write=set_mode,
            ),
        ),
    )


def _zappi() -> Twin:
    # HACS myenergi (CJNE/ha-myenergi): a plain plug-status sensor with spoken states and a
    # charge-mode select; polled every 60 s, a mode change can take about 2 min to show.
    allowed = mode_allowed("Stopped")
    return Twin(
        profile="zappi",
        domain="myenergi",
        device_name="Zappi 12345678",
        manufacturer="myenergi",
        model="zappi",
        allowed=allowed,
        initial={"mode": "Eco+"},
        quirks=Quirks(lag=120, poll=True),
        entities=(
            EntitySpec(
                platform="sensor",
                key="plug_status",
                name="Plug status",
                read=status(
                    allowed,
                    unplugged="EV Disconnected",
                    charging_state="Charging",
                    full="Waiting for EV",
                    own_schedule="EV Connected",
                    stopped="EV Connected",
                ),
            ),
            EntitySpec(
                platform="select",
                key="charge_mode",
                name="Charge mode",
                options=("Fast", "Eco", "Eco+", "Stopped"),
                read=mode,
                write=set_mode,
            ),
        ),
    )


def _wallbox() -> Twin:
    # core wallbox: status description ("Ready" = no car), a pause/resume switch derived from the
    # status (off while paused or scheduled, unavailable without a car), a max-current number.
    allowed = enabled_allowed

    def pause_resume(device: Device) -> Value:
        if not device.connected:
            return None
        return device.enabled and not device.own_schedule

    return Twin(
        profile="wallbox",
        domain="wallbox",
        device_name="Wallbox Pulsar Plus",
        manufacturer="Wallbox",
        model="Pulsar Plus",
        allowed=allowed,
        quirks=Quirks(lag=45, poll=True),
        entities=(
            EntitySpec(
                platform="sensor",
                key="status_description",
                name="Status description",
                read=status(
                    allowed,
                    unplugged="Ready",
                    charging_state="Charging",
                    full="Waiting for car demand",
                    own_schedule="Scheduled",
                    stopped="Paused",
                ),
            ),
            EntitySpec(
                platform="switch",
                key="pause_resume",
                name="Pause/resume",
                read=pause_resume,
                write=set_enabled,
            ),
            number("maximum_charging_current", "Maximum charging current", 6, 32),
        ),
    )


def _easee_action(device: Device, data: dict[str, Any]) -> None:
    command = data.get("action_command")
    if command == "pause":
        device.paused = True
    elif command == "resume":
        device.paused = False


def _easee() -> Twin:
    # HACS easee: status sensor, an is_enabled switch (not for frequent toggling); pause and
    # resume are the action easee.action_command; SignalR push, seconds.
    def allowed(device: Device) -> bool:
        return device.enabled and not device.paused

    return Twin(
        profile="easee",
        domain="easee",
        device_name="Easee EH123456",
        manufacturer="Easee",
        model="Home",
        allowed=allowed,
        quirks=Quirks(lag=5, poll=True),
        actions={"easee.action_command": _easee_action},
        entities=(
            EntitySpec(
                platform="sensor",
                key="status",
                name="Status",
                read=status(
                    allowed,
                    unplugged="disconnected",
                    charging_state="charging",
                    full="completed",
                    own_schedule="awaiting_smart_start",
                    stopped="awaiting_start",
                ),
            ),
            EntitySpec(
                platform="switch",
                key="is_enabled",
                name="Is enabled",
                read=enabled,
                write=set_enabled,
            ),
        ),
    )


def _hypervolt() -> Twin:
    # HACS hypervolt_charger: car-plugged binary sensor (V3), activation-mode select (re-read
    # every 5 min), a deprecated charging switch that follows "is charging", a max-current number.
    allowed = mode_allowed("Schedule")
    return Twin(
        profile="hypervolt",
        domain="hypervolt_charger",
        device_name="Hypervolt",
        manufacturer="Hypervolt",
        model="Home 3 Pro",
        allowed=allowed,
        initial={"mode": "Plug and Charge"},
        quirks=Quirks(lag=300, poll=True),
        entities=(
            plug_sensor("car_plugged", "Car plugged"),
            EntitySpec(
                platform="switch",
                key="charging",
                name="Charging",
                read=mirror(allowed),
                write=set_enabled,
                lag=5,
            ),
            EntitySpec(
                platform="select",
                key="activation_mode",
                name="Activation mode",
                options=("Plug and Charge", "Schedule", "Octopus"),
                read=mode,
                write=set_mode,
            ),
            number("max_current", "Max current", 6, 32),
        ),
    )


def _pod_point() -> Twin:
    # HACS pod_point: cable-status binary sensor, a charging-allowed switch (off adds a blocking
    # schedule, Smart mode only); polled every 5 min, a change can take 10 min to show.
    return Twin(
        profile="pod_point",
        domain="pod_point",
        device_name="Pod Point",
        manufacturer="Pod Point",
        model="Solo 3",
        allowed=enabled_allowed,
        quirks=Quirks(lag=600, poll=True),
        entities=(
            plug_sensor("cable_status", "Cable status"),
            EntitySpec(
                platform="switch",
                key="charging_allowed",
                name="Charging allowed",
                read=enabled,
                write=set_enabled,
            ),
        ),
    )


def _zaptec() -> Twin:
    # HACS zaptec: charger mode sensor, a charging switch that is on only while charging (it flips
    # by itself when the car is full) and unavailable without a car; polled every 60 s.
    allowed = enabled_allowed
    return Twin(
        profile="zaptec",
        domain="zaptec",
        device_name="Zaptec Go",
        manufacturer="Zaptec",
        model="Go",
        allowed=allowed,
        quirks=Quirks(lag=60, poll=True),
        entities=(
            EntitySpec(
                platform="sensor",
                key="charger_mode",
                name="Charger mode",
                device_class="enum",
                options=(
                    "disconnected",
                    "connected_requesting",
                    "connected_charging",
                    "connected_finished",
                ),
                read=status(
                    allowed,
                    unplugged="disconnected",
                    charging_state="connected_charging",
                    full="connected_finished",
                    own_schedule="connected_requesting",
                    stopped="connected_requesting",
                ),
            ),
            EntitySpec(
                platform="switch",
                key="charging",
                name="Charging",
                read=when_connected(mirror(allowed)),
                write=set_enabled,
            ),
        ),
    )


def _tesla_car() -> Twin:
    # core tesla_fleet: charge-cable binary sensor, charging state (enum), a charge switch that
    # follows the charging state, a charge-current number 0-32 A. Polled every 10 min; the switch
    # shows a command at once, and the next poll may still bring the old value.
    allowed = enabled_allowed
    return Twin(
        profile="tesla_car",
        domain="tesla_fleet",
        device_name="Model Y",
        manufacturer="Tesla",
        model="Model Y",
        allowed=allowed,
        quirks=Quirks(lag=600, poll=True, stale_first=True),
        entities=(
            plug_sensor("charge_cable", "Charge cable"),
            EntitySpec(
                platform="sensor",
                key="charging",
                name="Charging",
                device_class="enum",
                options=("starting", "charging", "stopped", "complete", "disconnected", "no_power"),
                read=status(
                    allowed,
                    unplugged="disconnected",
                    charging_state="charging",
                    full="complete",
                    own_schedule="stopped",
                    stopped="stopped",
                ),
            ),
            EntitySpec(
                platform="switch",
                key="charge",
                name="Charge",
                read=mirror(allowed),
                write=set_enabled,
            ),
            number("charge_current", "Charge current", 0, 32),
        ),
    )


TWINS: tuple[Twin, ...] = (
    _ohme(),
    _zappi(),
    _wallbox(),
    _easee(),
    _hypervolt(),
    _pod_point(),
    _zaptec(),
    _tesla_car(),
)
