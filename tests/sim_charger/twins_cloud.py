"""Twins of chargers reached through a cloud (polled, lagging)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .twins import (
    Quirks,
    States,
    Twin,
    Value,
    enabled,
    enabled_allowed,
    mirror,
    mode,
    mode_allowed,
    number,
    plug_sensor,
    select,
    status_sensor,
    switch,
    when_connected,
)

if TYPE_CHECKING:
    from .device import Device


def _ohme() -> Twin:
    # core ohme: sensor status (enum) and select charge_mode, only available during a session;
    # the cloud is polled every 30 s.
    allowed = mode_allowed("paused")
    states = States("unplugged", "charging", "finished", "plugged_in", "paused")
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
            status_sensor(
                "status",
                "Status",
                allowed,
                states,
                options=(
                    "unplugged",
                    "pending_approval",
                    "plugged_in",
                    "charging",
                    "paused",
                    "finished",
                ),
            ),
            select(
                "charge_mode",
                "Charge mode",
                ("smart_charge", "max_charge", "paused"),
                when_connected(mode),
            ),
        ),
    )


def _zappi() -> Twin:
    # HACS myenergi (CJNE/ha-myenergi): a plain plug-status sensor with spoken states and a
    # charge-mode select; polled every 60 s, a mode change can take about 2 min to show.
    allowed = mode_allowed("Stopped")
    states = States("EV Disconnected", "Charging", "Waiting for EV", "EV Connected", "EV Connected")
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
            status_sensor("plug_status", "Plug status", allowed, states),
            select("charge_mode", "Charge mode", ("Fast", "Eco", "Eco+", "Stopped")),
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

    states = States("Ready", "Charging", "Waiting for car demand", "Scheduled", "Paused")
    return Twin(
        profile="wallbox",
        domain="wallbox",
        device_name="Wallbox Pulsar Plus",
        manufacturer="Wallbox",
        model="Pulsar Plus",
        allowed=allowed,
        quirks=Quirks(lag=45, poll=True),
        entities=(
            status_sensor("status_description", "Status description", allowed, states),
            switch("pause_resume", "Pause/resume", pause_resume),
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

    states = States(
        "disconnected", "charging", "completed", "awaiting_smart_start", "awaiting_start"
    )
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
            status_sensor("status", "Status", allowed, states),
            switch("is_enabled", "Is enabled", enabled),
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
            switch("charging", "Charging", mirror(allowed), lag=5),
            select(
                "activation_mode", "Activation mode", ("Plug and Charge", "Schedule", "Octopus")
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
            switch("charging_allowed", "Charging allowed", enabled),
        ),
    )


def _zaptec() -> Twin:
    # HACS zaptec: charger mode sensor, a charging switch that is on only while charging (it flips
    # by itself when the car is full) and unavailable without a car; polled every 60 s.
    allowed = enabled_allowed
    states = States(
        "disconnected",
        "connected_charging",
        "connected_finished",
        "connected_requesting",
        "connected_requesting",
    )
    return Twin(
        profile="zaptec",
        domain="zaptec",
        device_name="Zaptec Go",
        manufacturer="Zaptec",
        model="Go",
        allowed=allowed,
        quirks=Quirks(lag=60, poll=True),
        entities=(
            status_sensor(
                "charger_mode",
                "Charger mode",
                allowed,
                states,
                options=(
                    "disconnected",
                    "connected_requesting",
                    "connected_charging",
                    "connected_finished",
                ),
            ),
            switch("charging", "Charging", when_connected(mirror(allowed))),
        ),
    )


def _tesla_car() -> Twin:
    # core tesla_fleet: charge-cable binary sensor, charging state (enum), a charge switch that
    # follows the charging state, a charge-current number 0-32 A. Polled every 10 min; the switch
    # shows a command at once, and the next poll may still bring the old value.
    allowed = enabled_allowed
    states = States("disconnected", "charging", "complete", "stopped", "stopped")
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
            status_sensor(
                "charging",
                "Charging",
                allowed,
                states,
                options=("starting", "charging", "stopped", "complete", "disconnected", "no_power"),
            ),
            switch("charge", "Charge", mirror(allowed)),
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
