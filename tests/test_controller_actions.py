"""Session controller: the user's actions, and Axle refusing them.

Skipping the pause, resending the schedule, switching participation off and on (Axle refusing the
change, or the login, included), and each of them with no session to act on.

Axle is the simulator over loopback, cutting 02:00-02:30 UTC out of the 23:30-05:30 window; the
charger is the helper-based one from ``tests/plugins/integration.py``, its service calls counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from custom_components.axle_flex_lite.api import (
    AxleAuthenticationError,
    AxleNotFoundError,
    AxleValidationError,
)
from custom_components.axle_flex_lite.controller import SessionController, SessionStatus
from tests.helpers import OFF, ON, block, flow_sources, sent_schedules, utc

if TYPE_CHECKING:
    from datetime import datetime

    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home
    from tools.axle_simulator import AxleSimulator


@pytest.mark.parametrize("skip_at", [utc(26, 1), utc(26, 2, 10)], ids=["before", "during"])
async def test_skip_pause(home: Home, skip_at: datetime, plugged_in: MockConfigEntry) -> None:
    """Skipping ends a running pause now, drops the planned one and tells Axle; no new pause."""
    await home.clock.move_to(skip_at)
    paused = home.controller.pause_active

    await home.controller.async_skip_pause()

    assert home.controller.status is SessionStatus.CHARGING
    assert home.controller.next_pause is None
    assert sent_schedules(home.axle)[-1] == [block(skip_at, utc(26, 5, 30))]
    await home.clock.move_to(utc(26, 2, 30))
    await home.clock.move_to(utc(26, 3))
    assert home.charger.calls() == ([OFF, ON] if paused else [])
    # Nothing left to skip: nothing is sent.
    await home.controller.async_skip_pause()
    assert len(sent_schedules(home.axle)) == 2


async def test_resend_schedule(home: Home) -> None:
    """Resending sends what is left of the window and follows the new answer."""
    await home.controller.async_resend_schedule()
    assert sent_schedules(home.axle) == []

    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 1))
    await home.controller.async_resend_schedule()
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 1), utc(26, 5, 30))]
    assert home.controller.next_pause == (utc(26, 2), utc(26, 2, 30))

    # After the window, a resend asks for the next one.
    await home.clock.move_to(utc(26, 6))
    await home.controller.async_resend_schedule()
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 23, 30), utc(27, 5, 30))]


async def test_actions_without_a_session(
    axle_simulator: AxleSimulator,
    controller: SessionController,
) -> None:
    """Skipping with nothing plugged in, or resending while not participating, does nothing."""
    await controller.async_skip_pause()
    await controller.async_set_participation(False)
    await controller.async_resend_schedule()
    assert sent_schedules(axle_simulator) == []


async def test_participation_off_and_on(home: Home) -> None:
    """Off ends a running pause and unenrols; plug-ins are not sent; on enrols and schedules."""
    site = home.axle.sites["1900000000013"]
    await home.charger.plug_in()
    await home.clock.move_to(utc(26, 2, 5))
    assert home.charger.calls() == [OFF]

    await home.controller.async_set_participation(False)
    assert not home.controller.participating
    assert home.controller.status is SessionStatus.NOT_PARTICIPATING
    assert home.charger.calls() == [OFF, ON]
    assert "limited_pause" not in site.enrolled
    assert home.controller.history[-1].outcome == "not_participating"
    assert home.controller.next_pause is None

    await home.charger.unplug()
    await home.charger.plug_in()
    assert len(sent_schedules(home.axle)) == 1
    await home.clock.move_to(utc(26, 2, 40))

    await home.controller.async_set_participation(True)
    assert home.controller.participating
    assert "limited_pause" in site.enrolled
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 2, 40), utc(26, 5, 30))]
    assert home.controller.status is SessionStatus.CHARGING
    assert home.charger.calls() == [OFF, ON]


async def test_participation_failures(home: Home) -> None:
    """Axle refusing: off still stops locally; on stays off. Both raise for the entity."""
    home.axle.fail_next("unenrol", status=404)
    with pytest.raises(AxleNotFoundError):
        await home.controller.async_set_participation(False)
    assert not home.controller.participating
    assert home.controller.last_api_error is not None

    home.axle.fail_next("enrol", status=422, detail="not eligible")
    with pytest.raises(AxleValidationError):
        await home.controller.async_set_participation(True)
    assert not home.controller.participating

    await home.controller.async_set_participation(True)
    assert home.controller.participating
    await home.charger.plug_in()
    assert home.controller.status is SessionStatus.WAITING


async def test_participation_on_while_plugged_in(home: Home) -> None:
    """Turning participation on with a car already plugged in starts its session."""
    await home.controller.async_set_participation(False)
    await home.charger.plug_in()
    assert home.controller.session is None
    await home.controller.async_set_participation(True)
    assert home.controller.session is not None
    assert len(sent_schedules(home.axle)) == 1


async def test_participation_refused_login_starts_reauth(home: Home) -> None:
    """A 401 that survives a new login while changing participation asks to sign in again."""
    home.axle.fail_next("unenrol", status=401, count=2)
    with pytest.raises(AxleAuthenticationError):
        await home.controller.async_set_participation(False)
    assert flow_sources(home.hass) == ["reauth"]
