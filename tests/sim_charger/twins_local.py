"""Twins of chargers on the local network, and today's simple relay charger."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .twins import (
    Brand,
    EntitySpec,
    Quirks,
    States,
    disabled,
    enabled,
    enabled_allowed,
    mode_allowed,
    number,
    plug_sensor,
    polled,
    select,
    set_disabled,
    status_sensor,
    switch,
    twin,
)

if TYPE_CHECKING:
    from .device import Device
    from .twins import Twin


def _ocpp_allowed(device: Device) -> bool:
    # A maximum current of 0 A pauses without ending the transaction.
    return device.enabled and device.current > 0


TWINS: tuple[Twin, ...] = (
    # Today's simulated charger: a relay switch (on = charging) that reports at once, under the
    # caller's context. No real integration: a device the profiles do not know.
    twin(
        Brand("simple", "sim_charger", "EV charger", "Simulated", "Relay"),
        enabled_allowed,
        Quirks(),
        plug_sensor("plugged_in", "Plugged in"),
        switch("charging", "Charging", enabled),
        number("current", "Current", 6, 32),
    ),
    # HACS ocpp: connector status (OCPP names), charge-control switch that starts and ends the
    # transaction, a maximum-current number (0 A pauses without ending it); websocket push.
    twin(
        Brand("ocpp", "ocpp", "charger", "OCPP", "OCPP 1.6J charge point"),
        _ocpp_allowed,
        polled(0),
        status_sensor(
            "status_connector",
            "Status connector",
            States("Available", "Charging", "SuspendedEV", "SuspendedEVSE", "SuspendedEVSE"),
        ),
        switch("charge_control", "Charge control", lambda d: d.connected and d.enabled),
        number("maximum_current", "Maximum current", 0, 32),
    ),
    # core tesla_wall_connector: read only; whether a vehicle is connected, polled every 30 s.
    twin(
        Brand(
            "tesla_wall_connector",
            "tesla_wall_connector",
            "Tesla Wall Connector",
            "Tesla",
            "Wall Connector Gen 3",
        ),
        enabled_allowed,
        polled(30),
        plug_sensor("vehicle_connected", "Vehicle connected"),
    ),
    # HACS goecharger_api2: car binary sensor, car state, the force-state select frc ("0"
    # neutral, "1" don't charge, "2" charge), the amp number; local poll or push, seconds.
    twin(
        Brand("go_e", "goecharger_api2", "goe 012345", "go-e", "Gemini"),
        mode_allowed("1"),
        polled(2),
        plug_sensor("car_0", "Car 0"),
        status_sensor(
            "car_value",
            "Car value",
            States("Idle", "Charging", "Complete", "Wait for car", "Wait for car"),
        ),
        select("frc", "frc", ("0", "1", "2")),
        number("amp", "amp", 6, 32),
        initial={"mode": "0"},
    ),
    # andersen_ev: connector sensor ("Ready" = no car), a lock (locked = charging disabled)
    # that reports at once; the rest is polled every 60 s.
    twin(
        Brand("andersen", "andersen_ev", "Andersen A2", "Andersen", "A2"),
        enabled_allowed,
        polled(60),
        status_sensor(
            "connector",
            "Connector",
            States("Ready", "Charging", "Connected", "Sleeping", "Disabled"),
        ),
        EntitySpec(
            platform="lock", key="lock", name="Lock", read=disabled, write=set_disabled, lag=0
        ),
    ),
    # HACS indra: cable-connected binary sensor, a lock-charger switch (on = locked, inverted);
    # polled every 60 s, and the written state can bounce back at the next poll.
    twin(
        Brand("indra", "indra", "Indra Smart PRO", "Indra", "Smart PRO"),
        enabled_allowed,
        polled(60, stale_first=True),
        plug_sensor("cable_connected", "Cable connected"),
        switch("lock_charger", "Lock charger", disabled, set_disabled),
    ),
)
