"""The forms and answers of the flows the end-to-end test runs against the simulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .chargers import CURRENT, CURRENT_2, PLUG, PLUG_2, SWITCH, SWITCH_2

if TYPE_CHECKING:
    from datetime import datetime, time

# The simulator's default account, and a home it accepts (a valid MPAN core).
SIM_USERNAME = "ha-partner"
SIM_PASSWORD = "sim-password"
MPAN = "2000012345672"


def simulated_charger_flow(
    simulator_url: str, *, window_start: datetime | time, window_end: datetime | time
) -> list[tuple[str, dict[str, Any]]]:
    """Return the config flow's forms and answers for the simulated charger and the simulator."""
    return [
        (
            "user",
            {
                "environment": "custom",
                "username": SIM_USERNAME,
                "password": SIM_PASSWORD,
                "base_url": simulator_url,
            },
        ),
        (
            "site",
            {
                "mpan": MPAN,
                "street_address": "1 Test Street, London",
                "postcode": "sw1a1aa",
                "email": "driver@example.com",
            },
        ),
        # The simulator's meter table does not list this MPAN: a half-hourly-settled home.
        ("eligibility", {}),
        (
            "charger",
            {
                "plug_entity": PLUG,
                "switch_entity": SWITCH,
                "current_entity": CURRENT,
                "power_kw": 7.4,
            },
        ),
        ("charger_details", {"asset_model": "axle_charger_v1"}),  # a model Axle knows
        (
            "schedule",
            {
                "window_start": window_start.strftime("%H:%M:00"),
                "window_end": window_end.strftime("%H:%M:00"),
                "control_mode": "pause_only",
            },
        ),
        ("consent", {"consent": True}),
    ]


def second_charger_flow(
    *, window_start: datetime | time, window_end: datetime | time
) -> list[tuple[str, dict[str, Any]]]:
    """Return the "Add charger" subentry flow's forms and answers for the second charger."""
    return [
        (
            "charger",
            {
                "plug_entity": PLUG_2,
                "switch_entity": SWITCH_2,
                "current_entity": CURRENT_2,
                "power_kw": 7.4,
            },
        ),
        ("charger_details", {"asset_model": "axle_charger_v1"}),
        (
            "schedule",
            {
                "window_start": window_start.strftime("%H:%M:00"),
                "window_end": window_end.strftime("%H:%M:00"),
                "control_mode": "pause_only",
            },
        ),
    ]
