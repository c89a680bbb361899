"""When the rewards balance is read, and how many logins that costs (frozen clock, simulator).

The balance is never more than 6 hours old; every read restarts that timer; a session's end,
the user's request and a withdrawal link add reads only when the timer has not just made one;
a login is made only for a call that needs a token, and a live token is shared.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from homeassistant.setup import async_setup_component
import pytest

from custom_components.axle_flex_lite.const import (
    CONF_SITE_ID,
    DOMAIN,
    REWARDS_RETRY_INTERVAL,
    REWARDS_UPDATE_INTERVAL,
)
from tests.helpers import entity_of, state_of

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

READ = "/info"
LOGIN = "/auth/token-form"
SCHEDULE = "plug-in-schedule"
SECOND = timedelta(seconds=1)


def reads(simulator: AxleSimulator) -> list[datetime]:
    """When the balance was read."""
    return [request.at for request in simulator.requests_to(READ)]


def logins(simulator: AxleSimulator) -> int:
    """How many times the client logged in."""
    return len(simulator.requests_to(LOGIN))


async def ask_for_the_balance(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The user's update-entity action on the balance sensor."""
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant",
        "update_entity",
        {"entity_id": entity_of(hass, entry, "sensor", "balance")},
        blocking=True,
    )


def balance(hass: HomeAssistant, entry: MockConfigEntry) -> float:
    """The balance sensor's value in pounds."""
    return float(state_of(hass, entry, "sensor", "balance"))


async def test_every_read_restarts_the_six_hours(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
    clock: Clock,
) -> None:
    """A read the user asks for stands in for the periodic one; each read needs its own login."""
    set_up_at = clock.now
    assert reads(axle_simulator) == [set_up_at]
    assert logins(axle_simulator) == 1

    await clock.advance(timedelta(hours=2))
    await ask_for_the_balance(hass, init_integration)
    assert reads(axle_simulator) == [set_up_at, set_up_at + timedelta(hours=2)]
    # The set-up's token died after an hour: a read two hours later logs in again.
    assert logins(axle_simulator) == 2

    await clock.move_to(set_up_at + REWARDS_UPDATE_INTERVAL + SECOND)
    assert len(reads(axle_simulator)) == 2
    await clock.move_to(set_up_at + timedelta(hours=2) + REWARDS_UPDATE_INTERVAL + SECOND)
    assert len(reads(axle_simulator)) == 3
    assert reads(axle_simulator)[-1] - reads(axle_simulator)[-2] <= REWARDS_UPDATE_INTERVAL + SECOND
    assert logins(axle_simulator) == 3


async def test_a_session_end_read_shares_the_plug_ins_token(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """A short session: the schedule's login serves the read at its end; the timer restarts."""
    set_up_at = clock.now
    await clock.advance(timedelta(hours=2))
    axle_simulator.requests.clear()
    await charger.plug_in()
    assert logins(axle_simulator) == 1
    assert len(axle_simulator.requests_to(SCHEDULE)) == 1

    axle_simulator.set_balance(init_integration.data[CONF_SITE_ID], 250, 900, False)
    await clock.advance(timedelta(minutes=20))
    await charger.unplug()
    ended_at = clock.now
    assert reads(axle_simulator) == [ended_at]
    assert logins(axle_simulator) == 1
    assert balance(hass, init_integration) == pytest.approx(2.5)

    # The set-up's 6 hours no longer count: the next read is 6 hours after the session's.
    await clock.move_to(set_up_at + REWARDS_UPDATE_INTERVAL + SECOND)
    assert reads(axle_simulator) == [ended_at]
    await clock.move_to(ended_at + REWARDS_UPDATE_INTERVAL + SECOND)
    assert len(reads(axle_simulator)) == 2


async def test_the_timers_read_at_a_session_end_is_not_repeated(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """The car leaves as the 6 hours run out: one read serves both, made at the session's end."""
    set_up_at = clock.now
    await clock.advance(timedelta(hours=1))
    await charger.plug_in()
    due = set_up_at + REWARDS_UPDATE_INTERVAL
    await clock.move_to(due)
    assert reads(axle_simulator) == [set_up_at, due]
    await charger.unplug()
    await clock.advance(SECOND)
    assert reads(axle_simulator) == [set_up_at, due]

    # A session that ends after the timer's read gets a read of its own.
    await clock.advance(timedelta(minutes=30))
    await charger.plug_in()
    await clock.advance(timedelta(minutes=30))
    await charger.unplug()
    assert reads(axle_simulator) == [set_up_at, due, clock.now]


async def test_a_failed_read_is_tried_again_after_an_hour(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
    clock: Clock,
) -> None:
    """Axle refusing a read: an hour later, not six; then six hours again."""
    set_up_at = clock.now
    axle_simulator.fail_next(READ, status=404)
    await clock.move_to(set_up_at + REWARDS_UPDATE_INTERVAL + SECOND)
    failed_at = reads(axle_simulator)[-1]
    assert len(reads(axle_simulator)) == 2
    assert not init_integration.runtime_data.rewards.last_update_success

    await clock.move_to(failed_at + REWARDS_RETRY_INTERVAL - timedelta(minutes=1))
    assert len(reads(axle_simulator)) == 2
    await clock.move_to(failed_at + REWARDS_RETRY_INTERVAL + SECOND)
    assert len(reads(axle_simulator)) == 3
    assert init_integration.runtime_data.rewards.last_update_success
    retried_at = reads(axle_simulator)[-1]

    await clock.move_to(retried_at + REWARDS_UPDATE_INTERVAL - timedelta(minutes=1))
    assert len(reads(axle_simulator)) == 3
    await clock.move_to(retried_at + REWARDS_UPDATE_INTERVAL + SECOND)
    assert len(reads(axle_simulator)) == 4


async def test_a_withdrawal_link_reads_now_and_when_it_expires(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
    clock: Clock,
) -> None:
    """A payment can only be made through the link: the read after its expiry shows it."""
    site_id = init_integration.data[CONF_SITE_ID]
    axle_simulator.set_balance(site_id, 1200, 1200, True)
    await clock.advance(timedelta(hours=2))
    axle_simulator.requests.clear()
    link = await hass.services.async_call(
        DOMAIN,
        "get_withdrawal_link",
        {"config_entry_id": init_integration.entry_id},
        blocking=True,
        return_response=True,
    )
    asked_at = clock.now
    # The link's login serves the read for whoever is about to withdraw.
    assert reads(axle_simulator) == [asked_at]
    assert logins(axle_simulator) == 1
    assert balance(hass, init_integration) == pytest.approx(12)

    # The household withdraws everything through the portal.
    axle_simulator.set_balance(site_id, 0, 1200, False)
    expires_at = datetime.fromisoformat(str(link["expires_at"]))
    await clock.move_to(expires_at - SECOND)
    assert reads(axle_simulator) == [asked_at]
    await clock.move_to(expires_at + SECOND)
    assert reads(axle_simulator) == [asked_at, expires_at]
    assert balance(hass, init_integration) == 0

    # Unloading forgets a link's read still to come.
    await hass.services.async_call(
        DOMAIN,
        "get_withdrawal_link",
        {"config_entry_id": init_integration.entry_id},
        blocking=True,
        return_response=True,
    )
    count = len(reads(axle_simulator))
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await clock.advance(timedelta(hours=2))
    assert len(reads(axle_simulator)) == count


async def test_nights_keep_the_balance_fresh_with_ten_calls_a_day(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    axle_simulator: AxleSimulator,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """Plug in at 18:00, out at 07:00: the balance is never 6 h old, read after every session.

    A day costs 4 reads, 5 logins and the schedule: the reads sit 6 hours apart from the
    unplug (07:00, 13:00, 19:00, 01:00), and the plug-in's login at 18:00 is an hour too early
    to serve the 19:00 read (tokens live an hour).
    """
    started = clock.now
    nights = 3
    unplugged: list[datetime] = []
    for night in range(nights):
        await clock.move_to(started + timedelta(days=night))
        await charger.plug_in()
        await clock.move_to(started + timedelta(days=night, hours=13))
        await charger.unplug()
        unplugged.append(clock.now)
    finished = started + timedelta(days=nights)
    await clock.move_to(finished)

    marks = [started, *reads(axle_simulator), finished]
    # To the second: the coordinator's timer runs a quarter of a second after its due time.
    assert max(b - a for a, b in pairwise(marks)) <= REWARDS_UPDATE_INTERVAL + SECOND
    for ended in unplugged:
        assert any(ended <= read <= ended + SECOND for read in reads(axle_simulator))
    # The first day holds the set-up's login and read; the two after it, 10 calls each.
    after_first_day = [
        request for request in axle_simulator.requests if request.at >= started + timedelta(days=1)
    ]
    assert len(after_first_day) == 20
