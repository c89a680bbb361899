"""A real Home Assistant with the integration, driven through its public APIs against the simulator.

The story: onboard Home Assistant, add the integration through the config flow, plug the simulated
car in, watch Axle's pause switch the charger off and on at the right moments (real clock), then
restart Home Assistant in the middle of a second pause and check the charger is back on when the
pause ends; then kill it (SIGKILL: no stop event, nothing saved on the way out) in the middle of a
third pause and check the same, with no second schedule sent to Axle. Alongside the first pause,
a second charger of the same home (added with "Add charger", the charger subentry flow) is plugged
in and gets its own pause at Axle, starting earlier and ending later than the first one's: each
charger is paused and put back on its own schedule, the first while the second stays paused. Two
more homes are set up from their charger's device (the charger step's device picker) with
simulated twins of real chargers, a select-based one and a lagging cloud one, and each is paused
and put back the same way.

Each charger command's lateness against the plan is noted and printed at the end of the run (a
table in the terminal summary): for the helper-based charger, when its relay changed; for the
twins, when the integration's action call reached them (they report it only after their lag).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp

from .chargers import TWIN_CHARGERS
from .processes import DOMAIN
from .restarts import kill_during_third_pause, restart_during_second_pause, stop_everything
from .sessions import plug_in, run_second_charger, run_twin, watch_pause
from .setup_steps import (
    add_integration,
    add_second_charger,
    add_twin_entry,
    check_no_repairs,
    check_onboarded_in_simulator,
    find_entities,
    onboard,
    start_processes,
)
from .story import Story

if TYPE_CHECKING:
    from .chargers import Lateness
    from .conftest import Deployment


async def run_story(deployment: Deployment, lateness: list[Lateness]) -> None:
    """Run every step in order."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        story = Story(deployment, session, lateness)
        await start_processes(story)
        await onboard(story)
        entry_id = await add_integration(story)
        await check_onboarded_in_simulator(story)
        await check_no_repairs(story)
        await find_entities(story, entry_id)
        await add_second_charger(story)
        for profile in TWIN_CHARGERS:
            await add_twin_entry(story, profile)
        pause_start, pause_end = await plug_in(story)
        assert len(await story.simulator.requests(story.main_schedule_path)) == 1
        # The second charger's and the twins' sessions run alongside the first pause.
        others = asyncio.gather(
            run_second_charger(story, (pause_start, pause_end)),
            *(run_twin(story, profile) for profile in TWIN_CHARGERS),
        )
        await watch_pause(story, pause_start, pause_end)
        await others
        assert len(await story.simulator.requests(story.main_schedule_path)) == 1
        await restart_during_second_pause(story)
        await kill_during_third_pause(story)
        await stop_everything(story)


def test_plug_in_pause_and_restart(deployment: Deployment, lateness: list[Lateness]) -> None:
    """The whole story against a real Home Assistant; about three minutes."""
    assert Path(deployment.config_dir, "custom_components", DOMAIN).is_symlink()
    asyncio.run(run_story(deployment, lateness))
