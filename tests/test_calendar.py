"""Tests of the charging schedule calendar: the current session and the stored history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from custom_components.axle_flex_lite.api import ScheduleBlock
from custom_components.axle_flex_lite.calendar import session_events
from custom_components.axle_flex_lite.const import DOMAIN
from custom_components.axle_flex_lite.controller import Session

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home
    from tests.plugins.integration import Clock, SimulatedCharger

NIGHT_1 = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
PAUSE_1 = (datetime(2026, 11, 26, 2, 0, tzinfo=UTC), datetime(2026, 11, 26, 2, 30, tzinfo=UTC))
UNPLUGGED_1 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
EVENING_2 = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
NIGHT_2 = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
PAUSE_2 = (datetime(2026, 11, 27, 2, 0, tzinfo=UTC), datetime(2026, 11, 27, 2, 30, tzinfo=UTC))
MORNING_2 = datetime(2026, 11, 27, 5, 30, tzinfo=UTC)


def calendar_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Find the charging schedule calendar."""
    found = er.async_get(hass).async_get_entity_id(
        CALENDAR_DOMAIN, DOMAIN, f"{entry.entry_id}_charging_schedule"
    )
    assert found is not None
    return found


async def events_between(
    hass: HomeAssistant, target: str, start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime]]:
    """The calendar's events in a range, through the calendar's own action."""
    response: Any = await hass.services.async_call(
        CALENDAR_DOMAIN,
        "get_events",
        {ATTR_ENTITY_ID: target, "start_date_time": start, "end_date_time": end},
        blocking=True,
        return_response=True,
    )
    return [
        (
            event["summary"],
            dt_util.as_utc(datetime.fromisoformat(event["start"])),
            dt_util.as_utc(datetime.fromisoformat(event["end"])),
        )
        for event in response[target]["events"]
    ]


async def test_current_and_next_event(home: Home) -> None:
    """The calendar shows the next event, then the running one, switching at its edges."""
    target = calendar_id(home.hass, home.entry)
    assert home.hass.states.get(target).state == STATE_OFF
    assert home.hass.states.get(target).attributes.get("message") is None

    await home.charger.plug_in()
    shown = home.hass.states.get(target)
    assert shown.state == STATE_OFF
    assert shown.attributes["message"] == "Charging"
    assert shown.attributes["start_time"] == "2026-11-25 23:30:00"
    assert shown.attributes["end_time"] == "2026-11-26 02:00:00"

    await home.clock.move_to(NIGHT_1)
    assert home.hass.states.get(target).state == STATE_ON
    await home.clock.move_to(PAUSE_1[0] + timedelta(minutes=10))
    shown = home.hass.states.get(target)
    assert shown.state == STATE_ON
    assert shown.attributes["message"] == "Flex pause"
    assert shown.attributes["end_time"] == "2026-11-26 02:30:00"


async def test_events_of_the_session_and_the_history(
    hass: HomeAssistant,
    plugged_in: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """Ranges return the events overlapping them, finished sessions cut where they ended."""
    target = calendar_id(hass, plugged_in)
    first_night = [
        ("Charging", NIGHT_1, PAUSE_1[0]),
        ("Flex pause", *PAUSE_1),
        ("Charging", PAUSE_1[1], datetime(2026, 11, 26, 5, 30, tzinfo=UTC)),
    ]
    assert await events_between(hass, target, clock.now, clock.now + timedelta(days=1)) == (
        first_night
    )
    # Only what overlaps the range: the pause and the blocks touching it.
    assert await events_between(
        hass, target, PAUSE_1[0] + timedelta(minutes=5), PAUSE_1[1] - timedelta(minutes=5)
    ) == [("Flex pause", *PAUSE_1)]

    await clock.move_to(UNPLUGGED_1)
    await charger.unplug()
    await clock.move_to(EVENING_2)
    await charger.plug_in()

    both_nights = await events_between(hass, target, NIGHT_1 - timedelta(hours=1), MORNING_2)
    assert both_nights == [
        ("Charging", NIGHT_1, PAUSE_1[0]),
        ("Flex pause", *PAUSE_1),
        # The car left at 03:00: the history shows what happened, not what was planned.
        ("Charging", PAUSE_1[1], UNPLUGGED_1),
        ("Charging", NIGHT_2, PAUSE_2[0]),
        ("Flex pause", *PAUSE_2),
        ("Charging", PAUSE_2[1], MORNING_2),
    ]
    assert await events_between(hass, target, NIGHT_1, UNPLUGGED_1) == both_nights[:3]
    assert await events_between(hass, target, MORNING_2, MORNING_2 + timedelta(days=1)) == []
    # The next event is tonight's, not last night's.
    assert hass.states.get(target).attributes["start_time"] == "2026-11-26 23:30:00"


def test_session_waiting_for_axle() -> None:
    """Before Axle answers, the schedule sent stands in for the charging blocks."""
    block = ScheduleBlock(start=NIGHT_1, end=NIGHT_1 + timedelta(hours=6))
    session = Session(
        session_id="abc", plugged_in_at=NIGHT_1 - timedelta(hours=5), submitted=(block,)
    )
    events = session_events(session)
    assert [(event.summary, event.start, event.end) for event in events] == [
        ("Charging", block.start, block.end)
    ]
    assert events[0].uid == "abc-charging-0"


def test_session_that_ended_before_its_window() -> None:
    """A session unplugged before its window began leaves no event."""
    block = ScheduleBlock(start=NIGHT_1, end=NIGHT_1 + timedelta(hours=6))
    session = Session(
        session_id="abc",
        plugged_in_at=NIGHT_1 - timedelta(hours=5),
        submitted=(block,),
        ended_at=NIGHT_1 - timedelta(hours=1),
    )
    assert session_events(session) == []
