"""The end-to-end story's charging sessions: plug in, and each charger paused and put back on time.

The first charger's pause is watched on the real clock, while the second charger's (which brackets
it) and the twins' run alongside.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .chargers import (
    PLUG,
    PLUG_2,
    POWER,
    POWER_2,
    RELAY_2,
    SWITCH,
    SWITCH_2,
    TWIN_CHARGERS,
    TWIN_SETUP,
)
from .rest import wait_for
from .story import (
    BOUNDARY_TOLERANCE,
    PAUSE_LENGTH,
    PAUSE_OFFSET,
    PLUG_IN_SCHEDULE,
    SECOND_PAUSE_LENGTH,
    SECOND_PAUSE_OFFSET,
    assert_near,
    parse_time,
    whole_second_after,
)

if TYPE_CHECKING:
    from .story import Story


async def plug_in(
    story: Story, start: tuple[str, str] = ("input_boolean", PLUG)
) -> tuple[datetime, datetime]:
    """Plug the car in; return the pause Axle (the simulator) cut into the schedule.

    ``start`` is what is turned on to start the session: the plug, or Flex Lite itself.
    """
    before = len(await story.simulator.requests(story.main_schedule_path))
    await story.hass.call_service(start[0], "turn_on", entity_id=start[1])

    async def new_request() -> list[dict[str, Any]] | None:
        requests = await story.simulator.requests(story.main_schedule_path)
        return requests if len(requests) > before else None

    requests = await wait_for(new_request, 15, "the plug-in schedule to reach the simulator")
    assert len(requests) == before + 1, requests
    expected_start = parse_time(requests[-1]["at"]) + timedelta(seconds=PAUSE_OFFSET)

    # The integration shows the pause from the simulator's answer. The simulator starts pauses
    # on whole seconds and timestamp sensors show whole seconds, so the sensors give the exact
    # boundaries; they must agree with the time of the request.
    async def announced() -> tuple[datetime, datetime] | None:
        pause = await story.next_pause()
        if pause is None or abs(pause[0] - expected_start) > timedelta(seconds=1.5):
            return None
        return pause

    pause_start, pause_end = await wait_for(announced, 10, "the integration to show the pause")
    assert pause_end - pause_start == timedelta(seconds=PAUSE_LENGTH)
    story.log(f"plug-in schedule sent; pause {pause_start:%H:%M:%S}-{pause_end:%H:%M:%S}")
    status = (await story.hass.state(story.status_entity))["state"]
    assert status in {"waiting", "charging"}, status
    assert (await story.hass.state(story.pause_entity))["state"] == "off"
    assert (await story.hass.state(SWITCH))["state"] == "on"
    return pause_start, pause_end


async def watch_pause(story: Story, pause_start: datetime, pause_end: datetime) -> None:
    """Step 3: the charger goes off at the pause start and on at its end; sensors follow."""
    assert story.ws is not None
    plugged_at = datetime.now(UTC)
    wait = (pause_end - plugged_at).total_seconds() + 10
    off = await story.ws.wait_for_change(SWITCH, "off", after=plugged_at, within=wait)
    assert_near(off.changed_at, pause_start, "the charger switched off")
    story.log(f"charger off {(off.changed_at - pause_start).total_seconds():+.2f} s from start")
    await wait_for(lambda: story.states_are("paused", "on"), 5, "status paused, pause on")
    assert (await story.hass.state(POWER))["state"] == "0"

    on = await story.ws.wait_for_change(SWITCH, "on", after=off.changed_at, within=wait)
    assert_near(on.changed_at, pause_end, "the charger switched back on")
    story.log(f"charger on {(on.changed_at - pause_end).total_seconds():+.2f} s from end")
    await wait_for(lambda: story.states_are(None, "off"), 5, "pause sensor off")
    status = (await story.hass.state(story.status_entity))["state"]
    assert status == "charging", status
    power = float((await story.hass.state(POWER))["state"])
    assert power == 16 * 230, power
    switch_changes = [
        change.state for change in story.ws.changes[SWITCH] if change.changed_at > plugged_at
    ]
    assert switch_changes == ["off", "on"], switch_changes
    story.note("pause 1 start", pause_start, story.relay_changed("off", plugged_at))
    story.note("pause 1 end", pause_end, story.relay_changed("on", off.changed_at))


async def run_second_charger(story: Story, first_pause: tuple[datetime, datetime]) -> None:
    """Plug the second car in while the first charges; its own pause brackets the first's.

    Its pause starts before the first charger's and ends after it: the first charger is put
    back on at its own pause end while the second stays paused, and the second is put back at
    its end, each exactly once and without touching the other.
    """
    assert story.ws is not None
    plugged_at = datetime.now(UTC)
    await story.hass.call_service("input_boolean", "turn_on", entity_id=PLUG_2)
    (request,) = await wait_for(
        lambda: story.simulator.requests(story.second_schedule_path),
        15,
        "the second charger's plug-in schedule",
    )
    expected_start = parse_time(request["at"]) + timedelta(seconds=SECOND_PAUSE_OFFSET)

    async def announced() -> tuple[datetime, datetime] | None:
        pause = await story.next_pause(story.second)
        if pause is None or abs(pause[0] - expected_start) > timedelta(seconds=1.5):
            return None
        return pause

    pause_start, pause_end = await wait_for(announced, 10, "the second charger's pause to show")
    assert pause_end - pause_start == timedelta(seconds=SECOND_PAUSE_LENGTH)
    first_start, first_end = first_pause
    assert pause_start < first_start, (pause_start, first_pause)
    assert pause_end > first_end, (pause_end, first_pause)
    story.log(f"second charger: pause {pause_start:%H:%M:%S}-{pause_end:%H:%M:%S}")

    wait = (pause_end - datetime.now(UTC)).total_seconds() + 10
    off = await story.ws.wait_for_change(SWITCH_2, "off", after=plugged_at, within=wait)
    assert_near(off.changed_at, pause_start, "the second charger switched off")
    # Its pause began on its own: the first charger went off only later, at its own start.
    first_off = await story.ws.wait_for_change(SWITCH, "off", after=plugged_at, within=wait)
    assert first_off.changed_at > off.changed_at + BOUNDARY_TOLERANCE, (first_off, off)
    # The first charger's pause ends (watch_pause checks it is back on then) while this one
    # stays paused.
    first_on = await story.ws.wait_for_change(SWITCH, "on", after=first_start, within=wait)
    assert first_on.changed_at < pause_end - BOUNDARY_TOLERANCE, first_on
    await asyncio.sleep(1)  # a command to the wrong charger would show within a second
    assert (await story.hass.state(SWITCH_2))["state"] == "off", await story.describe()
    assert (await story.hass.state(story.second["pause_active"]))["state"] == "on"
    assert (await story.hass.state(story.second["status"]))["state"] == "paused"
    story.log("first charger back on; the second still paused")

    on = await story.ws.wait_for_change(SWITCH_2, "on", after=off.changed_at, within=wait)
    assert_near(on.changed_at, pause_end, "the second charger switched back on")

    async def charging() -> bool:
        status = (await story.hass.state(story.second["status"]))["state"]
        pause = (await story.hass.state(story.second["pause_active"]))["state"]
        return bool(status == "charging" and pause == "off")

    await wait_for(charging, 5, "the second charger's status charging, pause off")
    assert float((await story.hass.state(POWER_2))["state"]) == 16 * 230
    changes = [c.state for c in story.ws.changes[SWITCH_2] if c.changed_at > plugged_at]
    assert changes == ["off", "on"], changes
    first_changes = [c.state for c in story.ws.changes[SWITCH] if c.changed_at > plugged_at]
    assert first_changes == ["off", "on"], first_changes
    assert len(await story.simulator.requests(story.second_schedule_path)) == 1
    story.note(
        "charger 2 pause start", pause_start, story.relay_changed("off", plugged_at, RELAY_2)
    )
    story.note("charger 2 pause end", pause_end, story.relay_changed("on", off.changed_at, RELAY_2))
    # Unplugged now, so the later steps' sessions are the first charger's alone.
    await story.hass.call_service("input_boolean", "turn_off", entity_id=PLUG_2)
    story.log("second charger: off and on with its own pause, then unplugged")


async def run_twin(story: Story, profile: str) -> None:
    """Plug the twin in; its control goes to paused for Axle's pause, then back as it was."""
    assert story.ws is not None
    _, entity_id, paused, mpan = TWIN_SETUP[profile]
    lag = timedelta(seconds=TWIN_CHARGERS[profile]["lag"])
    before = (await story.hass.state(entity_id))["state"]
    plugged_at = datetime.now(UTC)
    site = (await story.simulator.state())["sites"][mpan]
    schedule_path = f"{site['assets'][0]['id']}/event/{PLUG_IN_SCHEDULE}"
    await story.hass.call_service("sim_charger", "plug_in", profile=profile)
    (request,) = await wait_for(
        lambda: story.simulator.requests(schedule_path), 15, f"{profile}'s plug-in schedule"
    )
    pause_start = whole_second_after(parse_time(request["at"])) + timedelta(seconds=PAUSE_OFFSET)
    pause_end = pause_start + timedelta(seconds=PAUSE_LENGTH)
    within = PAUSE_OFFSET + PAUSE_LENGTH + 30
    off = await story.ws.wait_for_change(entity_id, paused, after=plugged_at, within=within)
    # The charger reports the command after its lag, under its own context: not an override.
    assert (
        pause_start - BOUNDARY_TOLERANCE
        <= off.changed_at
        <= pause_start + lag + (BOUNDARY_TOLERANCE)
    ), (profile, off.changed_at, pause_start)
    back = await story.ws.wait_for_change(entity_id, before, after=off.changed_at, within=within)
    assert (
        pause_end - BOUNDARY_TOLERANCE <= back.changed_at <= pause_end + lag + (BOUNDARY_TOLERANCE)
    ), (profile, back.changed_at, pause_end)
    changes = [c.state for c in story.ws.changes[entity_id] if c.changed_at > plugged_at]
    assert changes == [paused, before], (profile, changes)
    pause_call = story.ws.first_call_to(entity_id, after=plugged_at)
    assert pause_call is not None, profile
    put_back = story.ws.first_call_to(entity_id, after=pause_call.at)
    assert put_back is not None, profile
    story.note(f"{profile} pause start", pause_start, pause_call.at)
    story.note(f"{profile} pause end", pause_end, put_back.at)
    await story.hass.call_service("sim_charger", "unplug", profile=profile)
    story.log(f"{profile}: {entity_id} {before} -> {paused} -> {before} with Axle's pause")
