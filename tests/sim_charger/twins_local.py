"""Twins of chargers on the local network, and today's simple relay charger."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .twins import (
    EntitySpec,
    Quirks,
    Twin,
    disabled,
    enabled,
    enabled_allowed,
    mode,
    mode_allowed,
    number,
    plug_sensor,
    set_disabled,
    set_enabled,
    set_mode,
    status,
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
            EntitySpec(
                platform="switch",
                key="charging",
                name="Charging",
                read=enabled,
                write=set_enabled,
            ),
            number("current", "Current", 6, 32),
        ),
    )


def _ocpp() -> Twin:
    # HACS ocpp: connector status (OCPP names), charge-control switch that starts and ends the
    # transaction, a maximum-current number (0 A pauses without ending it); websocket push.
    def allowed(device: Device) -> bool:
        return device.enabled and device.current > 0

    return Twin(
        profile="ocpp",
        domain="ocpp",
        device_name="charger",
        manufacturer="OCPP",
        model="OCPP 1.6J charge point",
        allowed=allowed,
        quirks=Quirks(lag=0, poll=True),
        entities=(
            EntitySpec(
                platform="sensor",
                key="status_connector",
                name="Status connector",
                read=status(
                    allowed,
                    unplugged="Available",
                    charging_state="Charging",
                    full="SuspendedEV",
                    own_schedule="SuspendedEVSE",
                    stopped="SuspendedEVSE",
                ),
            ),
            EntitySpec(
                platform="switch",
                key="charge_control",
                name="Charge control",
                read=lambda d: d.connected and d.enabled,
                write=set_enabled,
            ),
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
            EntitySpec(
                platform="sensor",
                key="car_value",
                name="Car value",
                read=status(
                    allowed,
                    unplugged="Idle",
                    charging_state="Charging",
                    full="Complete",
                    own_schedule="Wait for car",
                    stopped="Wait for car",
                ),
            ),
            EntitySpec(
                platform="select",
                key="frc",
                name="frc",
                options=("0", "1", "2"),
                read=mode,
                write=set_mode,
            ),
            number("amp", "amp", 6, 32),
        ),
    )


def _andersen() -> Twin:
    # andersen_ev: connector sensor ("Ready" = no car), a lock (locked = charging disabled)
    # that reports at once; the rest is polled every 60 s.
    def allowed(device: Device) -> bool:
        return device.enabled

    return Twin(
        profile="andersen",
        domain="andersen_ev",
        device_name="Andersen A2",
        manufacturer="Andersen",
        model="A2",
        allowed=allowed,
        quirks=Quirks(lag=60, poll=True),
        entities=(
            EntitySpec(
                platform="sensor",
                key="connector",
                name="Connector",
                read=status(
                    allowed,
                    unplugged="Ready",
                    charging_state="Charging",
                    full="Connected",
                    own_schedule="Sleeping",
                    stopped="Disabled",
                ),
            ),
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
            EntitySpec(
                platform="switch",
                key="lock_charger",
                name="Lock charger",
                read=disabled,
                write=set_disabled,
            ),
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
