# ruff: noqa: S101  (a pytest module: assert guards each measurement)
"""Calls per session on a frozen clock: two weeks of nights, Axle's calls and the charger's."""

from __future__ import annotations

from datetime import datetime, time as wall_time, timedelta
import itertools
import math
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from homeassistant.const import SERVICE_TURN_OFF, SERVICE_TURN_ON, STATE_OFF, STATE_ON

from custom_components.axle_flex_lite import const
from tests.helpers import change_options, controller_of
from tests.plugins.integration import SWITCH, TIME_ZONE

from ..results import Figure, record
from .shared import BALANCE_PATH, SCHEDULE_PATH, ChargerCommand, run_until, watch_switch_calls

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

SECTION_CALLS = "Calls (frozen clock, 14 nights)"
LOGIN_PATH = "/auth/token-form"
NIGHTS = 14


async def test_calls_per_session(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
) -> None:
    """Two weeks of nights: a pause each night, a window edit and an override now and then."""
    controller = controller_of(init_integration)
    calls: list[ChargerCommand] = []
    watch_switch_calls(hass, SWITCH, calls)
    axle_simulator.requests.clear()
    started = clock.now
    local = ZoneInfo(TIME_ZONE)
    user_changes = 0
    hour = timedelta(hours=1)

    for night in range(NIGHTS):
        evening = datetime.combine(
            started.astimezone(local).date() + timedelta(days=night), wall_time(18), local
        )
        await run_until(clock, controller, evening, hour, axle_simulator)
        await charger.plug_in()
        if night % 7 == 3:
            # The household moves the window's start while plugged in: one more schedule.
            await clock.advance(hour)
            await change_options(hass, init_integration, {const.CONF_WINDOW_START: "22:30:00"})
            user_changes += 1
        if night % 7 == 5:
            # The household switches charging back on ten minutes into the pause: an override.
            pause_start = controller.next_pause
            assert pause_start is not None
            await run_until(
                clock, controller, pause_start[0] + timedelta(minutes=10), hour, axle_simulator
            )
            await charger.set_switch(True)
            user_changes += 1
        await run_until(clock, controller, evening + timedelta(hours=13), hour, axle_simulator)
        await charger.unplug()
        if night % 7 == 3:
            await change_options(hass, init_integration, {const.CONF_WINDOW_START: "23:30:00"})

    hours = (clock.now - started).total_seconds() / 3600
    schedules = len(axle_simulator.requests_to(SCHEDULE_PATH))
    logins = len(axle_simulator.requests_to(LOGIN_PATH))
    axle_calls = len(axle_simulator.requests)
    # The balance's age: the longest time the rewards sensors went without a fresh balance.
    fetched = [request.at for request in axle_simulator.requests_to(BALANCE_PATH)]
    marks = [started, *fetched, clock.now]
    # To the minute: the coordinator's timer runs up to a second after its due time.
    oldest_minutes = round(max((b - a).total_seconds() for a, b in itertools.pairwise(marks)) / 60)
    oldest_hours = oldest_minutes / 60
    redundant = [
        call
        for call in calls
        if (call.service, call.state_before)
        in ((SERVICE_TURN_OFF, STATE_OFF), (SERVICE_TURN_ON, STATE_ON))
    ]
    assert len(controller.history) == NIGHTS
    for figure in (
        calls_figure(
            "charger commands per session",
            len(charger.service_calls) / NIGHTS,
            "2 (off, on)",
            note="overridden nights send only the off: the household's switch-on stands",
        ),
        calls_figure("redundant charger commands", len(redundant), "0", not redundant),
        calls_figure(
            "schedules per plug-in or user change",
            schedules / (NIGHTS + user_changes),
            "1",
            schedules == NIGHTS + user_changes,
            f"{schedules} schedules for {NIGHTS} plug-ins and {user_changes} user changes",
        ),
        # One login an hour at most, and one more for the first hour's part.
        calls_figure(
            "logins per hour",
            logins / hours,
            "<= 1",
            logins <= hours + 1,
            f"{logins} logins in {hours:.0f} h",
        ),
        calls_figure(
            "Axle calls per session (all kinds)",
            axle_calls / NIGHTS,
            "<= 6",
            axle_calls / NIGHTS <= 6,
            f"{axle_calls} calls in {NIGHTS} nights: {logins} logins, {schedules} schedules,"
            f" {len(fetched)} balance fetches (a fetch on its own needs a login: tokens live 1 h)",
        ),
        calls_floor_figure(),
        Figure(
            section=SECTION_CALLS,
            name="rewards balance, maximum age",
            unit="h",
            value=oldest_hours,
            target="<= 6",
            met=oldest_hours <= 6,
        ),
    ):
        record(figure)


def calls_figure(
    name: str, value: float, target: str, met: bool | None = None, note: str = ""
) -> Figure:
    """Return a figure of the calls section: a count and its target."""
    return Figure(
        section=SECTION_CALLS,
        name=name,
        unit="",
        value=value,
        target=target,
        met=met,
        note=note,
    )


def calls_floor_figure() -> Figure:
    """Return the fewest Axle calls a day with one plug-in while the balance stays fresh.

    Reads at most ``REWARDS_UPDATE_INTERVAL`` apart make at least 24 h / 6 h = 4 a day; a token
    lives an hour and Axle gives no refresh token, so reads hours apart each need a login. Only
    the plug-in's login (for its schedule) can serve one of them too.
    """
    reads = math.ceil(timedelta(days=1) / const.REWARDS_UPDATE_INTERVAL)
    logins = reads  # one per read, the plug-in's shared with one read
    floor = reads + logins + 1  # + the plug-in's schedule
    return Figure(
        section=SECTION_CALLS,
        name="Axle calls per day, floor with the balance never over 6 h old",
        unit="",
        value=floor,
        note=f"{reads} balance reads + {logins} logins (tokens live 1 h, no refresh token) + 1"
        " schedule: the 6-call target cannot be met while the balance is read every 6 h. Here the"
        " unplug (a read) comes 11 h before the next plug-in, so a read sharing the plug-in's"
        " login costs a fifth read: 10 a day",
    )
