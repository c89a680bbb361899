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
ends with the entry removed while the car is in. The happenings are in ``soak_case.py``.

Two chargers, one home: a few cases pair two profiles (a switch that mirrors the charging status
with a lock or a select, a slow cloud charger with a local one, each in its own control mode and
window) in one entry, the second added as a charger subentry with its own Axle asset. Each charger
has its own sessions and happenings from the same seed, merged in time, and its own model; the
home's happenings (reload, restart, kill, Flex Lite off and on) are both chargers'. At the end
the second charger is removed in its pause with both cars in, added again in the first's pause,
then the home is removed.

The invariants, checked after every timer and every happening, are in ``soak_checks.py``.

Seeded and sized (``tests/plugins/soak.py``): ``--soak-seed`` replays a run (a failure names the
options that replay it), ``--soak-nights`` is the nights per mode and profile, and per charger of
a pair (default 5; the README's large soak runs 40), ``--soak-debug`` puts the integration's
debug lines in a failure's log; or the variables ``AXLE_SOAK_SEED``, ``AXLE_SOAK_NIGHTS`` and
``AXLE_SOAK_DEBUG``.
"""

from __future__ import annotations

from datetime import timedelta
import logging
import random
from typing import TYPE_CHECKING, Any

import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.charger_options import migrate_charger_options
from custom_components.axle_flex_lite.profiles import PROFILES_BY_KEY
from tests.plugins.home import SECOND_EXTERNAL_ID, SECOND_SUBENTRY_ID, SECOND_TITLE, add_charger
from tests.sim_charger.twins import TWINS
from tests.soak_case import SETTLE, Soak, run_nights

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.chargers import ProfileCharger, SimChargers
    from tests.plugins.integration import Clock
    from tests.plugins.soak import SoakSize
    from tests.soak_checks import SoakChecks
    from tools.axle_simulator import AxleSimulator

MODES = ("pause_only", "full_schedule")
PROFILES = sorted(TWINS)
# Cases that fail for a reason still open in the controller (strict: the case passes once fixed).
# None now: what the soak found and is open is tolerated where it comes about
# (soak_checks.OPEN_FINDINGS) and has a short test of its own in test_soak_findings.py.
FOUND: dict[tuple[str, str], str] = {}
# Two chargers in one home: (mode, profile) of the first and of the second, each pair unlike.
PAIRS: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    # A switch that mirrors the charging status, with a lock (local, reports the lock at once).
    (("pause_only", "zaptec"), ("full_schedule", "andersen")),
    # The car's own status switch (stale first, ten minutes late) with a local select.
    (("full_schedule", "tesla_wall_connector"), ("pause_only", "go_e")),
    # A slow cloud charger (ten-minute polls) with a local one (reports at once).
    (("pause_only", "pod_point"), ("full_schedule", "ocpp")),
    # A cloud charger's select with a local inverted switch that shows stale values first.
    (("full_schedule", "ohme"), ("pause_only", "indra")),
    # Two of the same make (a select each, two-minute polls): the second's entity ids end in _2.
    (("pause_only", "zappi"), ("full_schedule", "zappi")),
)
SECOND_WINDOW = ("22:30:00", "06:30:00")
# Axle pauses the second charger its own way: 45 minutes from four and a half hours after each
# request, not the first's priciest half-hour (02:00), so neither can follow the other's unseen.
SECOND_PAUSE = {"soon_offset": timedelta(hours=4, minutes=30), "soon_length": timedelta(minutes=45)}
# The second charger added again after its removal: a new charger of the home, a new asset.
ADDED_AGAIN = ("ha-charger-test-3", "01JAXLEF1EXL1TECHARGER00003")


def soak_options(
    profile: str, mode: str, window: tuple[str, str] = ("23:30:00", "05:30:00")
) -> dict[str, Any]:
    """A charger's options besides its entities: power, window, mode, settle time, latency."""
    options: dict[str, Any] = {
        const.CONF_POWER_KW: 7.4,
        const.CONF_WINDOW_START: window[0],
        const.CONF_WINDOW_END: window[1],
        const.CONF_CONTROL_MODE: mode,
        const.CONF_UNPLUG_SETTLE: SETTLE.total_seconds(),
    }
    if profile == "tesla_wall_connector":
        # The pause goes through the car: its latency is the car's, not the wall connector's.
        options["command_latency"] = PROFILES_BY_KEY["tesla_car"].command_latency
    return options


class NewSoak:
    """Makes a case's chargers' ``Soak``s and runs them (``new_soak``)."""

    def __init__(self, shared: dict[str, Any], size: SoakSize, name: str) -> None:
        """Hold what every charger of the case shares: ``Soak``'s arguments, size, test."""
        self.shared = shared
        self.size = size
        self.name = name
        self.peers: list[SoakChecks] = []

    def __call__(
        self,
        charger: ProfileCharger,
        mode: str,
        seeding: str,
        *,
        subentry_id: str | None = None,
        label: str = "",
    ) -> Soak:
        """A charger's ``Soak``, its random happenings seeded by the seed and ``seeding``."""
        soak = Soak(
            **self.shared,
            charger=charger,
            rng=random.Random(f"{self.size.seed} {seeding}"),  # noqa: S311 - replayable
            mode=mode,
            subentry_id=subentry_id,
            label=label,
        )
        # The home's chargers share one list: each sees the others.
        self.peers.append(soak)
        soak.peers = self.peers
        return soak

    async def add_charger(
        self,
        charger: ProfileCharger,
        settings: dict[str, Any],
        external_id: str = SECOND_EXTERNAL_ID,
        subentry_id: str = SECOND_SUBENTRY_ID,
    ) -> None:
        """Add ``charger`` to the home (as its second by default), with these options besides
        its entities; Axle pauses it its own way."""
        hass = self.shared["hass"]
        self.shared["simulator"].set_asset_pause(external_id, "soon", **SECOND_PAUSE)
        settings = charger.options | settings
        add_charger(
            hass,
            self.shared["entry"],
            self.shared["simulator"],
            migrate_charger_options(settings) or settings,
            external_id=external_id,
            subentry_id=subentry_id,
            title=SECOND_TITLE,
        )
        await hass.async_block_till_done()

    async def run(
        self, case: str, soaks: list[Soak], ending: Callable[[], Awaitable[None]]
    ) -> None:
        """Run the seeded nights of every charger, then ``ending``; a failure names the replay."""
        clock = self.shared["clock"]
        started = clock.now
        wanted = self.size.nights
        try:
            await run_nights(soaks, wanted)
            await ending()
        except AssertionError as err:
            raise AssertionError(
                f"soak failed; replay {self.name}[{case}] with {self.size.replay}: {err}"
            ) from err
        for soak in soaks:
            print(soak.summary(self.size.seed))
            # The run exercised what it is about: pauses applied and put back.
            assert soak.command_count() >= 2
        assert clock.now - started >= timedelta(days=wanted)


@pytest.fixture
def new_soak(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    clock: Clock,
    config_entry: MockConfigEntry,
    axle_simulator: AxleSimulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    soak_size: SoakSize,
) -> NewSoak:
    """Make the case's chargers' soaks (the log at warning level, or debug with --soak-debug)."""
    caplog.set_level(logging.DEBUG if soak_size.debug else logging.WARNING)
    shared = {"hass": hass, "entry": config_entry, "clock": clock, "simulator": axle_simulator}
    shared |= {"caplog": caplog, "hass_storage": hass_storage}
    return NewSoak(shared, soak_size, request.function.__name__)


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
    *,
    sim_chargers: SimChargers,
    config_entry: MockConfigEntry,
    new_soak: NewSoak,
    control_mode: str,
    profile: str,
) -> None:
    """Run the seeded nights of one mode and profile; a failure names how to replay it."""
    options = soak_options(profile, control_mode)
    charger = await sim_chargers.set_up(profile, config_entry, options)
    soak = new_soak(charger, control_mode, f"{control_mode} {profile}")
    await new_soak.run(f"{control_mode}-{profile}", [soak], soak.remove_while_plugged_in)


@pytest.mark.parametrize(
    "pair", [pytest.param(pair, id=f"{pair[0][1]}-{pair[1][1]}") for pair in PAIRS]
)
async def test_soak_two_chargers(
    sim_chargers: SimChargers,
    config_entry: MockConfigEntry,
    new_soak: NewSoak,
    pair: tuple[tuple[str, str], tuple[str, str]],
) -> None:
    """Two chargers of one home through their own seeded nights, each checked on its own.

    At the end both cars are in: the second charger is removed in its pause (put back, its asset
    deleted at Axle, the first untouched and still checked), added again in the first's pause
    (the first untouched), then the home is removed (both put back).
    """
    (first_mode, first_profile), (second_mode, second_profile) = pair
    first_charger = await sim_chargers.set_up(
        first_profile, config_entry, soak_options(first_profile, first_mode)
    )
    second_charger = await sim_chargers.add_profile(second_profile)
    second_options = soak_options(second_profile, second_mode, SECOND_WINDOW)
    await new_soak.add_charger(second_charger, second_options)
    case = f"{first_profile}-{second_profile}"
    soaks = [
        new_soak(first_charger, first_mode, f"{case} first", label="first charger"),
        new_soak(
            second_charger,
            second_mode,
            f"{case} second",
            subentry_id=SECOND_SUBENTRY_ID,
            label="second charger",
        ),
    ]

    async def remove_one_then_the_home() -> None:
        one, other = soaks
        await one.plug_in_to_remove()
        await other.plug_in_to_remove()
        await other.into_the_pause()
        commands = await other.remove_charger()
        await one.into_the_pause()
        assert other.command_count() == commands, "the removed charger got commands"

        async def add_again(_step: str) -> None:
            await new_soak.add_charger(second_charger, second_options, *ADDED_AGAIN)

        # Added again (a new asset) in the first's pause: the first is not touched.
        await other.on_its_own(other.named("added again"), add_again)
        other.model.loaded = True  # put back with the home, as its user left it
        await one.remove_home()

    await new_soak.run(case, soaks, remove_one_then_the_home)
