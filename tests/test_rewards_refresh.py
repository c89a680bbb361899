"""When the rewards balance is read, and how many logins that costs (frozen clock, simulator).

The balance is never more than 6 hours old; every read restarts that timer; a session's end,
the user's request and a withdrawal link add reads only when the timer has not just made one;
a login is made only for a call that needs a token, and a live token is shared.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from homeassistant.setup import async_setup_component
import pytest

from custom_components.axle_flex_lite import const
from tests.helpers import entity_of, state_of

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home
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


async def test_every_read_restarts_the_six_hours(home: Home) -> None:
    """A read the user asks for stands in for the periodic one; each read needs its own login."""
    set_up_at = home.clock.now
    assert reads(home.axle) == [set_up_at]
    assert logins(home.axle) == 1

    await home.clock.advance(timedelta(hours=2))
    await ask_for_the_balance(home.hass, home.entry)
    assert reads(home.axle) == [set_up_at, set_up_at + timedelta(hours=2)]
    # The set-up's token died after an hour: a read two hours later logs in again.
    assert logins(home.axle) == 2

    await home.clock.move_to(set_up_at + const.REWARDS_UPDATE_INTERVAL + SECOND)
    assert len(reads(home.axle)) == 2
    await home.clock.move_to(
        set_up_at + timedelta(hours=2) + const.REWARDS_UPDATE_INTERVAL + SECOND
    )
    assert len(reads(home.axle)) == 3
    assert reads(home.axle)[-1] - reads(home.axle)[-2] <= const.REWARDS_UPDATE_INTERVAL + SECOND
    assert logins(home.axle) == 3


async def test_a_session_end_read_shares_the_plug_ins_token(home: Home) -> None:
    """A short session: the schedule's login serves the read at its end; the timer restarts."""
    set_up_at = home.clock.now
    await home.clock.advance(timedelta(hours=2))
    home.axle.requests.clear()
    await home.charger.plug_in()
    assert logins(home.axle) == 1
    assert len(home.axle.requests_to(SCHEDULE)) == 1

    home.axle.set_balance(home.entry.data[const.CONF_SITE_ID], 250, 900, False)
    await home.clock.advance(timedelta(minutes=20))
    await home.charger.unplug()
    ended_at = home.clock.now
    assert reads(home.axle) == [ended_at]
    assert logins(home.axle) == 1
    assert balance(home.hass, home.entry) == pytest.approx(2.5)

    # The set-up's 6 hours no longer count: the next read is 6 hours after the session's.
    await home.clock.move_to(set_up_at + const.REWARDS_UPDATE_INTERVAL + SECOND)
    assert reads(home.axle) == [ended_at]
    await home.clock.move_to(ended_at + const.REWARDS_UPDATE_INTERVAL + SECOND)
    assert len(reads(home.axle)) == 2


async def test_the_timers_read_at_a_session_end_is_not_repeated(home: Home) -> None:
    """The car leaves as the 6 hours run out: one read serves both, made at the session's end."""
    set_up_at = home.clock.now
    await home.clock.advance(timedelta(hours=1))
    await home.charger.plug_in()
    due = set_up_at + const.REWARDS_UPDATE_INTERVAL
    await home.clock.move_to(due)
    assert reads(home.axle) == [set_up_at, due]
    await home.charger.unplug()
    await home.clock.advance(SECOND)
    assert reads(home.axle) == [set_up_at, due]

    # A session that ends after the timer's read gets a read of its own.
    await home.clock.advance(timedelta(minutes=30))
    await home.charger.plug_in()
    await home.clock.advance(timedelta(minutes=30))
    await home.charger.unplug()
    assert reads(home.axle) == [set_up_at, due, home.clock.now]


async def test_a_failed_read_is_tried_again_after_an_hour(home: Home) -> None:
    """Axle refusing a read: an hour later, not six; then six hours again."""
    set_up_at = home.clock.now
    home.axle.fail_next(READ, status=404)
    await home.clock.move_to(set_up_at + const.REWARDS_UPDATE_INTERVAL + SECOND)
    failed_at = reads(home.axle)[-1]
    assert len(reads(home.axle)) == 2
    assert not home.entry.runtime_data.rewards.last_update_success

    await home.clock.move_to(failed_at + const.REWARDS_RETRY_INTERVAL - timedelta(minutes=1))
    assert len(reads(home.axle)) == 2
    await home.clock.move_to(failed_at + const.REWARDS_RETRY_INTERVAL + SECOND)
    assert len(reads(home.axle)) == 3
    assert home.entry.runtime_data.rewards.last_update_success
    retried_at = reads(home.axle)[-1]

    await home.clock.move_to(retried_at + const.REWARDS_UPDATE_INTERVAL - timedelta(minutes=1))
    assert len(reads(home.axle)) == 3
    await home.clock.move_to(retried_at + const.REWARDS_UPDATE_INTERVAL + SECOND)
    assert len(reads(home.axle)) == 4


async def test_a_withdrawal_link_reads_now_and_when_it_expires(home: Home) -> None:
    """A payment can only be made through the link: the read after its expiry shows it."""
    site_id = home.entry.data[const.CONF_SITE_ID]
    home.axle.set_balance(site_id, 1200, 1200, True)
    await home.clock.advance(timedelta(hours=2))
    home.axle.requests.clear()
    link = await home.hass.services.async_call(
        const.DOMAIN,
        "get_withdrawal_link",
        {"config_entry_id": home.entry.entry_id},
        blocking=True,
        return_response=True,
    )
    asked_at = home.clock.now
    # The link's login serves the read for whoever is about to withdraw.
    assert reads(home.axle) == [asked_at]
    assert logins(home.axle) == 1
    assert balance(home.hass, home.entry) == pytest.approx(12)

    # The household withdraws everything through the portal.
    home.axle.set_balance(site_id, 0, 1200, False)
    expires_at = datetime.fromisoformat(str(link["expires_at"]))
    await home.clock.move_to(expires_at - SECOND)
    assert reads(home.axle) == [asked_at]
    await home.clock.move_to(expires_at + SECOND)
    assert reads(home.axle) == [asked_at, expires_at]
    assert balance(home.hass, home.entry) == 0

    # Unloading forgets a link's read still to come.
    await home.hass.services.async_call(
        const.DOMAIN,
        "get_withdrawal_link",
        {"config_entry_id": home.entry.entry_id},
        blocking=True,
        return_response=True,
    )
    count = len(reads(home.axle))
    assert await home.hass.config_entries.async_unload(home.entry.entry_id)
    await home.clock.advance(timedelta(hours=2))
    assert len(reads(home.axle)) == count


async def test_nights_keep_the_balance_fresh_with_ten_calls_a_day(home: Home) -> None:
    """Plug in at 18:00, out at 07:00: the balance is never 6 h old, read after every session.

    A day costs 4 reads, 5 logins and the schedule: the reads sit 6 hours apart from the
    unplug (07:00, 13:00, 19:00, 01:00), and the plug-in's login at 18:00 is an hour too early
    to serve the 19:00 read (tokens live an hour).
    """
    started = home.clock.now
    nights = 3
    unplugged: list[datetime] = []
    for night in range(nights):
        await home.clock.move_to(started + timedelta(days=night))
        await home.charger.plug_in()
        await home.clock.move_to(started + timedelta(days=night, hours=13))
        await home.charger.unplug()
        unplugged.append(home.clock.now)
    finished = started + timedelta(days=nights)
    await home.clock.move_to(finished)

    marks = [started, *reads(home.axle), finished]
    # To the second: the coordinator's timer runs a quarter of a second after its due time.
    assert max(b - a for a, b in pairwise(marks)) <= const.REWARDS_UPDATE_INTERVAL + SECOND
    for ended in unplugged:
        assert any(ended <= read <= ended + SECOND for read in reads(home.axle))
    # The first day holds the set-up's login and read; the two after it, 10 calls each.
    after_first_day = [
        request for request in home.axle.requests if request.at >= started + timedelta(days=1)
    ]
    assert len(after_first_day) == 20


async def test_a_car_left_in_shares_one_login_between_the_read_and_the_next_nights_schedule(
    home: Home,
) -> None:
    """The night filed as the next is planned: its read and the new schedule need one token."""
    await home.charger.plug_in()
    first = home.controller.session
    assert first is not None
    next_night = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)  # an hour before the 23:30 window
    await home.clock.move_to(next_night + SECOND)
    assert home.controller.session is not first
    assert home.controller.history[-1] is first

    # The timer's last read (18:00) left no live token: one login serves both calls.
    at_the_change = [request.path for request in home.axle.requests if request.at >= next_night]
    assert len(at_the_change) == 3
    assert at_the_change[0] == LOGIN
    assert sum(SCHEDULE in path for path in at_the_change) == 1
    assert sum(READ in path for path in at_the_change) == 1
