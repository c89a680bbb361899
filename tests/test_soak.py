"""Randomised soak: every charger profile in both control modes, night after night, all checked.

One case per control mode (pause-only, full-schedule) and charger profile: the profile's simulated
twin (``tests/sim_charger``, with its real charger's report lag, polls, stale values and
self-willed switches) and an entry set up from its device, on a frozen clock moved timer by timer
(``clock``), with the simulator in "price" mode. Cars plug in some evening and stay for one night
or several (or for a daytime top-up), and meanwhile, at random moments: the entry is reloaded,
Home Assistant restarts cleanly (stop event, down a while) or is killed (no stop event, the store
as it was, the charger left as it was), the cable is wiggled (out for less than the settle time),
the user overrides from Home Assistant (on or off) or the vendor's app fights a pause, the user
changes the current, the car fills up, the charger's own schedule holds it, its connection blips,
Axle fails or the token dies, the window is edited, Flex Lite is switched off and on. Each case
ends with the entry removed while the car is in.

The invariants, checked after every timer and every happening, are in ``soak_checks.py``.

Seeded and sized (``tests/plugins/soak.py``): ``--soak-seed`` replays a run (a failure names the
options that replay it), ``--soak-nights`` is the nights per mode and profile (default 5; the
README's large soak runs 40), ``--soak-debug`` puts the integration's debug lines in a failure's
log; or the variables ``AXLE_SOAK_SEED``, ``AXLE_SOAK_NIGHTS`` and ``AXLE_SOAK_DEBUG``.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, time, timedelta
import logging
import random
from typing import TYPE_CHECKING, Any

from homeassistant.const import ATTR_ENTITY_ID, EVENT_HOMEASSISTANT_STOP
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest

from custom_components.axle_flex_lite.const import (
    CONF_CONTROL_MODE,
    CONF_POWER_KW,
    CONF_UNPLUG_SETTLE,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
)
from custom_components.axle_flex_lite.profiles import PROFILES_BY_KEY
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import (
    SCHEDULE_PATH,
    charger_settings,
    controller_of,
    set_up_entry,
    unload_entry,
    update_charger,
)
from tests.sim_charger.twins import TWINS
from tests.soak_checks import SoakChecks

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.chargers import SimChargers
    from tests.plugins.integration import Clock
    from tests.plugins.soak import SoakSize
    from tools.axle_simulator import AxleSimulator

MODES = ("pause_only", "full_schedule")
PROFILES = sorted(TWINS)
# Cases that fail for a reason still open in the controller (strict: the case passes once fixed).
# None now: what the soak found is tolerated where it comes about (soak_checks.OPEN_FINDINGS) and
# has a short test of its own in test_soak_findings.py.
FOUND: dict[tuple[str, str], str] = {}
SETTLE = timedelta(seconds=60)
WINDOW_STARTS = ("21:00:00", "22:30:00", "23:30:00", "00:30:00")
WINDOW_ENDS = ("04:30:00", "05:30:00", "06:30:00", "08:00:00")
AXLE_FAULTS: tuple[dict[str, Any], ...] = (
    {"status": 500},
    {"status": 502},
    {"status": 503},
    {"status": 429},
    {"status": 404},
    {"status": 422},
    {"kind": "malformed"},
    {"kind": "missing_fields"},
)
# Chance per night of each happening while the car is in.
HAPPENINGS: tuple[tuple[str, float], ...] = (
    ("reload", 0.2),
    ("restart", 0.2),
    ("kill", 0.2),
    ("wiggle", 0.3),
    ("override", 0.25),
    ("app", 0.2),
    ("current", 0.15),
    ("car_full", 0.2),
    ("own_schedule", 0.15),
    ("blip", 0.15),
    ("window", 0.1),
    ("participation", 0.05),
    ("fault", 0.15),
)


class Soak(SoakChecks):
    """One case: a mode, a profile's twin and its entry, through seeded random nights."""

    def maybe_upset_axle(self) -> None:
        """Sometimes queue a fault for the next schedule request, or kill the tokens."""
        if self.rng.random() < 0.2:
            self.upset_axle()

    def upset_axle(self) -> None:
        """Queue a fault for the next schedule request, or kill the tokens."""
        if self.rng.random() < 0.7:
            self.simulator.fail_next(SCHEDULE_PATH, **self.rng.choice(AXLE_FAULTS))
        else:
            self.simulator.expire_tokens()
        self.model.faults += 1

    # Happenings

    async def plug_in(self, step: str) -> None:
        """The car is connected: a session, and one schedule."""
        if not self.allowed(self.model.user):
            # Between sessions the user lets the car charge again: no session, no override.
            self.model.user = dict(self.initial_user)
            await self.twin.app_set(**self.model.user)
            self.unsettle()
        self.maybe_upset_axle()
        self.note("plug-in")
        for twin in self.charger.twins:
            await twin.plug_in()
        self.model.plugged = True
        self.unsettle()
        if self.model.participating:
            session = controller_of(self.entry).session
            self.start_counting(session.session_id if session else None)
        self.tally.sessions += 1
        self.check(step)

    async def unplug(self, step: str) -> None:
        """The car is disconnected for good: the session ends once the settle time is over."""
        self.note("unplug")
        for twin in self.charger.twins:
            await twin.unplug()
        # A plug whose connection is down (a blip) shows the unplug only once it is back.
        unplugged_at = max(self.clock.now, self.charger.plug.blip_until or self.clock.now)
        self.unsettle(unplugged_at - self.clock.now + SETTLE)
        # Until the settle time is over the session goes on; then it ends.
        await self.advance_to(unplugged_at + SETTLE - timedelta(seconds=1), step)
        self.model.plugged = False
        await self.advance_to(unplugged_at + SETTLE + timedelta(seconds=1), step)
        assert controller_of(self.entry).session is None, (
            f"{step}: the session goes on; lately: {self.journal[-12:]}"
        )
        self.check_storage(step)
        if self.twin.device.own_schedule:
            await self.twin.own_schedule(False)

    async def wiggle(self, step: str) -> None:
        """The cable is wiggled: out for less than the settle time, then in again."""
        for twin in self.charger.twins:
            await twin.unplug()
        await self.advance_to(self.clock.now + timedelta(seconds=self.rng.randrange(2, 45)), step)
        for twin in self.charger.twins:
            await twin.plug_in()
        self.unsettle()
        self.check(step)

    async def reload(self, step: str) -> None:
        """The entry is reloaded (options change, reauth, the UI's reload)."""
        self._allow_a_request_for_a_missing_plan()
        # As the reload does: unload (which puts back), then set up (which applies the plan
        # again); each may send a command and its one retry, so they count apart.
        await unload_entry(self.hass, self.entry)
        self.mark()
        await set_up_entry(self.hass, self.entry)
        self.unsettle()
        self.check(step)

    def _allow_a_request_for_a_missing_plan(self) -> None:
        """A session whose schedule Axle has not answered asks again after a restart."""
        session = controller_of(self.entry).session
        if session is not None and session.plan is None:
            self.model.triggers += 1

    async def restart(self, step: str) -> None:
        """Home Assistant stops cleanly, stays down a while and starts again."""
        await self.stop_and_start(step, kill=False)

    async def kill(self, step: str) -> None:
        """Home Assistant is killed, stays down a while and starts again."""
        await self.stop_and_start(step, kill=True)

    async def fault(self, _step: str) -> None:
        """Axle will fail the next schedule request, or the token dies."""
        self.upset_axle()

    async def stop_and_start(self, step: str, *, kill: bool) -> None:
        """Home Assistant stops cleanly (or is killed), stays down a while and starts again."""
        self._allow_a_request_for_a_missing_plan()
        down = timedelta(minutes=self.rng.randrange(1, 90))
        if kill:
            await self._kill()
        else:
            self.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
            await self.hass.async_block_till_done()
            # Stopping puts the charger back (and remembers the pause to resume it).
            self.check_put_back(step)
            await unload_entry(self.hass, self.entry)
        self.model.loaded = False
        self.mark()  # the put-backs at the stop are the stop's; the start-up's count anew
        await self.advance_to(self.clock.now + down, f"{step}: down")
        await set_up_entry(self.hass, self.entry)
        self.model.loaded = True
        self.unsettle()
        self.check(f"{step}: back")

    async def _kill(self) -> None:
        """What a kill leaves: the store and the charger as they were, nothing put back."""
        key = storage_key(self.entry.entry_id)
        stored = copy.deepcopy(self.hass_storage[key])
        devices = [(twin, replace(twin.device), len(twin.commands)) for twin in self.charger.twins]
        await unload_entry(self.hass, self.entry)
        for twin, device, commands in devices:
            twin.shutdown()
            twin.device = device
            twin.report()
            del twin.commands[commands:]
        self.hass_storage[key] = stored

    async def override(self, step: str) -> bool:
        """The user switches charging on or off in Home Assistant: hands off for the session."""
        if self.control_key is None:
            return False
        spec = self.twin.twin.spec(self.control_key)
        if self.allowed():
            settings = self._stopped_settings()
            if settings is None:
                return False
            self.model.user = settings
        value = spec.read(self._as_user_wants())
        if value is None:
            return False
        self.maybe_upset_axle()
        self.model.triggers += 1
        self.model.overridden = True
        await self.twin.user_set(self.control_key, value)
        self.unsettle()
        self.check(step)
        return True

    def _as_user_wants(self, settings: dict[str, Any] | None = None) -> Any:
        """The device with the user's settings (or these), with a car in that wants charge."""
        return replace(
            self.twin.device,
            **(self.model.user if settings is None else settings),
            connected=True,
            car_full=False,
            own_schedule=False,
        )

    def _stopped_settings(self) -> dict[str, Any] | None:
        """User settings like the present ones that do not allow charging (None: none found)."""
        spec = self.twin.twin.spec(str(self.control_key))
        changes: list[dict[str, Any]] = [
            {"enabled": False},
            {"current": spec.minimum},
            *({"mode": option} for option in spec.options),
        ]
        shown = spec.read(self._as_user_wants())
        for change in changes:
            settings = {**self.model.user, **change}
            if not self.allowed(settings) and spec.read(self._as_user_wants(settings)) != shown:
                return settings
        return None

    async def app_override(self, step: str) -> bool:
        """The vendor's app resumes charging in a pause, long enough to be the user's."""
        plan = self.plan()
        now = self.clock.now
        running = [end for start, end in (plan.pauses if plan else []) if start <= now < end]
        # Right after a command of ours the app's change looks like the command not sticking
        # (a poll's fresh context either way): the integration tries once more, as it should.
        sent = [command.at for command in self.twin.integration_commands()]
        if (
            self.control_key is None
            or self.model.overridden
            or not running
            or running[0] - now < 3 * self.grace
            or (sent and now - sent[-1] < 2 * self.grace)
        ):
            return False
        self.maybe_upset_axle()
        self.model.triggers += 1
        self.model.overridden = True
        await self.twin.app_set(**self.model.user)
        self.unsettle(2 * self.grace)
        self.check(step)
        return True

    async def change_current(self, step: str) -> bool:
        """The user changes only the current: it stands, and no override."""
        if self.current_key is None or self.current_key == self.control_key:
            return False
        spec = self.twin.twin.spec(self.current_key)
        choices = [
            value for value in (10.0, 13.0, 20.0, 32.0) if spec.minimum <= value <= spec.maximum
        ]
        value = self.rng.choice([v for v in choices if v != self.twin.device.current])
        self.model.user = {**self.model.user, "current": value}
        await self.twin.user_set(self.current_key, value)
        self.unsettle()
        self.check(step)
        return True

    async def edit_window(self, step: str) -> None:
        """The user picks another charging window while plugged in."""
        self.maybe_upset_axle()
        self.model.triggers += 1
        update_charger(
            self.hass,
            self.entry,
            {
                **charger_settings(self.entry),
                CONF_WINDOW_START: self.rng.choice(WINDOW_STARTS),
                CONF_WINDOW_END: self.rng.choice(WINDOW_ENDS),
            },
        )
        await self.hass.async_block_till_done()
        self.unsettle()
        self.check(step)

    async def toggle_participation(self, step: str) -> None:
        """Flex Lite switched off for a while (the session ends) and on again (a new one)."""
        switch = next(
            entity.entity_id
            for entity in er.async_entries_for_config_entry(
                er.async_get(self.hass), self.entry.entry_id
            )
            if entity.domain == "switch"
        )
        await self.hass.services.async_call(
            "switch", "turn_off", {ATTR_ENTITY_ID: switch}, blocking=True
        )
        await self.hass.async_block_till_done()
        self.model.participating = False
        self.unsettle()
        self.check(f"{step}: off")
        await self.advance_to(self.clock.now + timedelta(minutes=30), f"{step}: off")
        self.maybe_upset_axle()
        await self.hass.services.async_call(
            "switch", "turn_on", {ATTR_ENTITY_ID: switch}, blocking=True
        )
        await self.hass.async_block_till_done()
        self.model.participating = True
        session = controller_of(self.entry).session
        self.start_counting(session.session_id if session else None)
        self.unsettle()
        self.check(f"{step}: on")

    async def car_full(self, step: str) -> None:
        """The car stops drawing by itself (a switch that follows the status flips)."""
        await self.twin.car_full()
        self.unsettle()
        self.check(step)

    async def own_schedule(self, step: str) -> None:
        """The charger's own schedule starts (or stops) holding charging off."""
        await self.twin.own_schedule(not self.twin.device.own_schedule)
        self.unsettle()
        self.check(step)

    async def blip(self, step: str) -> None:
        """The charger's connection drops: every entity unavailable a while."""
        seconds = float(self.rng.randrange(5, 180))
        await self.twin.blip(seconds)
        self.unsettle(timedelta(seconds=seconds))
        self.check(step)

    async def happen(self, kind: str, step: str) -> None:
        """One happening while the car is in."""
        self.note(kind)
        actions: dict[str, Callable[[str], Awaitable[bool | None]]] = {
            "reload": self.reload,
            "restart": self.restart,
            "kill": self.kill,
            "wiggle": self.wiggle,
            "override": self.override,
            "app": self.app_override,
            "current": self.change_current,
            "window": self.edit_window,
            "participation": self.toggle_participation,
            "fault": self.fault,
            "car_full": self.car_full,
            "own_schedule": self.own_schedule,
            "blip": self.blip,
        }
        if await actions[kind](step) is not False:
            self.tally.happenings[kind] = self.tally.happenings.get(kind, 0) + 1

    # Sessions

    def next_session_times(self) -> tuple[datetime, datetime, int]:
        """When the next session plugs in and unplugs, and how many nights it lasts.

        Mostly in some evening hour and out some morning hour one to three nights later;
        otherwise a top-up at any hour of the day, from ten minutes to four hours.
        """
        rng = self.rng
        local = dt_util.get_default_time_zone()
        day = self.clock.now.astimezone(local).date() + timedelta(days=rng.choice((0, 1, 1, 2)))
        if rng.random() < 0.8:
            nights = rng.choice((1, 1, 1, 2, 2, 3))
            plug_in_at = datetime.combine(day, time(17), local) + timedelta(
                minutes=rng.randrange(0, 7 * 60)
            )
            morning = datetime.combine(day + timedelta(days=nights), time(5), local)
            unplug_at = morning + timedelta(minutes=rng.randrange(0, 4 * 60))
        else:
            nights = 0
            plug_in_at = datetime.combine(day, time(0), local) + timedelta(
                minutes=rng.randrange(0, 24 * 60)
            )
            unplug_at = plug_in_at + timedelta(minutes=rng.randrange(10, 4 * 60))
        earliest = self.clock.now + timedelta(minutes=10)
        if plug_in_at < earliest:
            unplug_at += earliest - plug_in_at
            plug_in_at = earliest
        return plug_in_at, unplug_at, nights

    def when(self, kind: str, plugged_at: datetime, unplug_at: datetime) -> datetime:
        """A random moment for a happening; the vendor's app fights the first pause, once ours
        has settled."""
        moment = plugged_at + (unplug_at - plugged_at) * self.rng.random()
        plan = self.plan()
        if kind == "app" and plan is not None:
            starts = [start for start, _ in plan.pauses if plugged_at < start < unplug_at]
            if starts:
                settled = starts[0] + 2 * self.grace
                moment = settled + timedelta(seconds=self.rng.randrange(10, 120))
        return moment

    async def session(self, number: int) -> int:
        """One plug-in: random happenings at random moments, then unplug; returns its nights."""
        rng = self.rng
        step = f"session {number}"
        plug_in_at, unplug_at, nights = self.next_session_times()
        await self.advance_to(plug_in_at, f"{step}: idle")
        await self.plug_in(f"{step}: plug-in")
        plugged_at = self.clock.now
        happenings = sorted(
            (self.when(kind, plugged_at, unplug_at), kind)
            for kind, chance in HAPPENINGS
            for _ in range(max(nights, 1))
            if rng.random() < chance
        )
        for when, kind in happenings:
            await self.advance_to(max(when, self.clock.now), f"{step}: before {kind}")
            await self.happen(kind, f"{step}: {kind}")
        await self.advance_to(max(unplug_at, self.clock.now), f"{step}: plugged in")
        await self.unplug(f"{step}: unplug")
        return nights

    async def remove_while_plugged_in(self) -> None:
        """The last session: the entry is removed while the car is in (maybe in a pause)."""
        plug_in_at, _, _ = self.next_session_times()
        await self.advance_to(plug_in_at, "removal: idle")
        await self.plug_in("removal: plug-in")
        plan = self.plan()
        if plan and plan.pauses:
            start, end = plan.pauses[0]
            await self.advance_to(start + (end - start) / 2, "removal: into the pause")
        assert await self.hass.config_entries.async_remove(self.entry.entry_id)
        await self.hass.async_block_till_done()
        self.model.loaded = False
        self.check_put_back("removal")
        self._check_log("removal")

    def summary(self, profile: str, seed: int) -> str:
        """One line: what the case covered."""
        tally = self.tally
        happened = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.happenings.items()))
        return (
            f"soak {self.mode} {profile} seed {seed}: {tally.sessions} sessions, "
            f"{tally.nights} nights ({tally.new_nights} planned with the car still in), "
            f"{tally.checks} checks; {happened}"
        )


@pytest.mark.parametrize(
    ("control_mode", "profile"),
    [
        pytest.param(
            mode,
            profile,
            marks=[pytest.mark.xfail(reason=FOUND[mode, profile], strict=True)]
            if (mode, profile) in FOUND
            else [],
        )
        for mode in MODES
        for profile in PROFILES
    ],
)
async def test_soak(
    hass: HomeAssistant,
    *,
    clock: Clock,
    sim_chargers: SimChargers,
    config_entry: MockConfigEntry,
    axle_simulator: AxleSimulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    soak_size: SoakSize,
    control_mode: str,
    profile: str,
) -> None:
    """Run the seeded nights of one mode and profile; a failure names how to replay it."""
    caplog.set_level(logging.DEBUG if soak_size.debug else logging.WARNING)
    seed = soak_size.seed
    options: dict[str, Any] = {
        CONF_POWER_KW: 7.4,
        CONF_WINDOW_START: "23:30:00",
        CONF_WINDOW_END: "05:30:00",
        CONF_CONTROL_MODE: control_mode,
        CONF_UNPLUG_SETTLE: SETTLE.total_seconds(),
    }
    if profile == "tesla_wall_connector":
        # The pause goes through the car: its latency is the car's, not the wall connector's.
        options["command_latency"] = PROFILES_BY_KEY["tesla_car"].command_latency
    charger = await sim_chargers.set_up(profile, config_entry, options)
    soak = Soak(
        hass,
        entry=config_entry,
        charger=charger,
        clock=clock,
        simulator=axle_simulator,
        caplog=caplog,
        hass_storage=hass_storage,
        rng=random.Random(f"{seed} {control_mode} {profile}"),  # noqa: S311 - replayable
        mode=control_mode,
    )
    wanted = soak_size.nights
    started = clock.now
    number = 0
    try:
        while soak.tally.nights < wanted:
            soak.tally.nights += await soak.session(number)
            number += 1
        await soak.remove_while_plugged_in()
    except AssertionError as err:
        raise AssertionError(
            f"soak failed; replay test_soak[{control_mode}-{profile}] with {soak_size.replay}: "
            f"{err}"
        ) from err
    print(soak.summary(profile, seed))
    assert clock.now - started >= timedelta(days=wanted)
    # The run exercised what it is about: pauses applied and put back.
    commands = [command for twin in charger.twins for command in twin.integration_commands()]
    assert len(commands) >= 2
