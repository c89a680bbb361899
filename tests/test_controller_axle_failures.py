"""Session controller when Axle goes wrong: errors, timeouts, refusals and unusable answers.

Every failure falls back to the user's own schedule (retried once where a retry can help); a
refused consent raises a repair issue, a refused login starts reauth; an answer that comes too late
(after an unplug or an override) is ignored.

Axle is the simulator over loopback. Answers that no fault kind of the simulator produces (blocks
outside the window, overlapping or none at all) come from a small middleware in front of it in
this module: ``tamper.answer`` replaces the next successful plug-in schedule answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.api import (
    AxleForbiddenError,
    AxleInvalidResponseError,
    AxleServerError,
)
from custom_components.axle_flex_lite.controller import ScheduleEventType, SessionStatus
from tests.helpers import (
    OFF,
    ON,
    block,
    change_data,
    controller_of,
    flow_sources,
    record_events,
    renew_consent,
    repair_issue,
    sent_schedules,
    utc,
    withdraw_consent,
)
from tools.axle_simulator import create_app

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import SessionController
    from tests.plugins.home import Home
    from tests.plugins.integration import SimulatedCharger
    from tools.axle_simulator import AxleSimulator

NIGHT = (utc(25, 23, 30), utc(26, 5, 30))


@dataclass
class Tamper:
    """The next plug-in schedule answer to send instead of the simulator's (None: no change)."""

    answer: list[dict[str, str]] | None = None


@pytest.fixture
def tamper() -> Tamper:
    """Control the answer rewriting middleware."""
    return Tamper()


@pytest.fixture
async def axle_base_url(
    socket_enabled: None, axle_simulator: AxleSimulator, tamper: Tamper
) -> AsyncGenerator[str]:
    """The simulator behind a middleware that can rewrite plug-in schedule answers."""

    @web.middleware
    async def rewrite(request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        if (
            tamper.answer is not None
            and request.path.endswith("/plug-in-schedule")
            and response.status == 200
        ):
            answer, tamper.answer = tamper.answer, None
            return web.json_response({"modified_charging_schedule": answer})
        return response

    app = create_app(axle_simulator)
    app.middlewares.append(rewrite)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(access_log=None)
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        axle_simulator.release_held_requests()
        await server.close()


@pytest.mark.parametrize(
    ("fault", "error", "retried"),
    [
        ({"status": 500}, "AxleServerError", True),
        ({"status": 503}, "AxleServerError", True),
        ({"status": 429}, "AxleRateLimitedError", True),
        ({"status": 404}, "AxleNotFoundError", False),
        ({"status": 422}, "AxleValidationError", False),
        ({"kind": "malformed"}, "AxleInvalidResponseError", False),
        ({"kind": "missing_fields"}, "AxleInvalidResponseError", False),
    ],
)
async def test_axle_failure_falls_back(
    home: Home, *, fault: dict[str, Any], error: str, retried: bool
) -> None:
    """Any failure: the user's own schedule (no pause), one retry at most for passing trouble."""
    events = record_events(home.controller)
    home.axle.fail_next("plug-in-schedule", **fault)

    await home.charger.plug_in()

    assert home.controller.status is SessionStatus.FALLBACK
    assert events[-1].type is ScheduleEventType.FALLBACK
    assert home.controller.last_api_error is not None
    assert home.controller.last_api_error.startswith(error)
    session = home.controller.session
    assert session is not None
    assert session.fallback_reason is not None
    assert session.fallback_reason.startswith(error)
    assert session.plan is not None
    assert session.plan.modified == session.plan.submitted
    assert home.controller.next_pause is None

    await home.clock.advance(const.FALLBACK_RETRY_DELAY)
    if retried:
        # The retry gets an answer: the session follows Axle again.
        assert len(sent_schedules(home.axle)) == 2
        assert home.controller.status is SessionStatus.WAITING
        assert home.controller.next_pause == (utc(26, 2), utc(26, 2, 30))
        assert events[-1].type is ScheduleEventType.MODIFIED
    else:
        assert len(sent_schedules(home.axle)) == 1
        assert home.controller.status is SessionStatus.FALLBACK
    await home.clock.advance(const.FALLBACK_RETRY_DELAY * 10)
    assert len(sent_schedules(home.axle)) == (2 if retried else 1)
    await home.clock.move_to(utc(26, 2))
    await home.clock.move_to(utc(26, 2, 30))
    assert home.charger.calls() == ([OFF, ON] if retried else [])
    assert not ir.async_get(home.hass).issues


async def test_one_retry_only(home: Home) -> None:
    """A retry that fails too is the last: no loop."""
    home.axle.fail_next("plug-in-schedule", status=500, count=5)
    await home.charger.plug_in()
    await home.clock.advance(const.FALLBACK_RETRY_DELAY)
    await home.clock.advance(const.FALLBACK_RETRY_DELAY * 30)
    assert len(sent_schedules(home.axle)) == 2
    assert home.controller.status is SessionStatus.FALLBACK
    await home.clock.move_to(utc(26, 6))
    await home.charger.unplug()
    assert home.controller.history[-1].outcome == "fallback"
    assert home.charger.calls() == []


@pytest.mark.parametrize("control_mode", ["full_schedule"])
async def test_fallback_in_full_schedule_follows_the_users_window(home: Home) -> None:
    """Full schedule without Axle: the submitted window is charged, without any pause."""
    home.axle.fail_next("plug-in-schedule", status=404)
    await home.charger.plug_in()
    await home.clock.move_to(utc(25, 23, 30))
    await home.clock.move_to(utc(26, 2))
    await home.clock.move_to(utc(26, 5, 30))
    assert home.charger.calls() == [OFF, ON, OFF]


async def test_timeout_falls_back(home: Home) -> None:
    """Axle not answering: SCHEDULING until the client gives up, then the user's schedule."""
    home.axle.fail_next("plug-in-schedule", kind="timeout")
    await home.charger.plug_in(wait=False)
    await home.clock.run_ready()
    assert home.controller.status is SessionStatus.SCHEDULING

    await home.clock.drive(home.hass.async_block_till_done())

    assert home.controller.status is SessionStatus.FALLBACK
    assert home.controller.last_api_error is not None
    assert home.controller.last_api_error.startswith("AxleTimeoutError")
    # A timeout may pass: one retry.
    await home.clock.advance(const.FALLBACK_RETRY_DELAY)
    assert home.controller.status is SessionStatus.WAITING


async def test_answer_after_unplug_is_ignored(home: Home) -> None:
    """A slow answer that arrives after the car left changes nothing."""
    events = record_events(home.controller)
    home.axle.fail_next("plug-in-schedule", kind="delay", delay=5)
    await home.charger.plug_in(wait=False)
    await home.charger.unplug(wait=False)
    await home.clock.drive(home.hass.async_block_till_done())
    assert home.controller.session is None
    assert events == []
    assert home.controller.history[-1].plan is None
    assert home.charger.calls() == []


async def test_answer_after_override_is_ignored(home: Home) -> None:
    """The user took over while Axle was slow: Axle's late answer does not replace their plan."""
    events = record_events(home.controller)
    home.axle.fail_next("plug-in-schedule", kind="delay", delay=5)
    await home.charger.plug_in(wait=False)
    await home.charger.set_switch(False, wait=False)
    await home.clock.drive(home.hass.async_block_till_done())
    assert home.controller.status is SessionStatus.OVERRIDDEN
    session = home.controller.session
    assert session is not None
    assert session.plan is not None
    assert session.plan.pauses == ()
    assert [event.type for event in events] == [ScheduleEventType.OVERRIDE]
    assert home.charger.calls() == []


async def test_forbidden_raises_consent_issue(home: Home) -> None:
    """403: the consent repair issue, no more calls until participation is renewed."""
    withdraw_consent(home.axle, home.entry)

    await home.charger.plug_in()
    assert home.controller.status is SessionStatus.FALLBACK
    assert home.controller.axle.consent_blocked
    consent = repair_issue(home.hass, "consent_missing", home.entry)
    assert consent is not None
    assert consent.is_fixable
    assert consent.data == {"entry_id": home.entry.entry_id}

    # No retry, and the next plug-in is not sent either.
    await home.clock.advance(const.FALLBACK_RETRY_DELAY * 2)
    await home.charger.unplug()
    await home.charger.plug_in()
    assert len(sent_schedules(home.axle)) == 1
    assert home.controller.status is SessionStatus.FALLBACK

    # An explicit resend asks again (and fails again).
    with pytest.raises(AxleForbiddenError):
        await home.controller.async_resend_schedule()
    assert len(sent_schedules(home.axle)) == 2

    # Re-enrolling lifts the block and sends the session's schedule at once.
    await home.controller.async_set_participation(True)
    assert repair_issue(home.hass, "consent_missing", home.entry) is None
    assert not home.controller.axle.consent_blocked
    assert len(sent_schedules(home.axle)) == 3
    assert home.controller.status is SessionStatus.WAITING
    assert home.charger.calls() == []


async def test_forbidden_skip_and_override_do_not_call_axle(
    home: Home, plugged_in: MockConfigEntry
) -> None:
    """With consent refused, neither a boost nor a skip is sent."""
    withdraw_consent(home.axle, home.entry)
    await home.clock.move_to(utc(26, 1))
    with pytest.raises(AxleForbiddenError):
        await home.controller.async_resend_schedule()
    assert home.controller.axle.consent_blocked
    await home.controller.async_skip_pause()
    await home.charger.set_switch(False)
    await home.charger.set_switch(True)
    assert len(sent_schedules(home.axle)) == 2


async def test_consent_refusal_lifts_with_new_consent(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
    controller: SessionController,
) -> None:
    """A reconfigure that records a new consent time lets schedules through again."""
    withdraw_consent(axle_simulator, init_integration)
    await charger.plug_in()
    assert controller.axle.consent_blocked
    await charger.unplug()
    renew_consent(axle_simulator, init_integration)
    await change_data(hass, init_integration, {const.CONF_CONSENT_AT: "2026-11-25T18:00:00+00:00"})
    controller = controller_of(init_integration)
    assert not controller.axle.consent_blocked
    await charger.plug_in()
    assert controller.status is SessionStatus.WAITING
    assert repair_issue(hass, "consent_missing", init_integration) is None


async def test_unauthorised_starts_reauth(home: Home) -> None:
    """A 401 that survives the client's own new login: re-authentication and the fallback."""
    home.axle.fail_next("plug-in-schedule", status=401, count=2)
    await home.charger.plug_in()
    assert home.controller.status is SessionStatus.FALLBACK
    assert flow_sources(home.hass) == [SOURCE_REAUTH]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ([block(NIGHT[0], NIGHT[1] + timedelta(hours=1))], "runs past the end"),
        ([block(NIGHT[0] - timedelta(hours=1), NIGHT[1])], "starts outside"),
        (
            [block(NIGHT[0], utc(26, 3)), block(utc(26, 2), NIGHT[1])],
            "overlaps",
        ),
        ([block(utc(26, 3), NIGHT[1]), block(NIGHT[0], utc(26, 2))], "not in time order"),
        ([], "empty"),
    ],
    ids=["past_end", "before_start", "overlapping", "unsorted", "empty"],
)
async def test_unusable_answer_falls_back(
    home: Home, tamper: Tamper, answer: list[dict[str, str]], reason: str
) -> None:
    """An answer breaking the rules is not followed, and not asked again."""
    tamper.answer = answer
    await home.charger.plug_in()
    assert home.controller.status is SessionStatus.FALLBACK
    session = home.controller.session
    assert session is not None
    assert session.fallback_reason is not None
    assert reason in session.fallback_reason
    await home.clock.advance(const.FALLBACK_RETRY_DELAY * 2)
    await home.clock.move_to(utc(26, 3))
    assert len(sent_schedules(home.axle)) == 1
    assert home.charger.calls() == []


async def test_resend_failures_raise_after_falling_back(
    axle_simulator: AxleSimulator,
    tamper: Tamper,
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """A resend that fails falls back and tells the caller."""
    axle_simulator.fail_next("plug-in-schedule", status=500)
    with pytest.raises(AxleServerError):
        await controller.async_resend_schedule()
    assert controller.status is SessionStatus.FALLBACK
    tamper.answer = []
    with pytest.raises(AxleInvalidResponseError):
        await controller.async_resend_schedule()
    assert controller.status is SessionStatus.FALLBACK
    await controller.async_resend_schedule()
    assert controller.status is SessionStatus.WAITING


async def test_resend_when_overridden_or_unplugged(home: Home, plugged_in: MockConfigEntry) -> None:
    """An overridden session resends the user's plan; a car without session starts one."""
    await home.clock.move_to(utc(26, 1))
    await home.charger.set_switch(False)
    await home.charger.set_switch(True)
    await home.clock.move_to(utc(26, 1, 1))
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 1, 1), NIGHT[1])]
    await home.clock.move_to(utc(26, 1, 30))
    await home.controller.async_resend_schedule()
    assert sent_schedules(home.axle)[-1] == [block(utc(26, 1, 30), NIGHT[1])]
    assert home.controller.status is SessionStatus.OVERRIDDEN

    # Participation off and on again while plugged in: a session starts.
    await home.controller.async_set_participation(False)
    await home.controller.async_set_participation(True)
    assert home.controller.status is SessionStatus.CHARGING
    session = home.controller.session
    await home.controller.async_resend_schedule()
    assert home.controller.session is session
    assert home.charger.calls() == []


async def test_no_retry_once_axle_answered(home: Home) -> None:
    """The retry is dropped when a resend got an answer first, or when the car left."""
    home.axle.fail_next("plug-in-schedule", status=500)
    await home.charger.plug_in()
    await home.controller.async_resend_schedule()
    assert home.controller.status is SessionStatus.WAITING
    await home.clock.advance(const.FALLBACK_RETRY_DELAY * 2)
    assert len(sent_schedules(home.axle)) == 2

    await home.charger.unplug()
    home.axle.fail_next("plug-in-schedule", status=500)
    await home.charger.plug_in()
    await home.charger.unplug()
    await home.clock.advance(const.FALLBACK_RETRY_DELAY * 2)
    assert len(sent_schedules(home.axle)) == 3


async def test_failure_after_unplug_is_ignored(home: Home) -> None:
    """Axle timing out after the car left: no fallback, no retry."""
    events = record_events(home.controller)
    home.axle.fail_next("plug-in-schedule", kind="timeout")
    await home.charger.plug_in(wait=False)
    await home.charger.unplug(wait=False)
    await home.clock.drive(home.hass.async_block_till_done())
    assert events == []
    assert home.controller.history[-1].fallback_reason is None
    await home.clock.advance(const.FALLBACK_RETRY_DELAY * 2)
    assert len(sent_schedules(home.axle)) == 1
