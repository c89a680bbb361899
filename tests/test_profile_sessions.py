"""Every charger profile through a whole session, against its simulated twin.

Each twin has its real charger's quirks (report lag up to ten minutes, polls under a fresh context,
stale values, switches that follow the charger's status). The entry is set up the way the charger
step sets it up from the device: the profile's pre-filled options (today's simple switch and the
Tesla Wall Connector, whose pause goes through the car, by hand).

Times are UTC in November 2026: plugged in at 23:00, Axle's pause runs from 02:00 to 02:30.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from custom_components.axle_flex_lite.const import ControlKind
from custom_components.axle_flex_lite.controller import SessionStatus
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import (
    controller_of,
    pause_only_options,
    repair_issue,
    set_up_entry,
    unload_entry,
    utc,
)
from tests.sim_charger.twins import TWINS

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import SessionController
    from tests.plugins.chargers import SimChargers
    from tests.plugins.integration import Clock
    from tests.sim_charger.runtime import SimCharger

PROFILE_KEYS = sorted(TWINS)
PAUSE_START = utc(26, 2)
PAUSE_END = utc(26, 2, 30)


@dataclass
class Rig:
    """A profile's twin, set up with an entry, and the readings the scenarios need."""

    profile: str
    plug: SimCharger  # the twin whose entity gives the plug state
    charger: SimCharger  # the twin that is paused (the car, for a Tesla Wall Connector)
    entry: MockConfigEntry
    latency: timedelta

    @property
    def controller(self) -> SessionController:
        return controller_of(self.entry)

    @property
    def control_key(self) -> str | None:
        """The twin's key of the entity that pauses it (None for actions)."""
        control = self.controller.charger.entities.control
        assert control is not None
        for spec in self.charger.twin.entities:
            if control.entity_id == self.charger.entity_id(spec.key):
                return spec.key
        return None

    def settings(self) -> dict[str, Any]:
        """The charger's own settings (what must be exactly the same after a pause)."""
        device = asdict(self.charger.device)
        return {key: device[key] for key in ("enabled", "mode", "current", "paused")}

    def commands(self) -> list[Any]:
        """What the integration asked the charger, in order."""
        return [command.value for command in self.charger.integration_commands()]

    async def wait_for_reports(self, clock: Clock) -> None:
        """Let the charger report what it was asked (and the integration check it).

        The test clock fires timers in due order, so a report lands before the check that waits
        for it however far the clock moves.
        """
        await clock.advance(self.latency + timedelta(seconds=1))


@pytest.fixture
def start_time() -> datetime:
    """Shortly before the charging window: fewer hours for the clock to step through."""
    return utc(25, 23)


@pytest.fixture
async def rig(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    clock: Clock,
    sim_chargers: SimChargers,
    config_entry: MockConfigEntry,
) -> Rig:
    """The profile's twin and an entry set up from its device, plugged out, at 23:00."""
    profile: str = request.param
    charger = await sim_chargers.add_profile(profile)
    plug, options = charger.plug, charger.options
    options = pause_only_options({**options, "power_kw": 7.4})
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options=options)
    await set_up_entry(hass, config_entry)
    latency = timedelta(seconds=float(options.get("command_latency", 30)))
    return Rig(
        profile=profile, plug=plug, charger=charger.control, entry=config_entry, latency=latency
    )


async def plug_in(rig: Rig) -> None:
    await rig.plug.plug_in()
    if rig.charger is not rig.plug:
        await rig.charger.plug_in()


async def unplug(rig: Rig) -> None:
    await rig.plug.unplug()
    if rig.charger is not rig.plug:
        await rig.charger.unplug()


async def assert_resumed_when_the_car_is_back(
    rig: Rig, clock: Clock, before: dict[str, Any], commands: int
) -> None:
    """Plug in again: the charger is checked and charges as before, ``commands`` sent in all."""
    await plug_in(rig)
    await rig.wait_for_reports(clock)
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    assert rig.settings() == before
    assert len(rig.commands()) == commands


async def run_into_the_pause(rig: Rig, clock: Clock) -> dict[str, Any]:
    """Plug in, reach the pause and let the charger report it; return the settings before."""
    await plug_in(rig)
    before = rig.settings()
    await clock.move_to(PAUSE_START)
    await rig.wait_for_reports(clock)
    return before


every_profile = pytest.mark.parametrize("rig", PROFILE_KEYS, indirect=True)


@every_profile
async def test_plug_in_sends_the_schedule(rig: Rig, clock: Clock) -> None:
    await plug_in(rig)
    assert rig.controller.plugged_in is True
    assert rig.controller.status is SessionStatus.WAITING
    assert rig.controller.next_pause == (PAUSE_START, PAUSE_END)
    assert rig.commands() == []


@every_profile
async def test_axle_pause_start_and_end(rig: Rig, clock: Clock) -> None:
    """Paused at the start, exactly as before at the end, one command per edge."""
    before = await run_into_the_pause(rig, clock)
    assert rig.controller.status is SessionStatus.PAUSED
    assert not rig.charger.charging
    assert len(rig.commands()) == 1
    charger = rig.controller.charger
    control = charger.entities.control
    assert control is not None
    if control.readable:
        # The charger has reported the pause, however late.
        assert charger.value(control.key) == charger.pause_value()

    await clock.move_to(PAUSE_END)
    await rig.wait_for_reports(clock)
    assert rig.controller.status is SessionStatus.CHARGING
    assert rig.settings() == before
    assert rig.charger.charging
    assert len(rig.commands()) == 2
    assert rig.controller.session is not None
    assert not rig.controller.session.overridden


@every_profile
async def test_axle_pause_reported_very_late(rig: Rig, clock: Clock) -> None:
    """A charger that reports three times later than its latency: still one command per edge.

    The fresh read before each check shows what the charger did, so nothing is sent twice; the
    slowest chargers would report the pause only after it is over.
    """
    late = rig.latency * 3
    rig.charger.set_quirks(min_lag=late.total_seconds())
    await plug_in(rig)
    before = rig.settings()
    await clock.move_to(PAUSE_START)
    await rig.wait_for_reports(clock)
    assert rig.controller.status is SessionStatus.PAUSED
    assert not rig.charger.charging
    assert len(rig.commands()) == 1
    await clock.move_to(PAUSE_END)
    await clock.advance(late + timedelta(seconds=1))
    assert rig.settings() == before
    assert rig.charger.charging
    assert len(rig.commands()) == 2
    assert rig.controller.session is not None
    assert not rig.controller.session.overridden


# Actions cannot be read back (Easee): nothing to check, so nothing is sent again.
readable_profiles = pytest.mark.parametrize(
    "rig", [key for key in PROFILE_KEYS if key != "easee"], indirect=True
)
# Controls that are unavailable without a car (unless the plug is reported first).
UNAVAILABLE_WITHOUT_A_CAR = {"ohme", "wallbox", "zaptec"}
# An Andersen left locked reads neither plugged nor unplugged ("Disabled"): its car's return is
# not seen, so only the retry while it is away can unlock it.
NOT_SEEN_BACK = {"andersen"}


@readable_profiles
async def test_an_ignored_resume_is_sent_again(rig: Rig, clock: Clock, hass: HomeAssistant) -> None:
    """The charger silently ignores the resume: the check finds it paused and sends it once more."""
    before = await run_into_the_pause(rig, clock)
    rig.charger.set_quirks(ignore_commands=True)
    await clock.move_to(PAUSE_END)
    assert len(rig.commands()) == 2
    assert not rig.charger.charging
    rig.charger.set_quirks(ignore_commands=False)
    await rig.wait_for_reports(clock)
    assert len(rig.commands()) == 3
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    assert rig.settings() == before
    assert len(rig.commands()) == 3
    assert rig.controller.status is SessionStatus.CHARGING
    assert repair_issue(hass, "charger_not_responding", rig.entry) is None


@readable_profiles
async def test_a_command_carried_out_after_the_check(rig: Rig, clock: Clock) -> None:
    """A charger slower to act than its latency looks like one that ignored: sent once more."""
    rig.charger.set_quirks(actuation=rig.latency.total_seconds() * 1.5)
    before = await run_into_the_pause(rig, clock)
    assert len(rig.commands()) == 2  # the check could not tell it from an ignored command
    await rig.wait_for_reports(clock)
    assert not rig.charger.charging
    await clock.move_to(PAUSE_END)
    await rig.wait_for_reports(clock)
    await rig.wait_for_reports(clock)
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    assert rig.settings() == before
    assert len(rig.commands()) == 4


@pytest.mark.parametrize("rig", ["ohme"], indirect=True)
async def test_a_refused_pause_is_reported(rig: Rig, clock: Clock, hass: HomeAssistant) -> None:
    """Ohme's cloud ignores the pause (the form's known limit): the user hears of it."""
    rig.charger.set_quirks(ignore_commands=True)
    await plug_in(rig)
    await clock.move_to(PAUSE_START)
    await rig.wait_for_reports(clock)
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    assert rig.commands() == ["paused", "paused"]  # the command and its one retry
    assert repair_issue(hass, "charger_not_responding", rig.entry) is not None
    await clock.move_to(PAUSE_END)
    await rig.wait_for_reports(clock)
    assert rig.charger.charging


def _user_charge_value(rig: Rig) -> Any:
    """A value of the control that lets the car charge, other than the one it had."""
    control = rig.controller.charger.entities.control
    assert control is not None
    if control.kind is ControlKind.SELECT:
        spec = rig.charger.twin.spec(str(rig.control_key))
        return next(
            option
            for option in spec.options
            if option not in (control.pause_value(None), rig.charger.device.mode)
            and option != "Schedule"
        )
    if control.kind is ControlKind.CURRENT:
        return 20.0
    return control.kind not in (ControlKind.LOCK, ControlKind.INVERTED_SWITCH)


@every_profile
async def test_user_override_from_home_assistant(rig: Rig, clock: Clock) -> None:
    """The user lets the car charge during the pause: hands off for the rest of the session."""
    await run_into_the_pause(rig, clock)
    key = rig.control_key
    if key is None:
        # Actions have no state to watch: the user's resume action simply stands.
        await rig.charger.user_action("easee.action_command", {"action_command": "resume"})
    else:
        await rig.charger.user_set(key, _user_charge_value(rig))
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    users = rig.settings()
    if key is not None:
        assert rig.controller.status is SessionStatus.OVERRIDDEN
    await clock.move_to(PAUSE_END)
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    assert rig.settings() == users
    assert len(rig.commands()) == (1 if key is not None else 2)


@every_profile
async def test_override_from_the_vendors_app(rig: Rig, clock: Clock) -> None:
    """The app resumes charging (no user in Home Assistant, reported by a poll): hands off."""
    await run_into_the_pause(rig, clock)
    control = rig.controller.charger.entities.control
    assert control is not None
    changes: dict[str, Any] = {"enabled": True, "paused": False}
    if control.kind is ControlKind.SELECT:
        changes = {"mode": _user_charge_value(rig)}
    elif control.kind is ControlKind.CURRENT:
        changes = {"current": 20.0}
    await rig.charger.app_set(**changes)
    # Reported after the lag; taken as the user's once it has fought the pause for its latency.
    await rig.wait_for_reports(clock)
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    app = rig.settings()
    if control.readable and clock.now < PAUSE_END:
        # Fighting the pause past the latency: the user's (a slower charger's pause is over).
        assert rig.controller.status is SessionStatus.OVERRIDDEN
    await clock.move_to(PAUSE_END)
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    assert rig.settings() == app


@every_profile
async def test_car_full_is_not_an_override(rig: Rig, clock: Clock) -> None:
    """The car stops drawing by itself; switches that follow the status flip: no override."""
    await plug_in(rig)
    before = rig.settings()
    await clock.move_to(utc(26, 1))
    await rig.charger.car_full()
    await rig.wait_for_reports(clock)
    assert rig.controller.session is not None
    assert not rig.controller.session.overridden
    await clock.move_to(PAUSE_START)
    await rig.wait_for_reports(clock)
    await clock.move_to(PAUSE_END)
    await rig.wait_for_reports(clock)
    assert rig.controller.session is not None
    assert not rig.controller.session.overridden
    assert rig.settings() == before


@every_profile
async def test_unplug_mid_pause(rig: Rig, clock: Clock) -> None:
    """Unplugged during the pause: the charger is put back (at the latest when it is back)."""
    before = await run_into_the_pause(rig, clock)
    await unplug(rig)
    await rig.wait_for_reports(clock)
    assert rig.controller.session is None
    await clock.move_to(utc(26, 8))
    await plug_in(rig)
    await rig.wait_for_reports(clock)
    assert rig.settings() == before
    assert rig.charger.charging
    assert len(rig.commands()) == 2


async def unplug_in_the_pause_ignoring(rig: Rig, clock: Clock, commands: int) -> dict[str, Any]:
    """Reach the pause, unplug, and let the charger ignore the next ``commands`` commands."""
    before = await run_into_the_pause(rig, clock)
    rig.charger.ignore_next(commands)
    await unplug(rig)
    await clock.move_to(utc(26, 8))
    assert rig.controller.session is None
    return before


@readable_profiles
async def test_a_resume_ignored_after_unplug_is_sent_again(rig: Rig, clock: Clock) -> None:
    """The resume after an unplug is ignored: sent once more, without waiting for the car."""
    before = await unplug_in_the_pause_ignoring(rig, clock, commands=1)
    if rig.profile in UNAVAILABLE_WITHOUT_A_CAR:
        # The resume is sent if the control still shows when the unplug counts, else it waits
        # for the car; either way it is not sent again while the control cannot be read.
        assert len(rig.commands()) in (1, 2)
    else:
        assert len(rig.commands()) == 3
        assert rig.settings() == before
    # Three in all (for a control unavailable without a car: the resume once it is back, and its
    # retry).
    await assert_resumed_when_the_car_is_back(rig, clock, before, commands=3)


@pytest.mark.parametrize("rig", sorted(UNAVAILABLE_WITHOUT_A_CAR), indirect=True)
async def test_an_ignored_resume_then_unavailable_is_sent_when_the_car_is_back(
    rig: Rig, clock: Clock
) -> None:
    """The unplug counts while the control still shows: its resume, ignored, is owed."""
    before = await run_into_the_pause(rig, clock)
    rig.charger.ignore_next(1)
    plug_key = next(spec.key for spec in rig.plug.twin.entities if spec.platform != "select")
    rig.plug.device.connected = False
    rig.plug.report((plug_key,))  # the plug first; the control goes unavailable later
    await clock.advance(timedelta(minutes=5))
    assert len(rig.commands()) == 2
    rig.plug.report()
    await clock.move_to(utc(26, 8))
    assert len(rig.commands()) == 2  # nothing is sent to a control that cannot be read
    assert rig.controller.driver.restore  # owed
    await assert_resumed_when_the_car_is_back(rig, clock, before, commands=3)


@pytest.mark.parametrize(
    "rig",
    sorted(set(PROFILE_KEYS) - UNAVAILABLE_WITHOUT_A_CAR - NOT_SEEN_BACK - {"easee"}),
    indirect=True,
)
async def test_a_resume_ignored_twice_after_unplug_is_sent_when_the_car_is_back(
    rig: Rig, clock: Clock, hass: HomeAssistant
) -> None:
    """Ignored twice without a car: at the next plug-in the charger is checked and resumed."""
    before = await unplug_in_the_pause_ignoring(rig, clock, commands=2)
    assert rig.charger.state(str(rig.control_key)) != "unavailable"
    assert len(rig.commands()) == 3
    await assert_resumed_when_the_car_is_back(rig, clock, before, commands=4)
    assert repair_issue(hass, "charger_not_responding", rig.entry) is None


@pytest.mark.parametrize("rig", ["tesla_car"], indirect=True)
async def test_an_owed_resume_survives_a_crash(
    rig: Rig, clock: Clock, hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The resume a Tesla cannot show without the car is stored: after a crash, still resumed."""
    before = await run_into_the_pause(rig, clock)
    await rig.charger.unplug()
    await clock.move_to(utc(26, 4))
    key = storage_key(rig.entry.entry_id)
    snapshot = copy.deepcopy(hass_storage[key])
    # Owed: kept with the values to put back (the store keys them by registry id).
    assert list(snapshot["data"]["restore"].values()) == ["on"]
    await unload_entry(hass, rig.entry)
    hass_storage[key] = snapshot
    await set_up_entry(hass, rig.entry)
    await clock.move_to(utc(26, 8))
    await plug_in(rig)
    await rig.wait_for_reports(clock)
    assert rig.charger.charging
    assert rig.settings() == before
    assert rig.controller.driver.restore == {}


@every_profile
async def test_restart_mid_pause(
    rig: Rig, clock: Clock, hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A crash during the pause: after the restart the pause runs to its end, then all is back."""
    before = await run_into_the_pause(rig, clock)
    snapshot = copy.deepcopy(hass_storage[storage_key(rig.entry.entry_id)])
    paused_device = replace(rig.charger.device)
    await unload_entry(hass, rig.entry)
    # What a crash leaves behind: the charger still paused and the pause in the store.
    rig.charger.shutdown()
    rig.charger.device = paused_device
    rig.charger.report()
    hass_storage[storage_key(rig.entry.entry_id)] = snapshot
    rig.charger.commands.clear()

    await clock.move_to(utc(26, 2, 20))
    await set_up_entry(hass, rig.entry)
    assert rig.controller.status is SessionStatus.PAUSED
    assert not rig.charger.charging
    await clock.move_to(PAUSE_END)
    await rig.wait_for_reports(clock)
    assert rig.settings() == before
    assert rig.charger.charging
    assert len(rig.commands()) == 1
