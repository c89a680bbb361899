"""The fault matrix's night: one row per way the world can fail us, each run through a whole night.

Every row ends the same way: the car is unplugged in the morning, and the test checks that the
charger is where its user wants it, that the integration sent exactly the commands the row calls
for, and that nothing went into the log as an error or with a traceback (a fault must be handled,
not escape). Axle is the simulator over loopback; the rows that need answers no simulator fault
produces (blocks outside the window, overlapping blocks) swap its schedule logic for the test.

The night: plug-in at 18:00 UTC on 25 November 2026 (GMT), window 23:30-05:30, and the simulator's
"price" pause 02:00-02:30 UTC. ``night`` is the row's night (``Night``); the rows are in the
``test_fault_matrix_*`` modules, by the kind of fault: Axle's, Home Assistant's, the charger's and
its user's.
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
import pytest

from custom_components.axle_flex_lite import const
from tests.helpers import COORDINATOR_FAILURES, SCHEDULE_PATH, utc
from tests.plugins.integration import PLUG, SWITCH

if TYPE_CHECKING:
    from datetime import datetime

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

LOGIN_PATH = "/auth/token-form"

PAUSE = (utc(26, 2), utc(26, 2, 30))
MORNING = utc(26, 7)


def assert_nothing_unhandled(caplog: pytest.LogCaptureFixture) -> None:
    """No error and no traceback in the log, from any logger."""
    unhandled = [
        f"{record.name} {record.levelname}: {record.getMessage()}"
        for record in caplog.records
        if (
            record.exc_info is not None
            and record.exc_info[0] is not None
            # Home Assistant 2026.x's coordinator adds the handled failure's traceback at DEBUG.
            and not (record.levelno == logging.DEBUG and record.getMessage() == "Full error:")
        )
        or (
            record.levelno >= logging.ERROR
            and not record.getMessage().startswith(COORDINATOR_FAILURES)
        )
    ]
    assert unhandled == []


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def assert_as_the_user_wants(charger: SimulatedCharger, *, switch_on: bool = True) -> None:
    """The charger is back to the user's settings: switch as they left it, current untouched."""
    assert charger.switch_on is switch_on
    assert charger.current_value == 16


def night_options(changes: dict[str, Any]) -> dict[str, Any]:
    """The night's entry options without the charger's switch and current, plus ``changes``."""
    return {
        const.CONF_PLUG_ENTITY: PLUG,
        const.CONF_WINDOW_START: "23:30:00",
        const.CONF_WINDOW_END: "05:30:00",
        const.CONF_CONTROL_MODE: "pause_only",
        const.CONF_UNPLUG_SETTLE: 0,
        **changes,
    }


@dataclass(frozen=True, slots=True)
class Night:
    """A row's night: the simulated charger, the clock, Axle and the log, and how each row ends."""

    charger: SimulatedCharger
    clock: Clock
    axle: AxleSimulator
    caplog: pytest.LogCaptureFixture

    def schedules_sent(self) -> int:
        """Return how many plug-in schedules reached the simulator."""
        return len(self.axle.requests_to(SCHEDULE_PATH))

    async def step_to(self, when: datetime) -> None:
        """Move the clock to ``when``, stopping at each edge of the pause on the way."""
        for moment in (*PAUSE, when):
            if self.clock.now < moment <= when:
                await self.clock.move_to(moment)

    async def run(self, *, until: datetime = MORNING) -> None:
        """Step through the pause's edges to the morning, then unplug."""
        await self.step_to(until)
        await self.charger.unplug()

    def assert_ends(
        self,
        calls: list[tuple[str, str, None]],
        *,
        schedules: int | None = None,
        switch_on: bool = True,
    ) -> None:
        """How a row ends: exactly these commands (and schedules), the user's charger, no fault."""
        assert self.charger.calls() == calls
        if schedules is not None:
            assert self.schedules_sent() == schedules
        assert_as_the_user_wants(self.charger, switch_on=switch_on)
        assert_nothing_unhandled(self.caplog)

    async def assert_own_schedule_all_night(self) -> None:
        """Past the one retry and through the night: Axle asked once, the charger never touched."""
        await self.clock.advance(const.FALLBACK_RETRY_DELAY)
        await self.run()
        self.assert_ends([], schedules=1)


@pytest.fixture
def night(
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
) -> Night:
    """The row's night (the entry itself comes from the fixture the row asks for)."""
    return Night(charger, clock, axle_simulator, caplog)


class SwitchWatch:
    """When the charger switch turned off and on (to check it is off only inside pauses)."""

    def __init__(self, hass: HomeAssistant, entity_id: str = SWITCH) -> None:
        """Follow the switch's state changes."""
        self.changes: list[tuple[datetime, str]] = []

        @callback
        def on_change(event: Event[EventStateChangedData]) -> None:
            new_state = event.data["new_state"]
            if event.data["entity_id"] == entity_id and new_state is not None:
                self.changes.append((new_state.last_changed, new_state.state))

        hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
