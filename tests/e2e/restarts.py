"""The end-to-end story's restarts: Home Assistant stopped, then killed, in the middle of a pause.

Either way the stored pause runs to its end and the charger is switched back on then; at the end
both processes are stopped and nothing of them may be left.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .chargers import CURRENT, PLUG, RELAY, SWITCH, set_restored_states
from .processes import processes_mentioning
from .rest import wait_for
from .sessions import plug_in
from .story import BOUNDARY_TOLERANCE, STARTUP_TIMEOUT, assert_near, seconds_until

if TYPE_CHECKING:
    from .story import Story

# Home Assistant restarts this far into the second pause (it starts in a few seconds here).
RESTART_INTO_PAUSE = timedelta(seconds=5)


async def restart_during_second_pause(story: Story) -> None:
    """Step 4: unplug, plug in again, and restart Home Assistant while that pause runs."""
    assert story.ws is not None
    await story.hass.call_service("input_boolean", "turn_off", entity_id=PLUG)
    # An unplug counts once it has lasted the settle time (60 s by default).
    await wait_for(lambda: story.states_are("unplugged", "off"), 75, "status unplugged")
    story.log("unplugged")
    pause_start, pause_end = await plug_in(story)
    assert len(await story.simulator.requests(story.main_schedule_path)) == 2

    wait = (pause_end - datetime.now(UTC)).total_seconds()
    off = await story.ws.wait_for_change(
        SWITCH, "off", after=pause_start - timedelta(seconds=5), within=wait
    )
    assert_near(off.changed_at, pause_start, "the charger switched off (second pause)")
    story.note(
        "pause 2 start",
        pause_start,
        story.relay_changed("off", pause_start - BOUNDARY_TOLERANCE),
    )
    # Restart a few seconds into the pause, once everything has settled on "paused".
    await wait_for(lambda: story.states_are("paused", "on"), 5, "status paused, pause on")
    await asyncio.sleep(seconds_until(pause_start + RESTART_INTO_PAUSE))
    story.log("second pause running; restarting Home Assistant")
    await story.ws.close()
    story.ws = None

    exit_code = await asyncio.to_thread(story.deployment.hass.stop)
    assert exit_code == 0, f"hass exited with {exit_code}"
    assert not story.deployment.hass.group_alive()
    story.log("Home Assistant stopped")
    await story.start_home_assistant()
    await story.hass.refresh()
    await wait_for(story.running, STARTUP_TIMEOUT, "Home Assistant to finish starting again")
    story.log(f"Home Assistant back; pause ends in {seconds_until(pause_end):.1f} s")
    assert datetime.now(UTC) < pause_end, "the restart took longer than the pause"

    await wait_until_back_on(story, pause_end)
    story.note("pause 2 end, after a restart", pause_end, await story.relay_last_changed())
    story.log("charger back on after the restart")
    await wait_for(lambda: story.states_are(None, "off"), 5, "pause sensor off")


async def wait_until_back_on(story: Story, pause_end: datetime) -> None:
    """Wait for the charger to be switched back on, at the latest just after ``pause_end``."""

    async def charger_on() -> bool:
        return bool((await story.hass.state(SWITCH))["state"] == "on")

    deadline = pause_end + BOUNDARY_TOLERANCE
    try:
        await wait_for(charger_on, seconds_until(deadline), "the charger to be back on")
    except AssertionError as err:
        raise AssertionError(f"{err}; now {await story.describe()}") from None
    assert datetime.now(UTC) <= deadline + timedelta(seconds=0.5)


async def restart_after_kill(story: Story, pause_end: datetime) -> None:
    """Start Home Assistant again after a kill, with the charger as a kill leaves it."""
    # A real charger is still paused, with the car in; the simulated one is told so.
    set_restored_states(story.deployment.config_dir, {PLUG: "on", RELAY: "off"})
    await story.start_home_assistant()
    await story.hass.refresh()
    await wait_for(story.running, STARTUP_TIMEOUT, "Home Assistant to finish starting again")
    story.log(f"Home Assistant back; pause ends in {seconds_until(pause_end):.1f} s")
    assert datetime.now(UTC) < pause_end, "the restart took longer than the pause"


async def kill_during_third_pause(story: Story) -> None:
    """Step 5: a new session (Flex Lite off and on again), and a SIGKILL while its pause runs.

    Nothing is put back and nothing saved on the way out; after the restart the stored pause
    runs to its end, the charger is switched back on then, and Axle hears nothing more.
    """
    await story.connect_websocket()
    assert story.ws is not None
    participation = ("switch", story.participation_entity)
    await story.hass.call_service("switch", "turn_off", entity_id=story.participation_entity)
    await wait_for(
        lambda: story.states_are("not_participating", "off"), 10, "Flex Lite switched off"
    )
    pause_start, pause_end = await plug_in(story, participation)
    sent = len(await story.simulator.requests(story.main_schedule_path))
    assert sent == 3, sent
    wait = (pause_end - datetime.now(UTC)).total_seconds()
    after = pause_start - timedelta(seconds=5)
    off = await story.ws.wait_for_change(SWITCH, "off", after=after, within=wait)
    assert_near(off.changed_at, pause_start, "the charger switched off (third pause)")
    story.note("pause 3 start", pause_start, story.relay_changed("off", after))
    await wait_for(lambda: story.states_are("paused", "on"), 5, "status paused, pause on")
    story.log("third pause running; killing Home Assistant (SIGKILL)")
    await story.ws.close()
    story.ws = None
    exit_code = await asyncio.to_thread(story.deployment.hass.kill)
    assert exit_code == -9, f"hass exited with {exit_code}"
    assert not story.deployment.hass.group_alive()
    await restart_after_kill(story, pause_end)
    assert (await story.hass.state(RELAY))["state"] == "off", await story.describe()

    await wait_until_back_on(story, pause_end)
    back_on = await story.relay_last_changed()
    assert_near(back_on, pause_end, "the charger switched back on after the kill")
    story.note("pause 3 end, after a kill", pause_end, back_on)
    await wait_for(lambda: story.states_are("charging", "off"), 5, "status charging")
    assert float((await story.hass.state(CURRENT))["state"]) == 16
    assert len(await story.simulator.requests(story.main_schedule_path)) == sent
    story.log("charger back on after the kill; no second schedule")


async def stop_everything(story: Story) -> None:
    """Step 6: stop both processes and make sure nothing of them is left."""
    for process in story.deployment.processes():
        exit_code = await asyncio.to_thread(process.stop)
        assert not process.group_alive(), f"{process.name} left processes behind"
        story.log(f"{process.name} stopped (exit code {exit_code})")
    leftovers = processes_mentioning(str(story.deployment.config_dir)) + processes_mentioning(
        f"--port {story.deployment.simulator_port}"
    )
    assert leftovers == [], leftovers
