"""One charger's soak (``tests/test_soak.py``): its random sessions and happenings, as a script.

A charger's nights are a script (``Soak.script``): it yields the next moment it wants and the
driver moves the clock there (checking every charger of the home on the way) before the script
goes on. One charger's script is the one-charger soak; two chargers' scripts, merged in time,
make a home with two chargers where each has its own sessions and happenings from the same seed.

A happening at one charger (its car, its user, its vendor's app, its window, its connection, a
fault of its own requests) is its own: the other charger's model does not change, and whatever
it brought about at the other charger fails that one's checks; one that takes no time must not
send the other charger a command or Axle a request for the other's asset at all. A happening of
the home (a reload, a restart, a kill, Flex Lite switched off and on, a dead token) is every
charger's: each model takes it in (``soak_home.py``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from custom_components.axle_flex_lite.const import CONF_WINDOW_END, CONF_WINDOW_START
from tests.helpers import update_charger
from tests.soak_home import HomeHappenings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

SETTLE = timedelta(seconds=60)
WINDOW_STARTS = ("21:00:00", "22:30:00", "23:30:00", "00:30:00")
WINDOW_ENDS = ("04:30:00", "05:30:00", "06:30:00", "08:00:00")
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
# Happenings of the home: every charger's model takes them in.
HOME_HAPPENINGS = frozenset({"reload", "restart", "kill", "participation"})


class Soak(HomeHappenings):
    """One charger of a case: its mode, its profile's twin, through seeded random nights."""

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
            session = self.controller.session
            self.start_counting(session.session_id if session else None)
        self.tally.sessions += 1
        self.check(step)

    async def unplug(self, step: str) -> None:
        """The car is disconnected for good: the session ends once the settle time is over."""
        self.note("unplug")
        await self.on_its_own(step, self._pull_out)
        # A plug whose connection is down (a blip) shows the unplug only once it is back.
        unplugged_at = max(self.clock.now, self.charger.plug.blip_until or self.clock.now)
        self.unsettle(unplugged_at - self.clock.now + SETTLE)
        # Until the settle time is over the session goes on; then it ends.
        await self.advance_to(unplugged_at + SETTLE - timedelta(seconds=1), step)
        self.model.plugged = False
        await self.advance_to(unplugged_at + SETTLE + timedelta(seconds=1), step)
        assert self.controller.session is None, (
            f"{step}: the session goes on; lately: {self.journal[-12:]}"
        )
        self.check_storage(step)
        if self.twin.device.own_schedule:
            await self.twin.own_schedule(False)

    async def _pull_out(self, _step: str) -> None:
        for twin in self.charger.twins:
            await twin.unplug()

    async def wiggle(self, step: str) -> None:
        """The cable is wiggled: out for less than the settle time, then in again."""
        for twin in self.charger.twins:
            await twin.unplug()
        await self.advance_to(self.clock.now + timedelta(seconds=self.rng.randrange(2, 45)), step)
        for twin in self.charger.twins:
            await twin.plug_in()
        self.unsettle()
        self.check(step)

    async def fault(self, _step: str) -> None:
        """Axle will fail the next schedule request, or the token dies."""
        self.upset_axle()

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
        self.model.app_changed_at = self.clock.now
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
                **self.charger_settings(),
                CONF_WINDOW_START: self.rng.choice(WINDOW_STARTS),
                CONF_WINDOW_END: self.rng.choice(WINDOW_ENDS),
            },
            self.subentry_id,
        )
        await self.hass.async_block_till_done()
        self.unsettle()
        self.check(step)

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
        """One happening while the car is in (the home's, or this charger's on its own)."""
        for peer in self.peers if kind in HOME_HAPPENINGS else [self]:
            peer.note(kind)
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
        action = actions[kind]
        if kind in HOME_HAPPENINGS:
            done = await action(step)
        else:
            done = await self.on_its_own(step, action)
        if done is not False:
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

    async def script(self, nights: int) -> AsyncIterator[tuple[datetime, str]]:
        """Sessions until ``nights`` nights are done: each yields when its next step is due
        (and what the clock moves through up to it); the driver comes back at that moment.

        A session: plug in, random happenings at random moments, unplug.
        """
        rng = self.rng
        number = 0
        while self.tally.nights < nights:
            step = self.named(f"session {number}")
            plug_in_at, unplug_at, session_nights = self.next_session_times()
            yield plug_in_at, f"{step}: idle"
            await self.on_its_own(f"{step}: plug-in", self.plug_in)
            plugged_at = self.clock.now
            happenings = sorted(
                (self.when(kind, plugged_at, unplug_at), kind)
                for kind, chance in HAPPENINGS
                for _ in range(max(session_nights, 1))
                if rng.random() < chance
            )
            for when, kind in happenings:
                yield when, f"{step}: before {kind}"
                await self.happen(kind, f"{step}: {kind}")
            yield unplug_at, f"{step}: plugged in"
            await self.unplug(f"{step}: unplug")
            self.tally.nights += session_nights
            number += 1

    # The end: removals with the car in

    async def plug_in_to_remove(self) -> None:
        """The last session begins: plug in."""
        plug_in_at, _, _ = self.next_session_times()
        await self.advance_to(plug_in_at, self.named("removal: idle"))
        await self.on_its_own(self.named("removal: plug-in"), self.plug_in)

    async def into_the_pause(self) -> None:
        """Go to the middle of this charger's next pause, if it has one ahead."""
        plan = self.plan()
        now = self.clock.now
        middles = [start + (end - start) / 2 for start, end in (plan.pauses if plan else [])]
        if ahead := [middle for middle in middles if middle > now]:
            await self.advance_to(ahead[0], self.named("removal: into the pause"))

    async def remove_while_plugged_in(self) -> None:
        """The last session: the entry is removed while the car is in (maybe in a pause)."""
        await self.plug_in_to_remove()
        await self.into_the_pause()
        await self.remove_home()

    def summary(self, seed: int) -> str:
        """One line: what the case covered at this charger."""
        tally = self.tally
        happened = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.happenings.items()))
        return (
            f"soak {self.named(self.mode)} {self.charger.plug.twin.profile} seed {seed}: "
            f"{tally.sessions} sessions, "
            f"{tally.nights} nights ({tally.new_nights} planned with the car still in), "
            f"{sum(1 for answer in self.answers if answer.pauses)} paused by Axle, "
            f"{tally.checks} checks; {happened}"
        )


async def run_nights(soaks: list[Soak], nights: int) -> None:
    """Run the chargers' scripts together: always the one whose next step is due first."""
    scripts = [soak.script(nights) for soak in soaks]
    due: dict[int, tuple[datetime, str]] = {}

    async def go_on(index: int) -> None:
        try:
            due[index] = await anext(scripts[index])
        except StopAsyncIteration:
            due.pop(index, None)

    for index in range(len(scripts)):
        await go_on(index)
    while due:
        index = min(due, key=lambda key: due[key][0])
        when, step = due[index]
        soak = soaks[index]
        await soak.advance_to(max(when, soak.clock.now), step)
        await go_on(index)
