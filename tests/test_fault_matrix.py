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

from dataclasses import dataclass
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

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import SessionController, SessionStatus
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import (
    COORDINATOR_FAILURES,
    charger_settings,
    follow_notifications,
    update_charger,
)
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
    night: Night,
    fault: dict[str, Any],
    retried: bool,
    controller: SessionController,
) -> None:
    """A failed schedule leaves the charger alone; a passing failure is asked once more."""
    night.axle.fail_next(SCHEDULE_PATH, **fault)
    await night.charger.plug_in(wait=False)
    await night.clock.drive(hass.async_block_till_done())
    assert controller.status is SessionStatus.FALLBACK

    await night.clock.advance(const.FALLBACK_RETRY_DELAY)
    if retried:
        # The simulator answers the retry: Axle's pause applies after all.
        assert night.schedules_sent() == 2
        assert controller.status is SessionStatus.WAITING
        expected: list[tuple[str, str, None]] = [OFF, ON]
    else:
        assert night.schedules_sent() == 1
        assert controller.status is SessionStatus.FALLBACK
        expected = []
    await night.run()

    night.assert_ends(expected, schedules=(2 if retried else 1))


def refused_port() -> int:
    """Return a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_axle_connection_refused(
    hass: HomeAssistant,
    night: Night,
    config_entry: MockConfigEntry,
) -> None:
    """Axle unreachable from the start: the entry still loads and the night is the user's own.

    The client waits a moment between retries of a refused connection, so the frozen clock is
    driven through every step.
    """
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        data={**config_entry.data, const.CONF_BASE_URL: f"http://127.0.0.1:{refused_port()}"},
    )
    assert await night.clock.drive(hass.config_entries.async_setup(config_entry.entry_id))
    await night.clock.drive(hass.async_block_till_done())
    assert config_entry.state is ConfigEntryState.LOADED
    controller = controller_of(config_entry)

    await night.charger.plug_in(wait=False)
    await night.clock.drive(hass.async_block_till_done())
    assert controller.status is SessionStatus.FALLBACK
    assert controller.last_api_error is not None
    assert controller.last_api_error.startswith("AxleConnectionError")
    await night.clock.drive(night.clock.advance(const.FALLBACK_RETRY_DELAY))
    assert controller.status is SessionStatus.FALLBACK
    for moment in (*PAUSE, MORNING):
        await night.clock.drive(night.clock.move_to(moment))
    await night.charger.unplug(wait=False)
    # The session's end asks for the rewards balance, which retries in the background too.
    await night.clock.drive(hass.async_block_till_done(wait_background_tasks=True))

    night.assert_ends([])


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
    night: Night,
    monkeypatch: pytest.MonkeyPatch,
    answer: Any,
) -> None:
    """An answer that breaks the rules is not followed: the user's own window applies."""
    monkeypatch.setattr(
        night.axle, "plug_in_schedule", lambda owner, asset_id, blocks: answer(blocks)
    )
    controller = controller_of(init_integration)
    await night.charger.plug_in()
    assert controller.status is SessionStatus.FALLBACK
    await night.assert_own_schedule_all_night()


# Axle refusing


async def move_window_end(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The user moves the window's end to 06:00: the changed schedule goes to Axle at once."""
    update_charger(hass, entry, {**charger_settings(entry), const.CONF_WINDOW_END: "06:00:00"})
    await hass.async_block_till_done()


async def test_token_expired_mid_session(
    hass: HomeAssistant,
    *,
    night: Night,
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """Axle forgets the token (401) mid-session: one new login, the schedule goes through."""
    # Just after a rewards refresh, so the client holds a token it believes fresh.
    await night.clock.move_to(utc(26, 1) + timedelta(seconds=30))
    await plugged_in.runtime_data.rewards.async_refresh()
    night.axle.expire_tokens()
    logins = len(night.axle.requests_to(LOGIN_PATH))

    await move_window_end(hass, plugged_in)

    # The refused schedule, one new login, the same schedule again: nothing else.
    after_expiry = [request.path for request in night.axle.requests][-3:]
    assert [path.rsplit("/", 1)[-1] for path in after_expiry] == [
        SCHEDULE_PATH,
        "token-form",
        SCHEDULE_PATH,
    ]
    assert len(night.axle.requests_to(LOGIN_PATH)) == logins + 1
    assert night.schedules_sent() == 3
    assert controller.status is SessionStatus.CHARGING
    assert controller.next_pause == PAUSE
    assert hass.config_entries.flow.async_progress_by_handler(const.DOMAIN) == []
    await night.run()

    night.assert_ends([OFF, ON], schedules=3)


async def test_credentials_refused_during_a_pause(
    hass: HomeAssistant,
    *,
    night: Night,
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """A 401 that a new login does not cure: re-authentication, and the pause ends at once."""
    await night.step_to(utc(26, 2, 10))
    assert not night.charger.switch_on
    # The partner's password was changed at Axle: tokens die and logins are refused.
    night.axle.accounts[DEFAULT_USERNAME] = "changed-elsewhere"
    night.axle.expire_tokens()

    await move_window_end(hass, plugged_in)

    assert controller.status is SessionStatus.FALLBACK
    assert night.charger.switch_on
    flows = hass.config_entries.flow.async_progress_by_handler(const.DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    await night.run()

    night.assert_ends([OFF, ON])


async def test_consent_missing(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    night: Night,
) -> None:
    """403: the site is not enrolled. Repair issue, own schedule, and no more asking."""
    night.axle.sites[MPAN].enrolled.discard(LIMITED_PAUSE)
    await night.charger.plug_in()
    assert controller_of(init_integration).status is SessionStatus.FALLBACK
    issue_id = f"{const.ISSUE_CONSENT_MISSING}_{init_integration.entry_id}"
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is not None
    await night.run()

    # The next night is not sent either until consent is given again.
    await night.clock.move_to(utc(26, 18))
    await night.charger.plug_in()
    await night.run(until=utc(27, 7))

    night.assert_ends([], schedules=1)


async def test_asset_unknown(
    init_integration: MockConfigEntry,
    night: Night,
) -> None:
    """404: Axle no longer knows the charger. Own schedule, not asked again this session."""
    night.axle.sites[MPAN].assets.clear()
    await night.charger.plug_in()
    assert controller_of(init_integration).status is SessionStatus.FALLBACK
    await night.assert_own_schedule_all_night()


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
    night: Night,
    stop_at: datetime,
    down: timedelta,
    expected: list[tuple[str, str, None]],
    plugged_in: MockConfigEntry,
) -> None:
    """A restart never sends the schedule again and never leaves the charger paused."""
    await night.step_to(stop_at)
    await restart(hass, plugged_in, night.clock, down)
    await night.run()

    night.assert_ends(expected, schedules=1)


async def test_crash_during_a_pause(
    hass: HomeAssistant,
    *,
    night: Night,
    hass_storage: dict[str, Any],
    plugged_in: MockConfigEntry,
) -> None:
    """Home Assistant dies mid-pause (nothing put back) and returns after it: switch back on."""
    await night.step_to(utc(26, 2, 10))
    key = storage_key(plugged_in.entry_id)
    at_crash = hass_storage[key]
    # Emulate the crash: unload (which puts the switch back), then restore the moment of the
    # crash: the switch off as we left it, and the store as it was written then.
    assert await hass.config_entries.async_unload(plugged_in.entry_id)
    await night.charger.set_switch(False)
    hass_storage[key] = at_crash
    night.charger.reset_calls()

    await night.clock.move_to(utc(26, 2, 45))
    assert await hass.config_entries.async_setup(plugged_in.entry_id)
    await hass.async_block_till_done()
    assert night.charger.calls() == [ON]
    await night.run()

    night.assert_ends([ON])


# The charger's entities misbehaving


async def test_plug_flapping_unavailable(
    hass: HomeAssistant,
    *,
    night: Night,
    controller: SessionController,
) -> None:
    """The plug entity drops out and returns, before and during the pause: nothing changes."""
    switch = SwitchWatch(hass)
    await night.charger.plug_in()
    for moment in (utc(25, 20), utc(26, 2, 10)):
        await night.step_to(moment)
        for _ in range(5):
            hass.states.async_set(PLUG, STATE_UNAVAILABLE)
            await hass.async_block_till_done()
            assert controller.plugged_in is None
            hass.states.async_set(PLUG, STATE_ON)
            await hass.async_block_till_done()
    assert controller.session is not None
    await night.run()

    assert switch.changes == [(PAUSE[0], STATE_OFF), (PAUSE[1], STATE_ON)]
    assert len(controller.history) == 1
    night.assert_ends([OFF, ON], schedules=1)


async def test_switch_missing_then_back_during_the_pause(
    hass: HomeAssistant,
    night: Night,
    plugged_in: MockConfigEntry,
) -> None:
    """The switch entity vanishes before the pause: an issue; paused once it is back."""
    await night.clock.move_to(utc(26, 1))
    hass.states.async_remove(SWITCH)
    await hass.async_block_till_done()
    issue_id = f"{const.ISSUE_CHARGER_ENTITY_MISSING}_{plugged_in.entry_id}_{SWITCH}"
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is not None
    await night.clock.move_to(PAUSE[0])
    assert night.charger.calls() == []

    await night.clock.move_to(utc(26, 2, 5))
    hass.states.async_set(SWITCH, STATE_ON)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is None
    assert not night.charger.switch_on
    await night.run()

    night.assert_ends([OFF, ON])


@pytest.mark.parametrize(
    "entry_options",
    [night_options({const.CONF_SWITCH_ENTITY: "input_boolean.not_there"})],
)
async def test_switch_missing_all_night(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    night: Night,
) -> None:
    """A switch that does not exist at all: reported, nothing sent, nothing else touched."""
    issue_id = (
        f"{const.ISSUE_CHARGER_ENTITY_MISSING}_{init_integration.entry_id}_input_boolean.not_there"
    )
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is not None
    await night.charger.plug_in()
    await night.run()

    night.assert_ends([])


REFUSING_NUMBER = "number.stubborn_current"


@pytest.mark.parametrize(
    "entry_options",
    [night_options({const.CONF_CURRENT_ENTITY: REFUSING_NUMBER})],
)
async def test_number_rejects_the_value(
    hass: HomeAssistant,
    night: Night,
    config_entry: MockConfigEntry,
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

    await night.charger.plug_in()
    await night.clock.move_to(PAUSE[0])
    # Checked once the latency window is over (ten minutes: the entry sets no latency), retried
    # once, checked again: then reported.
    for _ in range(2):
        await night.clock.advance(const.UNSET_COMMAND_LATENCY)
    assert refused == [0, 0]
    issue_id = f"{const.ISSUE_CHARGER_NOT_RESPONDING}_{config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is not None
    await night.run()

    # Nothing changed, so nothing is put back.
    assert refused == [0, 0]
    assert state_of(hass, REFUSING_NUMBER) == "16"
    assert_nothing_unhandled(night.caplog)


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
@pytest.mark.usefixtures("plugged_in")
async def test_user_override(
    night: Night,
    when: datetime,
    switch_on: bool,
    expected: list[tuple[str, str, None]],
    controller: SessionController,
) -> None:
    """The user wins: hands off until unplug, and their switch stays as they set it."""
    await night.step_to(when)
    await night.charger.set_switch(switch_on)
    assert controller.status is SessionStatus.OVERRIDDEN
    await night.run()

    # Switching on tells Axle the new plan; switching off leaves nothing to send.
    night.assert_ends(expected, schedules=(2 if switch_on else 1), switch_on=switch_on)


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
@pytest.mark.usefixtures("init_integration")
async def test_dst_night(
    hass: HomeAssistant,
    *,
    night: Night,
    window: tuple[datetime, datetime],
    pause: tuple[datetime, datetime],
) -> None:
    """The nights the clocks change: the right window is sent, the pause falls where Axle said."""
    switch = SwitchWatch(hass)
    await night.charger.plug_in()
    sent = night.axle.requests_to(SCHEDULE_PATH)[0].body["charging_schedule"]
    assert sent == [
        {"start_timestamp": window[0].isoformat(), "end_timestamp": window[1].isoformat()}
    ]
    for moment in (*pause, window[1] + timedelta(hours=1)):
        await night.clock.move_to(moment)
    await night.charger.unplug()

    assert switch.changes == [(pause[0], STATE_OFF), (pause[1], STATE_ON)]
    night.assert_ends([OFF, ON])


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
        domain=const.DOMAIN,
        title="Axle Flex Lite CT2 7NZ",
        unique_id=SECOND_MPAN,
        data={
            **config_entry.data,
            const.CONF_MPAN: SECOND_MPAN,
            const.CONF_SITE_ID: second_site["site"]["site_id"],
            const.CONF_ASSET_ID: second_site["assets"][0]["asset_id"],
            const.CONF_EXTERNAL_ID: "ha-charger-second",
        },
        options={
            const.CONF_PLUG_ENTITY: SECOND_PLUG,
            const.CONF_SWITCH_ENTITY: SECOND_SWITCH,
            const.CONF_POWER_KW: 7.4,
            const.CONF_WINDOW_START: "22:00:00",
            const.CONF_WINDOW_END: "06:00:00",
            const.CONF_CONTROL_MODE: "pause_only",
            const.CONF_UNPLUG_SETTLE: 0,
        },
    )
    assert config_entry.data[CONF_USERNAME] == second.data[CONF_USERNAME]
    assert config_entry.data[CONF_PASSWORD] == second.data[CONF_PASSWORD]
    asset_ids = [entry.data[const.CONF_ASSET_ID] for entry in (config_entry, second)]
    for entry in (config_entry, second):
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert len(axle_simulator.requests_to(LOGIN_PATH)) == 2

    await charger.plug_in()
    await charger._user_call("input_boolean", "turn_on", {ATTR_ENTITY_ID: SECOND_PLUG}, wait=True)
    schedules = axle_simulator.requests_to(SCHEDULE_PATH)
    assert [request.path.split("/")[3] for request in schedules] == asset_ids
    assert controller_of(config_entry).next_pause == PAUSE
    assert controller_of(second).next_pause == PAUSE

    # Its own simulated charger (the fixture's has no second plug), so its own night.
    night = Night(charger, clock, axle_simulator, caplog)
    await night.step_to(utc(26, 2, 10))
    assert state_of(hass, SWITCH) == STATE_OFF
    assert state_of(hass, SECOND_SWITCH) == STATE_OFF
    # The second home is removed mid-pause: its charger is put back, the first stays paused.
    assert await hass.config_entries.async_remove(second.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, SECOND_SWITCH) == STATE_ON
    assert state_of(hass, SWITCH) == STATE_OFF
    assert axle_simulator.sites[SECOND_MPAN].enrolled == set()
    assert axle_simulator.sites[MPAN].enrolled == {LIMITED_PAUSE}
    await night.run()

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
    night: Night,
    plugged_in: MockConfigEntry,
) -> None:
    """The switch gets a new entity id at 02:10: the pause ends on time on it, nothing reloads."""
    await night.step_to(utc(26, 2, 10))
    er.async_get(hass).async_update_entity(SWITCH, new_entity_id=RENAMED_SWITCH)
    await hass.async_block_till_done()
    assert charger_settings(plugged_in)[const.CONF_SWITCH_ENTITY] == RENAMED_SWITCH
    await night.run()

    assert night.schedules_sent() == 1
    assert night.charger.calls() == [OFF, (RENAMED_SWITCH, "turn_on", None)]
    assert state_of(hass, RENAMED_SWITCH) == STATE_ON
    assert controller_of(plugged_in).history[-1].outcome == "completed"
    assert_nothing_unhandled(night.caplog)


async def test_removed_mid_pause_with_the_charger_offline(
    hass: HomeAssistant,
    *,
    night: Night,
    plugged_in: MockConfigEntry,
) -> None:
    """Removed at 02:10 with the switch unavailable: nothing can be sent, the user is told."""
    notes = follow_notifications(hass)
    await night.step_to(utc(26, 2, 10))
    hass.states.async_set(SWITCH, STATE_UNAVAILABLE)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_remove(plugged_in.entry_id)
    await hass.async_block_till_done()
    await night.clock.move_to(MORNING)

    assert night.charger.calls() == [OFF]
    assert [SWITCH in note["message"] for note in notes.values()] == [True]
    assert_nothing_unhandled(night.caplog)


async def test_replugged_while_reloading(
    hass: HomeAssistant,
    *,
    night: Night,
    plugged_in: MockConfigEntry,
) -> None:
    """Unplugged and plugged in again while the entry was unloaded: a new session, one pause."""
    await night.step_to(utc(26, 1))
    assert await hass.config_entries.async_unload(plugged_in.entry_id)
    await hass.async_block_till_done()
    await night.charger.unplug()
    await night.clock.advance(timedelta(minutes=5))
    await night.charger.plug_in()
    await night.clock.advance(timedelta(minutes=5))
    assert await hass.config_entries.async_setup(plugged_in.entry_id)
    await hass.async_block_till_done()
    await night.run()

    assert [session.outcome for session in controller_of(plugged_in).history] == [
        "unplugged",
        "completed",
    ]
    night.assert_ends([OFF, ON], schedules=2)


@pytest.mark.usefixtures("plugged_in")
async def test_user_switches_off_right_after_the_pause(
    *,
    night: Night,
    controller: SessionController,
) -> None:
    """The user switches off 30 s after our pause-end "on" (inside its latency): theirs stands."""
    await night.step_to(PAUSE[1] + timedelta(seconds=30))
    await night.charger.set_switch(False)
    assert controller.status is SessionStatus.OVERRIDDEN
    await night.run()

    night.assert_ends([OFF, ON], schedules=1, switch_on=False)


@pytest.mark.parametrize(
    "entry_options",
    [
        night_options(
            {
                const.CONF_SWITCH_ENTITY: SWITCH,
                const.CONF_CURRENT_ENTITY: "input_number.ev_current",
                const.CONF_UNPLUG_SETTLE: 60,
            }
        )
    ],
)
async def test_short_unplug_below_the_settle_time(
    *,
    night: Night,
    controller: SessionController,
) -> None:
    """Out for 20 s at 02:10 (settle time a minute): same session, one schedule, one pause."""
    await night.charger.plug_in()
    await night.step_to(utc(26, 2, 10))
    await night.charger.unplug()
    await night.clock.advance(timedelta(seconds=20))
    await night.charger.plug_in()
    assert controller.status is SessionStatus.PAUSED
    await night.run()
    await night.clock.advance(timedelta(seconds=61))

    assert [session.outcome for session in controller.history] == ["completed"]
    night.assert_ends([OFF, ON], schedules=1)
