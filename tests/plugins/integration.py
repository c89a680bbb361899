"""Fixtures for integration tests: a simulated charger, an onboarded config entry, a frozen clock.

The charger is made of core helpers, so Home Assistant's own services drive it:

- ``input_boolean.ev_plug``: the plug state (on = a car is connected),
- ``input_boolean.ev_charger``: the charger switch (on = charging allowed), initially on,
- ``input_number.ev_current``: the charging current, 6 to 32 A in steps of 1, initially 16.

``charger`` acts on it as the user would (``plug_in``, ``unplug``, ``set_switch``, ``set_current``)
and counts the service calls the integration makes to it (``service_calls``).

``config_entry`` is an entry for a site already onboarded in the simulator (``axle_simulator``),
talking to it over loopback; ``init_integration`` sets it up. Home Assistant runs in
Europe/London with the clock frozen at ``start_time`` (a parametrizable fixture). ``clock`` moves
the frozen time and fires the timers that fall due, one by one in due order.

Most tests only need ``init_integration``, ``charger`` and ``clock``; ``plugged_in`` and
``in_pause`` are ``init_integration`` with the car plugged in, and then ten minutes into Axle's
first pause. Parametrize
``control_mode``, ``charging_window``, ``start_time`` or ``entry_options`` to change the set-up.
``all_entities_enabled`` (request it before ``init_integration``) also creates the entities that
start disabled.
``controller`` is the set-up entry's session controller.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from unittest.mock import PropertyMock, patch

from aiohttp import helpers as aiohttp_helpers
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_PASSWORD,
    CONF_USERNAME,
    EVENT_CALL_SERVICE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_ON,
)
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.event import RANDOM_MICROSECOND_MAX
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_fire_time_changed_exact,
)

from custom_components.axle_flex_lite import const
from tools.axle_simulator.state import (
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    LIMITED_PAUSE,
    AssetInput,
    SiteInput,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Iterator

    from freezegun.api import FrozenDateTimeFactory

    from custom_components.axle_flex_lite.controller import SessionController
    from tools.axle_simulator import AxleSimulator

T = TypeVar("T")

TIME_ZONE = "Europe/London"
PLUG = "input_boolean.ev_plug"
SWITCH = "input_boolean.ev_charger"
CURRENT = "input_number.ev_current"
# The second charger of a two-charger home (``two_chargers`` in tests/plugins/home.py).
PLUG_2 = "input_boolean.ev2_plug"
SWITCH_2 = "input_boolean.ev2_charger"
CURRENT_2 = "input_number.ev2_current"
CHARGER_DOMAINS = frozenset({"input_boolean", "input_number"})

# Fixed, so that unique ids (and with them the snapshots) are the same in every run.
ENTRY_ID = "01JAXLEF1EXL1TEENTRY0000000"
MPAN = "1900000000013"
POSTCODE = "CT1 2EH"
EXTERNAL_ID = "ha-charger-test"
CONSENT_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
# A winter evening (GMT = UTC), before the default 23:30-05:30 window.
DEFAULT_START = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
# The pause the simulator ("price" mode) cuts into the default window for a plug-in that evening.
FIRST_PAUSE_START = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
FIRST_PAUSE_END = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ServiceCallRecord:
    """One service call the integration made to the charger."""

    domain: str
    service: str
    entity_id: str
    value: float | None
    at: datetime


class SimulatedCharger:
    """The helper-based charger: acts as its user and counts the integration's service calls."""

    def __init__(
        self,
        hass: HomeAssistant,
        plug: str = PLUG,
        switch: str = SWITCH,
        current: str = CURRENT,
        *,
        others: frozenset[str] = frozenset({PLUG_2, SWITCH_2, CURRENT_2}),
    ) -> None:
        """Start counting calls; the user's own calls are told apart by their contexts.

        Calls to ``others`` (another charger's helpers) are not this charger's.
        """
        self.hass = hass
        self.plug, self.switch, self.current = plug, switch, current
        self._others = others
        self.service_calls: list[ServiceCallRecord] = []
        self._user_contexts: set[str] = set()
        self._user_id: str | None = None
        hass.bus.async_listen(EVENT_CALL_SERVICE, self._record)

    def _record(self, event: Event) -> None:
        """Keep calls to the charger that the user (this helper) did not make."""
        if event.data["domain"] not in CHARGER_DOMAINS or event.context.id in self._user_contexts:
            return
        data = event.data.get("service_data") or {}
        entity_ids = data.get(ATTR_ENTITY_ID)
        entity_id = entity_ids[0] if isinstance(entity_ids, list) else entity_ids
        if entity_id in self._others:
            return
        self.service_calls.append(
            ServiceCallRecord(
                domain=event.data["domain"],
                service=event.data["service"],
                entity_id=str(entity_id),
                value=data.get("value"),
                at=dt_util.utcnow(),
            )
        )

    def calls(self) -> list[tuple[str, str, float | None]]:
        """The integration's calls so far as ``(entity_id, service, value)``."""
        return [(call.entity_id, call.service, call.value) for call in self.service_calls]

    def reset_calls(self) -> None:
        """Forget the calls counted so far."""
        self.service_calls.clear()

    async def _user_call(
        self, domain: str, service: str, data: dict[str, Any], *, wait: bool
    ) -> None:
        """Call a service as the user: under a context the integration did not create.

        With ``wait`` everything the change sets off is awaited too; without, only the call
        (for tests where Axle is held up and the frozen clock has to be driven).
        """
        if self._user_id is None:
            # A person in Home Assistant: their calls carry their user id, as the frontend's do.
            # An administrator (the first user made is the owner; a second charger's is not).
            user = await self.hass.auth.async_create_user(
                "Charger owner", group_ids=["system-admin"]
            )
            self._user_id = user.id
        context = Context(user_id=self._user_id)
        self._user_contexts.add(context.id)
        await self.hass.services.async_call(domain, service, data, blocking=True, context=context)
        if wait:
            await self.hass.async_block_till_done()

    async def plug_in(self, *, wait: bool = True) -> None:
        """Connect the car."""
        await self._user_call(
            "input_boolean", SERVICE_TURN_ON, {ATTR_ENTITY_ID: self.plug}, wait=wait
        )

    async def unplug(self, *, wait: bool = True) -> None:
        """Disconnect the car."""
        await self._user_call(
            "input_boolean", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: self.plug}, wait=wait
        )

    async def set_switch(self, on: bool, *, wait: bool = True) -> None:
        """Switch charging on or off by hand."""
        service = SERVICE_TURN_ON if on else SERVICE_TURN_OFF
        await self._user_call("input_boolean", service, {ATTR_ENTITY_ID: self.switch}, wait=wait)

    async def set_current(self, value: float) -> None:
        """Change the charging current by hand."""
        await self._user_call(
            "input_number", "set_value", {ATTR_ENTITY_ID: self.current, "value": value}, wait=True
        )

    @property
    def switch_on(self) -> bool:
        """Whether the charger switch is on."""
        state = self.hass.states.get(self.switch)
        assert state is not None
        return state.state == STATE_ON

    @property
    def current_value(self) -> float:
        """The charging current."""
        state = self.hass.states.get(self.current)
        assert state is not None
        return float(state.state)


# aiohttp re-arms this every minute for as long as a connection is open (connection clean-up). It
# orders nothing we test, so the clock does not stop for it; it still fires when time passes it.
_HOUSEKEEPING = getattr(aiohttp_helpers, "_weakref_handle", None)


# A fixed quarter of a second (within Home Assistant's 0.05-0.5 s spread of coordinator refreshes).
COORDINATOR_SPREAD_US = 250_000


class Clock:
    """Moves Home Assistant's frozen clock timer by timer, in due order.

    ``async_fire_time_changed`` alone runs everything due by the target in one go, in the order of
    the event loop's heap, so a 30 s check could run before a 10 s report. ``move_to`` instead
    stops at each timer's due time, runs that timer and everything it sets off, and only then
    looks for the next one.
    """

    # Enough for a week of minute-by-minute timers; a loop that keeps re-arming at the same instant
    # is a bug the test should show rather than hang on.
    MAX_STEPS = 20_000
    SLACK = timedelta(milliseconds=1)
    SPREAD = timedelta(microseconds=RANDOM_MICROSECOND_MAX)

    def __init__(self, hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
        """Drive ``hass`` through ``freezer``."""
        self.hass = hass
        self.freezer = freezer

    @property
    def now(self) -> datetime:
        """The frozen time (UTC)."""
        return dt_util.utcnow()

    def next_due(self) -> datetime | None:
        """When the earliest pending timer falls due (the loop's clock follows the frozen one)."""
        loop = self.hass.loop
        delays = [
            handle.when() - loop.time()
            for handle in get_scheduled_timer_handles(loop)
            if isinstance(handle, asyncio.TimerHandle)
            and not handle.cancelled()
            and getattr(handle, "_callback", None) is not _HOUSEKEEPING
        ]
        if not delays:
            return None
        # To the millisecond: far from 1970 the loop's float clock carries sub-millisecond noise.
        due = self.now + timedelta(seconds=max(min(delays), 0.0))
        return datetime.fromtimestamp(round(due.timestamp(), 3), tz=UTC)

    async def _settle(self) -> None:
        """Let everything the fired timers set off run."""
        # The rewards refresh runs as a background task; let it finish before time moves again.
        await self.hass.async_block_till_done(wait_background_tasks=True)

    async def move_to(self, when: datetime) -> None:
        """Go to ``when``, firing each timer due by then at its own time, earliest first.

        As with Home Assistant's own ``async_fire_time_changed``, timers due up to half a second
        after ``when`` fire too (coordinators spread their refreshes over that half second); they
        run in order, with the clock at ``when``.
        """
        limit = when + self.SPREAD
        fired_after_when: datetime | None = None
        for _ in range(self.MAX_STEPS):
            due = self.next_due()
            if due is None or due > limit or due == fired_after_when:
                # A point-in-time timer fired with the clock still at ``when`` finds itself early
                # and re-arms for its own time (Home Assistant does that): it is due after
                # ``when``, so it waits for the clock to get there.
                break
            due = max(due, self.now)
            if due > when:
                fired_after_when = due
            self.freezer.move_to(min(due, when))
            await self._fire(due)
        else:
            raise AssertionError(f"timers kept falling due before {when}")
        self.freezer.move_to(when)
        await self._fire(when)

    async def _fire(self, at: datetime) -> None:
        """Run the timers due at ``at``, and what they set off.

        Timestamps near 2026 carry about a quarter of a microsecond of float noise, so a timer
        due "now" may look a hair in the future: a millisecond of slack absorbs that.
        """
        async_fire_time_changed_exact(self.hass, at + self.SLACK)
        await self._settle()

    async def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        await self.move_to(self.now + delta)

    @staticmethod
    async def run_ready() -> None:
        """Let everything that can run without the clock moving run (no waiting on timers)."""
        for _ in range(20):
            await asyncio.sleep(0)

    async def drive(self, awaitable: Awaitable[T], step: timedelta = timedelta(seconds=1)) -> T:
        """Await something that waits on the event loop's clock (a timeout, a retry delay).

        The frozen clock never moves by itself, so it is stepped until the awaitable is done.
        """
        task = asyncio.ensure_future(awaitable)
        for _ in range(600):
            await self.run_ready()
            if task.done():
                break
            self.freezer.tick(step)
            async_fire_time_changed(self.hass, self.now)
        return await task


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Create every entity enabled, also those the integration disables by default."""
    with patch.object(
        Entity, "entity_registry_enabled_default", new_callable=PropertyMock, return_value=True
    ):
        yield


@pytest.fixture
def start_time() -> datetime:
    """When the test starts (parametrize to change it)."""
    return DEFAULT_START


@pytest.fixture
async def clock(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, start_time: datetime
) -> AsyncIterator[Clock]:
    """Home Assistant in Europe/London with its clock frozen at ``start_time``.

    Coordinators refresh a random fraction of a second past their interval; that fraction is
    fixed here, so that a run (and its log of calls to Axle) is the same every time.
    """
    await hass.config.async_set_time_zone(TIME_ZONE)
    freezer.move_to(start_time)
    with patch(
        "homeassistant.helpers.update_coordinator.randint", return_value=COORDINATOR_SPREAD_US
    ):
        yield Clock(hass, freezer)


@pytest.fixture
async def charger(hass: HomeAssistant) -> SimulatedCharger:
    """Create the charger's helper entities: unplugged, switch on, 16 A.

    A second charger's helpers (``ev2_*``) are made too, for the two-charger home; only it uses
    them.
    """
    current = {"min": 6, "max": 32, "step": 1, "initial": 16}
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                "ev_plug": {"name": "EV plug"},
                "ev_charger": {"initial": True},
                "ev2_plug": {"name": "EV 2 plug"},
                "ev2_charger": {"initial": True},
            }
        },
    )
    assert await async_setup_component(
        hass, "input_number", {"input_number": {"ev_current": current, "ev2_current": current}}
    )
    await hass.async_block_till_done()
    return SimulatedCharger(hass)


@pytest.fixture
def control_mode() -> str:
    """The entry's control mode (parametrize to change it)."""
    return "pause_only"


@pytest.fixture
def charging_window() -> tuple[str, str]:
    """The entry's charging window as local wall times (parametrize to change it)."""
    return ("23:30:00", "05:30:00")


@pytest.fixture
def entry_options(control_mode: str, charging_window: tuple[str, str]) -> dict[str, Any]:
    """The entry's options: the simulated charger, the window and the control mode."""
    return {
        const.CONF_PLUG_ENTITY: PLUG,
        const.CONF_SWITCH_ENTITY: SWITCH,
        const.CONF_CURRENT_ENTITY: CURRENT,
        const.CONF_POWER_KW: 7.4,
        const.CONF_WINDOW_START: charging_window[0],
        const.CONF_WINDOW_END: charging_window[1],
        const.CONF_CONTROL_MODE: control_mode,
        # An unplug counts at once here; the tests of a steady plug set the settle time.
        const.CONF_UNPLUG_SETTLE: 0,
    }


def onboard_site(simulator: AxleSimulator, mpan: str, *assets: AssetInput) -> dict[str, Any]:
    """Onboard the chargers ``assets`` on the site of ``mpan`` with the simulator's default account.

    Return Axle's answer (onboarding upserts: a site onboarded again gets the assets added).
    """
    return simulator.onboard(
        DEFAULT_USERNAME,
        SiteInput(mpan=mpan, postcode=POSTCODE, consent_at=CONSENT_AT),
        list(assets),
        LIMITED_PAUSE,
        False,
    )


def onboard_charger(
    simulator: AxleSimulator, external_id: str, *, mpan: str = MPAN
) -> dict[str, Any]:
    """Onboard a charger with the simulator's default account: its site is created the first
    time and upserted after (a second charger joins it). Return Axle's answer."""
    return onboard_site(
        simulator, mpan, AssetInput(external_id=external_id, type="charger", power_kw=7.4)
    )


def home_data(base_url: str, mpan: str, site_id: str) -> dict[str, Any]:
    """The data of a home's entry: the simulator's default account at ``base_url``, the site."""
    return {
        const.CONF_ENVIRONMENT: "custom",
        const.CONF_BASE_URL: base_url,
        CONF_USERNAME: DEFAULT_USERNAME,
        CONF_PASSWORD: DEFAULT_PASSWORD,
        const.CONF_MPAN: mpan,
        const.CONF_STREET_ADDRESS: "4 Sample Lane",
        const.CONF_POSTCODE: POSTCODE,
        const.CONF_EMAIL: "user@example.net",
        const.CONF_CONSENT_AT: CONSENT_AT.isoformat(),
        const.CONF_SITE_ID: site_id,
    }


def onboarded_entry(
    simulator: AxleSimulator,
    base_url: str,
    options: dict[str, Any],
    *,
    mpan: str = MPAN,
    external_id: str = EXTERNAL_ID,
    title: str = "Axle Flex Lite CT1",
    entry_id: str | None = None,
) -> MockConfigEntry:
    """Onboard a site with one charger in the simulator; return its entry (not yet in hass).

    The entry talks to the simulator at ``base_url`` with the simulator's default account; the
    benchmark builds its many sites with this too.
    """
    result = onboard_charger(simulator, external_id, mpan=mpan)
    return MockConfigEntry(
        domain=const.DOMAIN,
        entry_id=entry_id,
        title=title,
        unique_id=mpan,
        data={
            **home_data(base_url, mpan, result["site"]["site_id"]),
            const.CONF_ASSET_ID: result["assets"][0]["asset_id"],
            const.CONF_EXTERNAL_ID: external_id,
        },
        options=options,
    )


@pytest.fixture
def config_entry(
    axle_simulator: AxleSimulator, axle_base_url: str, entry_options: dict[str, Any]
) -> MockConfigEntry:
    """An entry for a site already onboarded in the simulator (not yet added to hass)."""
    return onboarded_entry(axle_simulator, axle_base_url, entry_options, entry_id=ENTRY_ID)


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    clock: Clock,
    charger: SimulatedCharger,
    config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set up the entry (frozen clock, charger in place) and return it."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
async def plugged_in(
    init_integration: MockConfigEntry, charger: SimulatedCharger
) -> MockConfigEntry:
    """The set-up entry with the car plugged in at ``start_time``; Axle has answered."""
    await charger.plug_in()
    return init_integration


@pytest.fixture
async def in_pause(
    plugged_in: MockConfigEntry, charger: SimulatedCharger, clock: Clock
) -> MockConfigEntry:
    """``plugged_in``, ten minutes into the first night's pause: the charger is switched off."""
    await clock.move_to(FIRST_PAUSE_START + timedelta(minutes=10))
    assert not charger.switch_on
    return plugged_in


@pytest.fixture
def controller(init_integration: MockConfigEntry) -> SessionController:
    """The set-up entry's session controller."""
    controller: SessionController = init_integration.runtime_data.controller
    return controller
