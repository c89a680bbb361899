"""Fault matrix: one row per way the world can fail us, each run through a whole night.

Every row ends the same way: the car is unplugged in the morning, and the test checks that the
charger is where its user wants it, that the integration sent exactly the commands the row calls
for, and that nothing went into the log as an error or with a traceback (a fault must be handled,
not escape). Axle is the simulator over loopback; the rows that need answers no simulator fault
produces (blocks outside the window, overlapping blocks) swap its schedule logic for the test.

The night: plug-in at 18:00 UTC on 25 November 2026 (GMT), window 23:30-05:30, and the simulator's
"price" pause 02:00-02:30 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import logging
import socket
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_PASSWORD,
    CONF_USERNAME,
    EVENT_STATE_CHANGED,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
)
from homeassistant.core import (
    Event,
    EventStateChangedData,
    HomeAssistant,
    ServiceCall,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite.const import (
    CONF_ASSET_ID,
    CONF_BASE_URL,
    CONF_CONTROL_MODE,
    CONF_CURRENT_ENTITY,
    CONF_EXTERNAL_ID,
    CONF_MPAN,
    CONF_PLUG_ENTITY,
    CONF_POWER_KW,
    CONF_SITE_ID,
    CONF_SWITCH_ENTITY,
    CONF_UNPLUG_SETTLE,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DOMAIN,
    FALLBACK_RETRY_DELAY,
    ISSUE_CHARGER_ENTITY_MISSING,
    ISSUE_CHARGER_NOT_RESPONDING,
    ISSUE_CONSENT_MISSING,
    UNSET_COMMAND_LATENCY,
)
from custom_components.axle_flex_lite.controller import SessionController, SessionStatus
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import COORDINATOR_FAILURES, follow_notifications
from tests.plugins.integration import (
    CONSENT_AT,
    MPAN,
    PLUG,
    SWITCH,
    SimulatedCharger,
)
from tools.axle_simulator.state import DEFAULT_USERNAME, LIMITED_PAUSE, AssetInput, SiteInput

if TYPE_CHECKING:
    from tests.plugins.integration import Clock
    from tools.axle_simulator import AxleSimulator

SCHEDULE_PATH = "plug-in-schedule"
LOGIN_PATH = "/auth/token-form"
OFF = (SWITCH, "turn_off", None)
ON = (SWITCH, "turn_on", None)


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """Return a UTC time in 2026 (November unless told)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


PAUSE = (utc(26, 2), utc(26, 2, 30))
WINDOW = (utc(25, 23, 30), utc(26, 5, 30))
MORNING = utc(26, 7)


def controller_of(entry: MockConfigEntry) -> SessionController:
    """Return the entry's session controller."""
    controller: SessionController = entry.runtime_data.controller
    return controller


def schedules_sent(simulator: AxleSimulator) -> int:
    """Return how many plug-in schedules reached the simulator."""
    return len(simulator.requests_to(SCHEDULE_PATH))


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


async def assert_own_schedule_all_night(
    clock: Clock,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Past the one retry and through the night: Axle asked once, the charger never touched."""
    await clock.advance(FALLBACK_RETRY_DELAY)
    await run_night(clock, charger)

    assert schedules_sent(axle_simulator) == 1
    assert charger.calls() == []
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def assert_as_the_user_wants(charger: SimulatedCharger, *, switch_on: bool = True) -> None:
    """The charger is back to the user's settings: switch as they left it, current untouched."""
    assert charger.switch_on is switch_on
    assert charger.current_value == 16


async def step_to(clock: Clock, when: datetime) -> None:
    """Move the clock to ``when``, stopping at each edge of the pause on the way."""
    for moment in (*PAUSE, when):
        if clock.now < moment <= when:
            await clock.move_to(moment)


async def run_night(clock: Clock, charger: SimulatedCharger, *, until: datetime = MORNING) -> None:
    """Step through the pause's edges to the morning, then unplug."""
    await step_to(clock, until)
    await charger.unplug()


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


# Axle failing at plug-in


@pytest.mark.parametrize(
    ("fault", "retried"),
    [
        ({"status": 500}, True),
        ({"status": 502}, True),
        ({"status": 503}, True),
        ({"kind": "timeout"}, True),
        ({"kind": "malformed"}, False),
        ({"kind": "missing_fields"}, False),
        (
            {"status": 422, "detail": [{"loc": ["body"], "msg": "bad", "type": "value_error"}]},
            False,
        ),
    ],
    ids=["500", "502", "503", "timeout", "malformed_json", "missing_fields", "422"],
)
async def test_axle_fault_at_plug_in(
    hass: HomeAssistant,
    *,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    fault: dict[str, Any],
    retried: bool,
    controller: SessionController,
) -> None:
    """A failed schedule leaves the charger alone; a passing failure is asked once more."""
    axle_simulator.fail_next(SCHEDULE_PATH, **fault)
    await charger.plug_in(wait=False)
    await clock.drive(hass.async_block_till_done())
    assert controller.status is SessionStatus.FALLBACK

    await clock.advance(FALLBACK_RETRY_DELAY)
    if retried:
        # The simulator answers the retry: Axle's pause applies after all.
        assert schedules_sent(axle_simulator) == 2
        assert controller.status is SessionStatus.WAITING
        expected: list[tuple[str, str, None]] = [OFF, ON]
    else:
        assert schedules_sent(axle_simulator) == 1
        assert controller.status is SessionStatus.FALLBACK
        expected = []
    await run_night(clock, charger)

    assert charger.calls() == expected
    assert schedules_sent(axle_simulator) == (2 if retried else 1)
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


def refused_port() -> int:
    """Return a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_axle_connection_refused(
    hass: HomeAssistant,
    clock: Clock,
    charger: SimulatedCharger,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Axle unreachable from the start: the entry still loads and the night is the user's own.

    The client waits a moment between retries of a refused connection, so the frozen clock is
    driven through every step.
    """
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        data={**config_entry.data, CONF_BASE_URL: f"http://127.0.0.1:{refused_port()}"},
    )
    assert await clock.drive(hass.config_entries.async_setup(config_entry.entry_id))
    await clock.drive(hass.async_block_till_done())
    assert config_entry.state is ConfigEntryState.LOADED
    controller = controller_of(config_entry)

    await charger.plug_in(wait=False)
    await clock.drive(hass.async_block_till_done())
    assert controller.status is SessionStatus.FALLBACK
    assert controller.last_api_error is not None
    assert controller.last_api_error.startswith("AxleConnectionError")
    await clock.drive(clock.advance(FALLBACK_RETRY_DELAY))
    assert controller.status is SessionStatus.FALLBACK
    for moment in (*PAUSE, MORNING):
        await clock.drive(clock.move_to(moment))
    await charger.unplug(wait=False)
    # The session's end asks for the rewards balance, which retries in the background too.
    await clock.drive(hass.async_block_till_done(wait_background_tasks=True))

    assert charger.calls() == []
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


@pytest.mark.parametrize(
    "answer",
    [
        # Starts an hour before the window opens: charging the user did not ask for.
        lambda blocks: [(blocks[0][0] - timedelta(hours=1), blocks[-1][1])],
        # Two blocks that overlap.
        lambda blocks: [
            (blocks[0][0], blocks[0][0] + timedelta(hours=3)),
            (blocks[0][0] + timedelta(hours=2), blocks[-1][1]),
        ],
    ],
    ids=["blocks_outside_the_window", "overlapping_blocks"],
)
async def test_axle_answers_nonsense(
    init_integration: MockConfigEntry,
    *,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    answer: Any,
) -> None:
    """An answer that breaks the rules is not followed: the user's own window applies."""
    monkeypatch.setattr(
        axle_simulator, "plug_in_schedule", lambda owner, asset_id, blocks: answer(blocks)
    )
    controller = controller_of(init_integration)
    await charger.plug_in()
    assert controller.status is SessionStatus.FALLBACK
    await assert_own_schedule_all_night(clock, charger, axle_simulator, caplog)


# Axle refusing


async def test_token_expired_mid_session(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """Axle forgets the token (401) mid-session: one new login, the schedule goes through."""
    # Just after a rewards refresh, so the client holds a token it believes fresh.
    await clock.move_to(utc(26, 1) + timedelta(seconds=30))
    await init_integration.runtime_data.rewards.async_refresh()
    axle_simulator.expire_tokens()
    logins = len(axle_simulator.requests_to(LOGIN_PATH))

    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, CONF_WINDOW_END: "06:00:00"}
    )
    await hass.async_block_till_done()

    # The refused schedule, one new login, the same schedule again: nothing else.
    after_expiry = [request.path for request in axle_simulator.requests][-3:]
    assert [path.rsplit("/", 1)[-1] for path in after_expiry] == [
        SCHEDULE_PATH,
        "token-form",
        SCHEDULE_PATH,
    ]
    assert len(axle_simulator.requests_to(LOGIN_PATH)) == logins + 1
    assert schedules_sent(axle_simulator) == 3
    assert controller.status is SessionStatus.CHARGING
    assert controller.next_pause == PAUSE
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    await run_night(clock, charger)

    assert charger.calls() == [OFF, ON]
    assert schedules_sent(axle_simulator) == 3
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


async def test_credentials_refused_during_a_pause(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """A 401 that a new login does not cure: re-authentication, and the pause ends at once."""
    await step_to(clock, utc(26, 2, 10))
    assert not charger.switch_on
    # The partner's password was changed at Axle: tokens die and logins are refused.
    axle_simulator.accounts[DEFAULT_USERNAME] = "changed-elsewhere"
    axle_simulator.expire_tokens()

    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, CONF_WINDOW_END: "06:00:00"}
    )
    await hass.async_block_till_done()

    assert controller.status is SessionStatus.FALLBACK
    assert charger.switch_on
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    await run_night(clock, charger)

    assert charger.calls() == [OFF, ON]
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


async def test_consent_missing(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """403: the site is not enrolled. Repair issue, own schedule, and no more asking."""
    axle_simulator.sites[MPAN].enrolled.discard(LIMITED_PAUSE)
    await charger.plug_in()
    assert controller_of(init_integration).status is SessionStatus.FALLBACK
    issue_id = f"{ISSUE_CONSENT_MISSING}_{init_integration.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await run_night(clock, charger)

    # The next night is not sent either until consent is given again.
    await clock.move_to(utc(26, 18))
    await charger.plug_in()
    await run_night(clock, charger, until=utc(27, 7))

    assert schedules_sent(axle_simulator) == 1
    assert charger.calls() == []
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


async def test_asset_unknown(
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """404: Axle no longer knows the charger. Own schedule, not asked again this session."""
    axle_simulator.sites[MPAN].assets.clear()
    await charger.plug_in()
    assert controller_of(init_integration).status is SessionStatus.FALLBACK
    await assert_own_schedule_all_night(clock, charger, axle_simulator, caplog)


# Home Assistant restarting


async def restart(
    hass: HomeAssistant, entry: MockConfigEntry, clock: Clock, down: timedelta
) -> None:
    """Stop the entry, keep Home Assistant down for ``down``, then start it again."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await clock.advance(down)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("stop_at", "down", "expected"),
    [
        # Before the pause: it is still applied, from what was stored.
        (utc(26, 1), timedelta(minutes=5), [OFF, ON]),
        # During the pause: put back at the stop, paused again for the rest of it.
        (utc(26, 2, 10), timedelta(minutes=5), [OFF, ON, OFF, ON]),
        # During the pause, back after it ended: put back at the stop, nothing more.
        (utc(26, 2, 10), timedelta(minutes=35), [OFF, ON]),
        # After the pause.
        (utc(26, 3), timedelta(minutes=5), [OFF, ON]),
    ],
    ids=["before_pause", "during_pause", "during_pause_back_after_it", "after_pause"],
)
async def test_restart(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    stop_at: datetime,
    down: timedelta,
    expected: list[tuple[str, str, None]],
    plugged_in: MockConfigEntry,
) -> None:
    """A restart never sends the schedule again and never leaves the charger paused."""
    await step_to(clock, stop_at)
    await restart(hass, init_integration, clock, down)
    await run_night(clock, charger)

    assert schedules_sent(axle_simulator) == 1
    assert charger.calls() == expected
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


async def test_crash_during_a_pause(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    plugged_in: MockConfigEntry,
) -> None:
    """Home Assistant dies mid-pause (nothing put back) and returns after it: switch back on."""
    await step_to(clock, utc(26, 2, 10))
    key = storage_key(init_integration.entry_id)
    at_crash = hass_storage[key]
    # Emulate the crash: unload (which puts the switch back), then restore the moment of the
    # crash: the switch off as we left it, and the store as it was written then.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await charger.set_switch(False)
    hass_storage[key] = at_crash
    charger.reset_calls()

    await clock.move_to(utc(26, 2, 45))
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    assert charger.calls() == [ON]
    await run_night(clock, charger)

    assert charger.calls() == [ON]
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


# The charger's entities misbehaving


async def test_plug_flapping_unavailable(
    hass: HomeAssistant,
    *,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    controller: SessionController,
) -> None:
    """The plug entity drops out and returns, before and during the pause: nothing changes."""
    switch = SwitchWatch(hass)
    await charger.plug_in()
    for moment in (utc(25, 20), utc(26, 2, 10)):
        await step_to(clock, moment)
        for _ in range(5):
            hass.states.async_set(PLUG, STATE_UNAVAILABLE)
            await hass.async_block_till_done()
            assert controller.plugged_in is None
            hass.states.async_set(PLUG, STATE_ON)
            await hass.async_block_till_done()
    assert controller.session is not None
    await run_night(clock, charger)

    assert schedules_sent(axle_simulator) == 1
    assert charger.calls() == [OFF, ON]
    assert switch.changes == [(PAUSE[0], STATE_OFF), (PAUSE[1], STATE_ON)]
    assert len(controller.history) == 1
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


async def test_switch_missing_then_back_during_the_pause(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    plugged_in: MockConfigEntry,
) -> None:
    """The switch entity vanishes before the pause: an issue; paused once it is back."""
    await clock.move_to(utc(26, 1))
    hass.states.async_remove(SWITCH)
    await hass.async_block_till_done()
    issue_id = f"{ISSUE_CHARGER_ENTITY_MISSING}_{init_integration.entry_id}_{SWITCH}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await clock.move_to(PAUSE[0])
    assert charger.calls() == []

    await clock.move_to(utc(26, 2, 5))
    hass.states.async_set(SWITCH, STATE_ON)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert not charger.switch_on
    await run_night(clock, charger)

    assert charger.calls() == [OFF, ON]
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


@pytest.mark.parametrize(
    "entry_options",
    [
        {
            CONF_PLUG_ENTITY: PLUG,
            CONF_SWITCH_ENTITY: "input_boolean.not_there",
            CONF_WINDOW_START: "23:30:00",
            CONF_WINDOW_END: "05:30:00",
            CONF_CONTROL_MODE: "pause_only",
            CONF_UNPLUG_SETTLE: 0,
        }
    ],
)
async def test_switch_missing_all_night(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A switch that does not exist at all: reported, nothing sent, nothing else touched."""
    issue_id = f"{ISSUE_CHARGER_ENTITY_MISSING}_{init_integration.entry_id}_input_boolean.not_there"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await charger.plug_in()
    await run_night(clock, charger)

    assert charger.calls() == []
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


REFUSING_NUMBER = "number.stubborn_current"


@pytest.mark.parametrize(
    "entry_options",
    [
        {
            CONF_PLUG_ENTITY: PLUG,
            CONF_CURRENT_ENTITY: REFUSING_NUMBER,
            CONF_WINDOW_START: "23:30:00",
            CONF_WINDOW_END: "05:30:00",
            CONF_CONTROL_MODE: "pause_only",
            CONF_UNPLUG_SETTLE: 0,
        }
    ],
)
async def test_number_rejects_the_value(
    hass: HomeAssistant,
    charger: SimulatedCharger,
    clock: Clock,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A current-only charger whose number refuses the pause value: retried once, reported."""
    refused: list[float] = []

    async def refuse(call: ServiceCall) -> None:
        refused.append(call.data["value"])
        raise ServiceValidationError("value out of range")

    hass.states.async_set(REFUSING_NUMBER, "16", {"min": 0, "max": 32, "step": 1})
    hass.services.async_register("number", "set_value", refuse)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    await charger.plug_in()
    await clock.move_to(PAUSE[0])
    # Checked once the latency window is over (ten minutes: the entry sets no latency), retried
    # once, checked again: then reported.
    for _ in range(2):
        await clock.advance(UNSET_COMMAND_LATENCY)
    assert refused == [0, 0]
    issue_id = f"{ISSUE_CHARGER_NOT_RESPONDING}_{config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    await run_night(clock, charger)

    # Nothing changed, so nothing is put back.
    assert refused == [0, 0]
    assert state_of(hass, REFUSING_NUMBER) == "16"
    assert_nothing_unhandled(caplog)


# The user


@pytest.mark.parametrize(
    ("when", "switch_on", "expected"),
    [
        # Charging switched back on ten minutes into the pause.
        (utc(26, 2, 10), True, [OFF]),
        # Charging stopped by hand before the pause: stays stopped, nothing sent to the charger.
        (utc(26, 1), False, []),
    ],
    ids=["switch_on_during_pause", "switch_off_before_pause"],
)
async def test_user_override(
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    when: datetime,
    switch_on: bool,
    expected: list[tuple[str, str, None]],
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """The user wins: hands off until unplug, and their switch stays as they set it."""
    await step_to(clock, when)
    await charger.set_switch(switch_on)
    assert controller.status is SessionStatus.OVERRIDDEN
    await run_night(clock, charger)

    assert charger.calls() == expected
    # Switching on tells Axle the new plan; switching off leaves nothing to send.
    assert schedules_sent(axle_simulator) == (2 if switch_on else 1)
    assert_as_the_user_wants(charger, switch_on=switch_on)
    assert_nothing_unhandled(caplog)


@pytest.mark.parametrize(
    ("start_time", "window", "pause"),
    [
        # Clocks go back at 02:00 BST on 25 October: 23:30 BST to 05:30 GMT is seven hours.
        (
            utc(24, 17, month=10),
            (utc(24, 22, 30, month=10), utc(25, 5, 30, month=10)),
            (utc(25, 2, month=10), utc(25, 2, 30, month=10)),
        ),
        # Clocks go forward at 01:00 GMT on 29 March: 23:30 GMT to 05:30 BST is five hours.
        (
            utc(28, 18, month=3),
            (utc(28, 23, 30, month=3), utc(29, 4, 30, month=3)),
            (utc(29, 2, month=3), utc(29, 2, 30, month=3)),
        ),
    ],
    ids=["clocks_go_back", "clocks_go_forward"],
)
async def test_dst_night(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    window: tuple[datetime, datetime],
    pause: tuple[datetime, datetime],
) -> None:
    """The nights the clocks change: the right window is sent, the pause falls where Axle said."""
    switch = SwitchWatch(hass)
    await charger.plug_in()
    sent = axle_simulator.requests_to(SCHEDULE_PATH)[0].body["charging_schedule"]
    assert sent == [
        {"start_timestamp": window[0].isoformat(), "end_timestamp": window[1].isoformat()}
    ]
    for moment in (*pause, window[1] + timedelta(hours=1)):
        await clock.move_to(moment)
    await charger.unplug()

    assert charger.calls() == [OFF, ON]
    assert switch.changes == [(pause[0], STATE_OFF), (pause[1], STATE_ON)]
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


# Two homes on one Axle account

SECOND_MPAN = "1400012345678"
SECOND_PLUG = "input_boolean.second_plug"
SECOND_SWITCH = "input_boolean.second_charger"


async def test_two_entries_share_one_account(
    hass: HomeAssistant,
    clock: Clock,
    config_entry: MockConfigEntry,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two homes, one partner account: each has its own session, token and pause."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                "ev_plug": {},
                "ev_charger": {"initial": True},
                "second_plug": {},
                "second_charger": {"initial": True},
            }
        },
    )
    assert await async_setup_component(
        hass,
        "input_number",
        {"input_number": {"ev_current": {"min": 6, "max": 32, "step": 1, "initial": 16}}},
    )
    charger = SimulatedCharger(hass)
    second_site = axle_simulator.onboard(
        DEFAULT_USERNAME,
        SiteInput(mpan=SECOND_MPAN, postcode="CT2 7NZ", consent_at=CONSENT_AT),
        [AssetInput(external_id="ha-charger-second", type="charger", power_kw=7.4)],
        LIMITED_PAUSE,
        False,
    )
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Axle Flex Lite CT2 7NZ",
        unique_id=SECOND_MPAN,
        data={
            **config_entry.data,
            CONF_MPAN: SECOND_MPAN,
            CONF_SITE_ID: second_site["site"]["site_id"],
            CONF_ASSET_ID: second_site["assets"][0]["asset_id"],
            CONF_EXTERNAL_ID: "ha-charger-second",
        },
        options={
            CONF_PLUG_ENTITY: SECOND_PLUG,
            CONF_SWITCH_ENTITY: SECOND_SWITCH,
            CONF_POWER_KW: 7.4,
            CONF_WINDOW_START: "22:00:00",
            CONF_WINDOW_END: "06:00:00",
            CONF_CONTROL_MODE: "pause_only",
            CONF_UNPLUG_SETTLE: 0,
        },
    )
    assert config_entry.data[CONF_USERNAME] == second.data[CONF_USERNAME]
    assert config_entry.data[CONF_PASSWORD] == second.data[CONF_PASSWORD]
    for entry in (config_entry, second):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert len(axle_simulator.requests_to(LOGIN_PATH)) == 2

    await charger.plug_in()
    await charger._user_call("input_boolean", "turn_on", {ATTR_ENTITY_ID: SECOND_PLUG}, wait=True)
    schedules = axle_simulator.requests_to(SCHEDULE_PATH)
    assert [request.path.split("/")[3] for request in schedules] == [
        config_entry.data[CONF_ASSET_ID],
        second.data[CONF_ASSET_ID],
    ]
    assert controller_of(config_entry).next_pause == PAUSE
    assert controller_of(second).next_pause == PAUSE

    await step_to(clock, utc(26, 2, 10))
    assert state_of(hass, SWITCH) == STATE_OFF
    assert state_of(hass, SECOND_SWITCH) == STATE_OFF
    # The second home is removed mid-pause: its charger is put back, the first stays paused.
    assert await hass.config_entries.async_remove(second.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, SECOND_SWITCH) == STATE_ON
    assert state_of(hass, SWITCH) == STATE_OFF
    assert axle_simulator.sites[SECOND_MPAN].enrolled == set()
    assert axle_simulator.sites[MPAN].enrolled == {LIMITED_PAUSE}
    await run_night(clock, charger)

    calls = charger.calls()
    # Both pauses start at 02:00: the two timers fire at the same instant, in either order.
    assert sorted(calls[:2]) == sorted([OFF, (SECOND_SWITCH, "turn_off", None)])
    assert calls[2:] == [(SECOND_SWITCH, "turn_on", None), ON]
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


# The charger's entities renamed, the integration removed or away, the user right after our command


RENAMED_SWITCH = "input_boolean.wallbox_charging"


async def test_switch_renamed_mid_pause(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    plugged_in: MockConfigEntry,
) -> None:
    """The switch gets a new entity id at 02:10: the pause ends on time on it, nothing reloads."""
    await step_to(clock, utc(26, 2, 10))
    er.async_get(hass).async_update_entity(SWITCH, new_entity_id=RENAMED_SWITCH)
    await hass.async_block_till_done()
    assert init_integration.options[CONF_SWITCH_ENTITY] == RENAMED_SWITCH
    await run_night(clock, charger)

    assert schedules_sent(axle_simulator) == 1
    assert charger.calls() == [OFF, (RENAMED_SWITCH, "turn_on", None)]
    assert state_of(hass, RENAMED_SWITCH) == STATE_ON
    assert controller_of(init_integration).history[-1].outcome == "completed"
    assert_nothing_unhandled(caplog)


async def test_removed_mid_pause_with_the_charger_offline(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    plugged_in: MockConfigEntry,
) -> None:
    """Removed at 02:10 with the switch unavailable: nothing can be sent, the user is told."""
    notes = follow_notifications(hass)
    await step_to(clock, utc(26, 2, 10))
    hass.states.async_set(SWITCH, STATE_UNAVAILABLE)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    await clock.move_to(MORNING)

    assert charger.calls() == [OFF]
    assert [SWITCH in note["message"] for note in notes.values()] == [True]
    assert_nothing_unhandled(caplog)


async def test_replugged_while_reloading(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    plugged_in: MockConfigEntry,
) -> None:
    """Unplugged and plugged in again while the entry was unloaded: a new session, one pause."""
    await step_to(clock, utc(26, 1))
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    await charger.unplug()
    await clock.advance(timedelta(minutes=5))
    await charger.plug_in()
    await clock.advance(timedelta(minutes=5))
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    await run_night(clock, charger)

    assert schedules_sent(axle_simulator) == 2
    assert charger.calls() == [OFF, ON]
    assert [session.outcome for session in controller_of(init_integration).history] == [
        "unplugged",
        "completed",
    ]
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)


async def test_user_switches_off_right_after_the_pause(
    *,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """The user switches off 30 s after our pause-end "on" (inside its latency): theirs stands."""
    await step_to(clock, PAUSE[1] + timedelta(seconds=30))
    await charger.set_switch(False)
    assert controller.status is SessionStatus.OVERRIDDEN
    await run_night(clock, charger)

    assert charger.calls() == [OFF, ON]
    assert schedules_sent(axle_simulator) == 1
    assert_as_the_user_wants(charger, switch_on=False)
    assert_nothing_unhandled(caplog)


@pytest.mark.parametrize(
    "entry_options",
    [
        {
            CONF_PLUG_ENTITY: PLUG,
            CONF_SWITCH_ENTITY: SWITCH,
            CONF_CURRENT_ENTITY: "input_number.ev_current",
            CONF_WINDOW_START: "23:30:00",
            CONF_WINDOW_END: "05:30:00",
            CONF_CONTROL_MODE: "pause_only",
            CONF_UNPLUG_SETTLE: 60,
        }
    ],
)
async def test_short_unplug_below_the_settle_time(
    *,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    caplog: pytest.LogCaptureFixture,
    controller: SessionController,
) -> None:
    """Out for 20 s at 02:10 (settle time a minute): same session, one schedule, one pause."""
    await charger.plug_in()
    await step_to(clock, utc(26, 2, 10))
    await charger.unplug()
    await clock.advance(timedelta(seconds=20))
    await charger.plug_in()
    assert controller.status is SessionStatus.PAUSED
    await run_night(clock, charger)
    await clock.advance(timedelta(seconds=61))

    assert schedules_sent(axle_simulator) == 1
    assert charger.calls() == [OFF, ON]
    assert [session.outcome for session in controller.history] == ["completed"]
    assert_as_the_user_wants(charger)
    assert_nothing_unhandled(caplog)
