"""Twins of chargers reached through a cloud (polled, lagging)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .twins import (
    Brand,
    States,
    enabled,
    enabled_allowed,
    mirror_switch,
    mode,
    mode_allowed,
    number,
    plug_sensor,
    polled,
    select,
    status_sensor,
    switch,
    twin,
    when_connected,
)

if TYPE_CHECKING:
    from .device import Device
    from .twins import Twin, Value


def _easee_action(device: Device, data: dict[str, Any]) -> None:
    command = data.get("action_command")
    if command == "pause":
        device.paused = True
    elif command == "resume":
        device.paused = False


def _easee_allowed(device: Device) -> bool:
    return device.enabled and not device.paused


def _wallbox_pause_resume(device: Device) -> Value:
    # Off while paused or scheduled, unavailable without a car.
    if not device.connected:
        return None
    return device.enabled and not device.own_schedule


TWINS: tuple[Twin, ...] = (
    # core ohme: sensor status (enum) and select charge_mode, only available during a session;
    # the cloud is polled every 30 s.
    twin(
        Brand("ohme", "ohme", "Ohme Home Pro", "Ohme", "Home Pro"),
        mode_allowed("paused"),
        polled(30),
        status_sensor(
            "status",
            "Status",
            States("unplugged", "charging", "finished", "plugged_in", "paused"),
            ("unplugged", "pending_approval", "plugged_in", "charging", "paused", "finished"),
        ),
        select(
            "charge_mode",
            "Charge mode",
            ("smart_charge", "max_charge", "paused"),
            when_connected(mode),
        ),
        initial={"mode": "smart_charge"},
    ),
    # HACS myenergi (CJNE/ha-myenergi): a plain plug-status sensor with spoken states and a
    # charge-mode select; polled every 60 s, a mode change can take about 2 min to show.
    twin(
        Brand("zappi", "myenergi", "Zappi 12345678", "myenergi", "zappi"),
        mode_allowed("Stopped"),
        polled(120),
        status_sensor(
            "plug_status",
            "Plug status",
            States("EV Disconnected", "Charging", "Waiting for EV", "EV Connected", "EV Connected"),
        ),
        select("charge_mode", "Charge mode", ("Fast", "Eco", "Eco+", "Stopped")),
        initial={"mode": "Eco+"},
    ),
    # core wallbox: status description ("Ready" = no car), a pause/resume switch derived from the
    # status, a max-current number.
    twin(
        Brand("wallbox", "wallbox", "Wallbox Pulsar Plus", "Wallbox", "Pulsar Plus"),
        enabled_allowed,
        polled(45),
        status_sensor(
            "status_description",
            "Status description",
            States("Ready", "Charging", "Waiting for car demand", "Scheduled", "Paused"),
        ),
        switch("pause_resume", "Pause/resume", _wallbox_pause_resume),
        number("maximum_charging_current", "Maximum charging current", 6, 32),
    ),
    # HACS easee: status sensor, an is_enabled switch (not for frequent toggling); pause and
    # resume are the action easee.action_command; SignalR push, seconds.
    twin(
        Brand("easee", "easee", "Easee EH123456", "Easee", "Home"),
        _easee_allowed,
        polled(5),
        status_sensor(
            "status",
            "Status",
            States(
                "disconnected", "charging", "completed", "awaiting_smart_start", "awaiting_start"
            ),
        ),
        switch("is_enabled", "Is enabled", enabled),
        actions={"easee.action_command": _easee_action},
    ),
    # HACS hypervolt_charger: car-plugged binary sensor (V3), activation-mode select (re-read
    # every 5 min), a deprecated charging switch that follows "is charging", a max-current number.
    twin(
        Brand("hypervolt", "hypervolt_charger", "Hypervolt", "Hypervolt", "Home 3 Pro"),
        mode_allowed("Schedule"),
        polled(300),
        plug_sensor("car_plugged", "Car plugged"),
        mirror_switch("charging", "Charging", lag=5),
        select("activation_mode", "Activation mode", ("Plug and Charge", "Schedule", "Octopus")),
        number("max_current", "Max current", 6, 32),
        initial={"mode": "Plug and Charge"},
    ),
    # HACS pod_point: cable-status binary sensor, a charging-allowed switch (off adds a blocking
    # schedule, Smart mode only); polled every 5 min, a change can take 10 min to show.
    twin(
        Brand("pod_point", "pod_point", "Pod Point", "Pod Point", "Solo 3"),
        enabled_allowed,
        polled(600),
        plug_sensor("cable_status", "Cable status"),
        switch("charging_allowed", "Charging allowed", enabled),
    ),
    # HACS zaptec: charger mode sensor, a charging switch that is on only while charging (it flips
    # by itself when the car is full) and unavailable without a car; polled every 60 s.
    twin(
        Brand("zaptec", "zaptec", "Zaptec Go", "Zaptec", "Go"),
        enabled_allowed,
        polled(60),
        status_sensor(
            "charger_mode",
            "Charger mode",
            States(
                "disconnected",
                "connected_charging",
                "connected_finished",
                "connected_requesting",
                "connected_requesting",
            ),
            ("disconnected", "connected_requesting", "connected_charging", "connected_finished"),
        ),
        mirror_switch("charging", "Charging", only_connected=True),
    ),
    # core tesla_fleet: charge-cable binary sensor, charging state (enum), a charge switch that
    # follows the charging state, a charge-current number 0-32 A. Polled every 10 min; the switch
    # shows a command at once, and the next poll may still bring the old value.
    twin(
        Brand("tesla_car", "tesla_fleet", "Model Y", "Tesla", "Model Y"),
        enabled_allowed,
        polled(600, stale_first=True),
        plug_sensor("charge_cable", "Charge cable"),
        status_sensor(
            "charging",
            "Charging",
            States("disconnected", "charging", "complete", "stopped", "stopped"),
            ("starting", "charging", "stopped", "complete", "disconnected", "no_power"),
        ),
        mirror_switch("charge", "Charge"),
        number("charge_current", "Charge current", 0, 32),
    ),
)
