"""What the soak found in the controller, each replayed as one deterministic scenario.

Full-schedule mode against the profiles' simulated twins: an Andersen A2 (a lock, locked = no
charging) left plugged in over two nights, and a Tesla Wall Connector whose pause goes through the
car's charge switch, which follows the charging state (it shows "off" until the car charges).

Times are UTC in November 2026: plugged in at 18:00, window 23:30-05:30 each night.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import ScheduleEventType
from custom_components.axle_flex_lite.profiles import PROFILES_BY_KEY
from tests.helpers import record_events, sent_schedules, set_up_entry, utc
from tests.plugins.chargers import EntryCharger

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import SessionController
    from custom_components.axle_flex_lite.session import Session
    from tests.plugins.chargers import SimChargers
    from tests.plugins.integration import Clock
    from tests.sim_charger.runtime import SimCharger
    from tools.axle_simulator import AxleSimulator


type SetUp = Callable[[str], Awaitable[EntryCharger]]


async def car_starts_and_is_held(
    car: SimCharger, clock: Clock, controller: SessionController
) -> Session:
    """The car is plugged in and starts charging (its switch shows it at once).

    That is the car, not the user: the hold before the window follows, with no override.
    """
    await car.plug_in()
    await clock.advance(timedelta(minutes=30))
    session = controller.session
    assert session is not None
    assert not session.overridden
    assert not car.device.enabled  # held until the window
    return session


async def unplug_and_settle(twin: SimCharger, clock: Clock, controller: SessionController) -> None:
    """The user unplugs; once the unplug has settled, the session is over."""
    await twin.unplug()
    await clock.advance(timedelta(minutes=5))
    assert controller.session is None


@pytest.fixture
def full_schedule(
    hass: HomeAssistant, clock: Clock, sim_chargers: SimChargers, config_entry: MockConfigEntry
) -> SetUp:
    """Set up a profile's twin and the entry, full schedule over 23:30-05:30, on the test clock."""

    async def set_up(profile: str) -> EntryCharger:
        charger = await sim_chargers.add_profile(profile)
        if profile == "tesla_wall_connector":
            # The pause goes through the car: its latency is the car's.
            charger.options["command_latency"] = PROFILES_BY_KEY["tesla_car"].command_latency
        options: dict[str, Any] = {
            **charger.options,
            const.CONF_POWER_KW: 7.4,
            const.CONF_WINDOW_START: "23:30:00",
            const.CONF_WINDOW_END: "05:30:00",
            const.CONF_CONTROL_MODE: "full_schedule",
            const.CONF_UNPLUG_SETTLE: 0,
        }
        config_entry.add_to_hass(hass)
        hass.config_entries.async_update_entry(config_entry, options=options)
        await set_up_entry(hass, config_entry)
        return EntryCharger(charger, config_entry)

    return set_up


async def test_users_off_after_an_overridden_night_comes_back_after_the_next(
    clock: Clock, full_schedule: SetUp
) -> None:
    """The user locks the charger during a night; the car stays in for the next night.

    The next night is planned and charged as usual (unlocked in its window), and after it the
    user's lock is back: at the window's end and after unplug, never the value we set.
    """
    home = await full_schedule("andersen")
    twin, controller = home.twin, home.controller
    await twin.plug_in()
    await clock.move_to(utc(26, 0, 30))
    assert twin.device.enabled  # charging in the first night's window
    await twin.user_set("lock", True)
    first = controller.session
    assert first is not None
    assert first.overridden
    assert not twin.device.enabled

    # The next night: a new plan, the charger unlocked in its window.
    await clock.move_to(utc(27, 0, 30))
    second = controller.session
    assert second is not None
    assert second.session_id != first.session_id
    assert not second.overridden
    assert twin.device.enabled
    # After its window the user's lock is held again, and stays after unplug.
    await clock.move_to(utc(27, 6, 30))
    assert not twin.device.enabled
    await unplug_and_settle(twin, clock, controller)
    assert not twin.device.enabled
    assert controller.values_to_restore == {}


async def test_nights_in_a_row_hold_the_charger_between_the_nights(
    clock: Clock, full_schedule: SetUp
) -> None:
    """A car left in over two nights: held from the first window's end to the second's start.

    The next night's plan takes over without putting the charger back in between (no unlock and
    lock again), and the unplug puts back the user's own value.
    """
    home = await full_schedule("andersen")
    twin, controller = home.twin, home.controller
    await twin.plug_in()
    await clock.move_to(utc(26, 12))
    assert not twin.device.enabled  # held after the first window
    sent = len(twin.integration_commands())
    first = controller.session
    await clock.move_to(utc(26, 23))  # the next night is planned (an hour before its window)
    assert controller.session is not first
    assert twin.integration_commands()[sent:] == []
    assert not twin.device.enabled
    await clock.move_to(utc(27, 0))
    assert twin.device.enabled
    await clock.move_to(utc(27, 7))
    await twin.unplug()
    await clock.advance(timedelta(minutes=5))
    assert twin.device.enabled
    assert controller.values_to_restore == {}


async def test_a_car_that_starts_charging_at_plug_in_is_held_not_an_override(
    clock: Clock, full_schedule: SetUp, axle_simulator: AxleSimulator
) -> None:
    """The car's charge switch shows "off" at plug-in, then "on" as the car starts by itself.

    That is the car, not the user: the hold before the window is sent then (no override, nothing
    more to Axle), the night follows Axle's plan with its pause, and unplug leaves the car allowed
    to charge.
    """
    home = await full_schedule("tesla_wall_connector")
    car, controller = home.twin, home.controller
    events = record_events(controller)
    await home.charger.plug.plug_in()
    assert car.state("charge") == "off"
    session = await car_starts_and_is_held(car, clock, controller)
    assert [command.value for command in car.integration_commands()] == [False]

    plan = session.plan
    assert plan is not None
    assert plan.pauses
    pause = plan.pauses[0]
    await clock.move_to(pause.start - timedelta(minutes=10))
    assert car.device.enabled  # charging in the window
    await clock.move_to(pause.start + timedelta(minutes=10))
    assert not car.device.enabled  # Axle's pause
    await clock.move_to(pause.end + timedelta(minutes=10))
    assert car.device.enabled
    await clock.move_to(utc(26, 7))
    assert not session.overridden
    await car.unplug()
    await home.charger.plug.unplug()
    await clock.advance(timedelta(minutes=5))
    assert controller.session is None
    assert car.device.enabled  # allowed to charge again after unplug
    assert ScheduleEventType.OVERRIDE not in [event.type for event in events]
    assert len(sent_schedules(axle_simulator)) == 1


async def test_users_off_not_put_back_at_unplug_is_not_kept_for_the_next_car(
    clock: Clock, full_schedule: SetUp
) -> None:
    """A Wallbox's switch is unavailable without a car: the user's kept "off" cannot be put back.

    It is dropped at unplug rather than put back at the next plug-in: the next car charges.
    """
    home = await full_schedule("wallbox")
    twin, controller = home.twin, home.controller
    await twin.plug_in()
    await clock.move_to(utc(26, 0, 30))
    await twin.user_set("pause_resume", False)  # the user stops charging: an override
    await clock.move_to(utc(27, 0, 30))  # the next night charges, the user's "off" kept
    assert twin.device.enabled
    assert controller.values_to_restore != {}
    await clock.move_to(utc(27, 7))
    await unplug_and_settle(twin, clock, controller)
    assert twin.state("pause_resume") == "unavailable"
    assert controller.values_to_restore == {}


async def test_a_car_that_starts_again_is_held_though_a_put_back_was_owed(
    clock: Clock, full_schedule: SetUp, axle_simulator: AxleSimulator
) -> None:
    """The car's charge switch shows "off" without a car, so the last unplug's put-back is owed.

    At the next plug-in the car starts by itself before the window: the hold is sent, as for any
    car that starts at plug-in. The owed put-back is no pause of ours that the user fought: no
    override, nothing more to Axle.
    """
    home = await full_schedule("tesla_wall_connector")
    car, controller = home.twin, home.controller
    await home.charger.plug.plug_in()
    await car.plug_in()
    await clock.move_to(utc(26, 7))
    await car.unplug()
    await home.charger.plug.unplug()
    await clock.advance(timedelta(minutes=30))
    assert controller.session is None
    assert car.device.enabled  # put back, though the switch shows "off" without a car
    assert controller.values_to_restore != {}  # owed: checked when a car is back

    events = record_events(controller)
    await clock.move_to(utc(26, 18))
    await home.charger.plug.plug_in()
    await car_starts_and_is_held(car, clock, controller)
    assert ScheduleEventType.OVERRIDE not in [event.type for event in events]
    assert len(sent_schedules(axle_simulator)) == 2


async def test_users_on_is_not_kept_as_off_when_the_car_is_full_at_the_next_night(
    clock: Clock, full_schedule: SetUp, axle_simulator: AxleSimulator
) -> None:
    """A Tesla's charge switch follows the charging state: "off" once the car is full.

    The user switches charging on in the evening (an override), the car fills up, and stays in
    for the next night. Its "off" then is the car's status, not the user's: it is not kept to
    put back. When the car draws again after the next window (it is held off then, by the plan),
    the unplug gives back the user's "on".
    """
    home = await full_schedule("tesla_car")
    car, controller = home.twin, home.controller
    await car.plug_in()
    await clock.advance(timedelta(minutes=15))
    assert not car.device.enabled  # held until the window
    await car.user_set("charge", True)
    session = controller.session
    assert session is not None
    assert session.overridden
    await clock.move_to(utc(25, 20))
    await car.car_full()
    await clock.move_to(utc(26, 23))  # the next night is planned
    assert controller.session is not session
    assert controller.values_to_restore == {}

    await clock.move_to(utc(27, 10))
    await car.plug_in()  # the car draws again (no longer full)
    await clock.advance(timedelta(minutes=15))
    assert not car.device.enabled  # held: outside the window
    await car.unplug()
    await clock.advance(timedelta(minutes=5))
    assert controller.session is None
    assert car.device.enabled  # the user's "on", not a status "off"
    assert len(sent_schedules(axle_simulator)) == 3  # two nights and the user's plan


async def test_users_off_kept_for_the_next_night_survives_a_reload(
    hass: HomeAssistant, clock: Clock, full_schedule: SetUp, config_entry: MockConfigEntry
) -> None:
    """The user locks the charger in a night; the entry is reloaded before the next night's window.

    The reload puts the user's lock back and keeps it to put back: the next night charges in its
    window, and an unplug in that window leaves the charger locked, as the user left it.
    """
    home = await full_schedule("andersen")
    twin, controller = home.twin, home.controller
    await twin.plug_in()
    await clock.move_to(utc(26, 0, 30))
    await twin.user_set("lock", True)
    await clock.move_to(utc(26, 23))  # the next night is planned, the user's lock kept
    assert controller.values_to_restore != {}
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    controller = home.controller
    assert controller.values_to_restore != {}
    await clock.move_to(utc(27, 3))
    assert twin.device.enabled  # charging in the window
    await unplug_and_settle(twin, clock, controller)
    assert not twin.device.enabled  # the user's lock
    assert controller.values_to_restore == {}


async def test_users_kept_off_changed_while_unloaded_is_not_put_back(
    hass: HomeAssistant, clock: Clock, full_schedule: SetUp, config_entry: MockConfigEntry
) -> None:
    """As above, but the user unlocks the charger while the entry is unloaded: their unlock wins.

    The next night's hold after its window is put back to the user's "unlocked" at unplug.
    """
    home = await full_schedule("andersen")
    twin = home.twin
    await twin.plug_in()
    await clock.move_to(utc(26, 0, 30))
    await twin.user_set("lock", True)
    await clock.move_to(utc(26, 23))
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await twin.user_set("lock", False)
    await set_up_entry(hass, config_entry)
    controller = home.controller
    # Held until the window, with the user's new value to put back.
    assert controller.values_to_restore == {twin.entity_id("lock"): "unlocked"}
    await clock.move_to(utc(27, 7))
    assert not twin.device.enabled  # held after the window
    await unplug_and_settle(twin, clock, controller)
    assert twin.device.enabled  # the user's unlock


async def test_a_lock_the_user_left_before_flex_lite_came_back_is_put_back_after_the_window(
    hass: HomeAssistant, clock: Clock, full_schedule: SetUp
) -> None:
    """Flex Lite off and on again with the car in and the charger locked by the user.

    The new session charges in its window (unlocked), and the user's lock, a setting (never the
    charger's status), is put back at unplug: not left unlocked.
    """
    home = await full_schedule("andersen")
    twin, controller = home.twin, home.controller
    await twin.plug_in()
    await clock.move_to(utc(25, 19))
    await controller.async_set_participation(False)
    await twin.user_set("lock", True)
    await controller.async_set_participation(True)
    assert controller.session is not None
    await clock.move_to(utc(26, 3))
    assert twin.device.enabled  # charging in the window
    await unplug_and_settle(twin, clock, controller)
    assert not twin.device.enabled  # the user's lock
    assert controller.values_to_restore == {}
