"""Twins of chargers on the local network, and today's simple relay charger."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .twins import (
    EntitySpec,
    Quirks,
    States,
    Twin,
    disabled,
    enabled,
    enabled_allowed,
    mode_allowed,
    number,
    plug_sensor,
    select,
    set_disabled,
    status_sensor,
    switch,
)

if TYPE_CHECKING:
    from .device import Device


def _simple() -> Twin:
    # Today's simulated charger: a relay switch (on = charging) that reports at once, under the
    # caller's context. No real integration: a device the profiles do not know.
    allowed = enabled_allowed
    return Twin(
        profile="simple",
        domain="sim_charger",
        device_name="EV charger",
        manufacturer="Simulated",
        model="Relay",
        allowed=allowed,
        entities=(
            plug_sensor("plugged_in", "Plugged in"),
            switch("charging", "Charging", enabled),
            number("current", "Current", 6, 32),
        ),
    )


def _ocpp() -> Twin:
    # HACS ocpp: connector status (OCPP names), charge-control switch that starts and ends the
    # transaction, a maximum-current number (0 A pauses without ending it); websocket push.
    def allowed(device: Device) -> bool:
        return device.enabled and device.current > 0

    states = States("Available", "Charging", "SuspendedEV", "SuspendedEVSE", "SuspendedEVSE")
    return Twin(
        profile="ocpp",
        domain="ocpp",
        device_name="charger",
        manufacturer="OCPP",
        model="OCPP 1.6J charge point",
        allowed=allowed,
        quirks=Quirks(lag=0, poll=True),
        entities=(
            status_sensor("status_connector", "Status connector", allowed, states),
            switch("charge_control", "Charge control", lambda d: d.connected and d.enabled),
            number("maximum_current", "Maximum current", 0, 32),
        ),
    )


def _tesla_wall_connector() -> Twin:
    # core tesla_wall_connector: read only; whether a vehicle is connected, polled every 30 s.
    return Twin(
        profile="tesla_wall_connector",
        domain="tesla_wall_connector",
        device_name="Tesla Wall Connector",
        manufacturer="Tesla",
        model="Wall Connector Gen 3",
        allowed=enabled_allowed,
        quirks=Quirks(lag=30, poll=True),
        entities=(plug_sensor("vehicle_connected", "Vehicle connected"),),
    )


def _go_e() -> Twin:
    # HACS goecharger_api2: car binary sensor, car state, the force-state select frc ("0"
    # neutral, "1" don't charge, "2" charge), the amp number; local poll or push, seconds.
    allowed = mode_allowed("1")
    states = States("Idle", "Charging", "Complete", "Wait for car", "Wait for car")
    return Twin(
        profile="go_e",
        domain="goecharger_api2",
        device_name="goe 012345",
        manufacturer="go-e",
        model="Gemini",
        allowed=allowed,
        initial={"mode": "0"},
        quirks=Quirks(lag=2, poll=True),
        entities=(
            plug_sensor("car_0", "Car 0"),
            status_sensor("car_value", "Car value", allowed, states),
            select("frc", "frc", ("0", "1", "2")),
            number("amp", "amp", 6, 32),
        ),
    )


def _andersen() -> Twin:
    # andersen_ev: connector sensor ("Ready" = no car), a lock (locked = charging disabled)
    # that reports at once; the rest is polled every 60 s.
    def allowed(device: Device) -> bool:
        return device.enabled

    states = States("Ready", "Charging", "Connected", "Sleeping", "Disabled")
    return Twin(
        profile="andersen",
        domain="andersen_ev",
        device_name="Andersen A2",
        manufacturer="Andersen",
        model="A2",
        allowed=allowed,
        quirks=Quirks(lag=60, poll=True),
        entities=(
            status_sensor("connector", "Connector", allowed, states),
            EntitySpec(
                platform="lock", key="lock", name="Lock", read=disabled, write=set_disabled, lag=0
            ),
        ),
    )


def _indra() -> Twin:
    # HACS indra: cable-connected binary sensor, a lock-charger switch (on = locked, inverted);
    # polled every 60 s, and the written state can bounce back at the next poll.
    return Twin(
        profile="indra",
        domain="indra",
        device_name="Indra Smart PRO",
        manufacturer="Indra",
        model="Smart PRO",
        allowed=enabled_allowed,
        quirks=Quirks(lag=60, poll=True, stale_first=True),
        entities=(
            plug_sensor("cable_connected", "Cable connected"),
            switch("lock_charger", "Lock charger", disabled, set_disabled),
        ),
    )


TWINS: tuple[Twin, ...] = (
    _simple(),
    _ocpp(),
    _tesla_wall_connector(),
    _go_e(),
    _andersen(),
    _indra(),
)
