"""The fault matrix's rows for Axle failing: errors, timeouts, nonsense and an unreachable server at
plug-in, then refusals mid-session (an expired token, changed credentials, consent, an unknown
charger). The night and how every row ends are in ``tests/plugins/night.py``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import SessionStatus
from tests.api_helpers import closed_port_url
from tests.helpers import (
    OFF,
    ON,
    SCHEDULE_PATH,
    charger_settings,
    controller_of,
    update_charger,
    utc,
)
from tests.plugins.integration import MPAN
from tests.plugins.night import LOGIN_PATH, MORNING, PAUSE, Night
from tools.axle_simulator.state import DEFAULT_USERNAME, LIMITED_PAUSE

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.axle_flex_lite.controller import SessionController


# Axle failing at plug-in


@pytest.mark.parametrize(
    ("fault", "retried"),
    [
        ({"status": 500}, True),
        ({"status": 502}, True),
        ({"status": 503}, True),
        ({"kind": "timeout"}, True),
        ({"kind": "malformed"}, False),
        ({"kind": "missing_fields"}, False),
        (
            {"status": 422, "detail": [{"loc": ["body"], "msg": "bad", "type": "value_error"}]},
            False,
        ),
    ],
    ids=["500", "502", "503", "timeout", "malformed_json", "missing_fields", "422"],
)
async def test_axle_fault_at_plug_in(
    hass: HomeAssistant,
    *,
    night: Night,
    fault: dict[str, Any],
    retried: bool,
    controller: SessionController,
) -> None:
    """A failed schedule leaves the charger alone; a passing failure is asked once more."""
    night.axle.fail_next(SCHEDULE_PATH, **fault)
    await night.charger.plug_in(wait=False)
    await night.clock.drive(hass.async_block_till_done())
    assert controller.status is SessionStatus.FALLBACK

    await night.clock.advance(const.FALLBACK_RETRY_DELAY)
    if retried:
        # The simulator answers the retry: Axle's pause applies after all.
        assert night.schedules_sent() == 2
        assert controller.status is SessionStatus.WAITING
        expected: list[tuple[str, str, None]] = [OFF, ON]
    else:
        assert night.schedules_sent() == 1
        assert controller.status is SessionStatus.FALLBACK
        expected = []
    await night.run()

    night.assert_ends(expected, schedules=(2 if retried else 1))


async def test_axle_connection_refused(
    hass: HomeAssistant,
    night: Night,
    config_entry: MockConfigEntry,
) -> None:
    """Axle unreachable from the start: the entry still loads and the night is the user's own.

    The client waits a moment between retries of a refused connection, so the frozen clock is
    driven through every step.
    """
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        data={**config_entry.data, const.CONF_BASE_URL: closed_port_url()},
    )
    assert await night.clock.drive(hass.config_entries.async_setup(config_entry.entry_id))
    await night.clock.drive(hass.async_block_till_done())
    assert config_entry.state is ConfigEntryState.LOADED
    controller = controller_of(config_entry)

    await night.charger.plug_in(wait=False)
    await night.clock.drive(hass.async_block_till_done())
    assert controller.status is SessionStatus.FALLBACK
    assert controller.last_api_error is not None
    assert controller.last_api_error.startswith("AxleConnectionError")
    await night.clock.drive(night.clock.advance(const.FALLBACK_RETRY_DELAY))
    assert controller.status is SessionStatus.FALLBACK
    for moment in (*PAUSE, MORNING):
        await night.clock.drive(night.clock.move_to(moment))
    await night.charger.unplug(wait=False)
    # The session's end asks for the rewards balance, which retries in the background too.
    await night.clock.drive(hass.async_block_till_done(wait_background_tasks=True))

    night.assert_ends([])


@pytest.mark.parametrize(
    "answer",
    [
        # Starts an hour before the window opens: charging the user did not ask for.
        lambda blocks: [(blocks[0][0] - timedelta(hours=1), blocks[-1][1])],
        # Two blocks that overlap.
        lambda blocks: [
            (blocks[0][0], blocks[0][0] + timedelta(hours=3)),
            (blocks[0][0] + timedelta(hours=2), blocks[-1][1]),
        ],
    ],
    ids=["blocks_outside_the_window", "overlapping_blocks"],
)
async def test_axle_answers_nonsense(
    init_integration: MockConfigEntry,
    *,
    night: Night,
    monkeypatch: pytest.MonkeyPatch,
    answer: Any,
) -> None:
    """An answer that breaks the rules is not followed: the user's own window applies."""
    monkeypatch.setattr(
        night.axle, "plug_in_schedule", lambda owner, asset_id, blocks: answer(blocks)
    )
    controller = controller_of(init_integration)
    await night.charger.plug_in()
    assert controller.status is SessionStatus.FALLBACK
    await night.assert_own_schedule_all_night()


# Axle refusing


async def move_window_end(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The user moves the window's end to 06:00: the changed schedule goes to Axle at once."""
    update_charger(hass, entry, {**charger_settings(entry), const.CONF_WINDOW_END: "06:00:00"})
    await hass.async_block_till_done()


async def test_token_expired_mid_session(
    hass: HomeAssistant,
    *,
    night: Night,
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """Axle forgets the token (401) mid-session: one new login, the schedule goes through."""
    # Just after a rewards refresh, so the client holds a token it believes fresh.
    await night.clock.move_to(utc(26, 1) + timedelta(seconds=30))
    await plugged_in.runtime_data.rewards.async_refresh()
    night.axle.expire_tokens()
    logins = len(night.axle.requests_to(LOGIN_PATH))

    await move_window_end(hass, plugged_in)

    # The refused schedule, one new login, the same schedule again: nothing else.
    after_expiry = [request.path for request in night.axle.requests][-3:]
    assert [path.rsplit("/", 1)[-1] for path in after_expiry] == [
        SCHEDULE_PATH,
        "token-form",
        SCHEDULE_PATH,
    ]
    assert len(night.axle.requests_to(LOGIN_PATH)) == logins + 1
    assert night.schedules_sent() == 3
    assert controller.status is SessionStatus.CHARGING
    assert controller.next_pause == PAUSE
    assert hass.config_entries.flow.async_progress_by_handler(const.DOMAIN) == []
    await night.run()

    night.assert_ends([OFF, ON], schedules=3)


async def test_credentials_refused_during_a_pause(
    hass: HomeAssistant,
    *,
    night: Night,
    controller: SessionController,
    plugged_in: MockConfigEntry,
) -> None:
    """A 401 that a new login does not cure: re-authentication, and the pause ends at once."""
    await night.step_to(utc(26, 2, 10))
    assert not night.charger.switch_on
    # The partner's password was changed at Axle: tokens die and logins are refused.
    night.axle.accounts[DEFAULT_USERNAME] = "changed-elsewhere"
    night.axle.expire_tokens()

    await move_window_end(hass, plugged_in)

    assert controller.status is SessionStatus.FALLBACK
    assert night.charger.switch_on
    flows = hass.config_entries.flow.async_progress_by_handler(const.DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    await night.run()

    night.assert_ends([OFF, ON])


async def test_consent_missing(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    night: Night,
) -> None:
    """403: the site is not enrolled. Repair issue, own schedule, and no more asking."""
    night.axle.sites[MPAN].enrolled.discard(LIMITED_PAUSE)
    await night.charger.plug_in()
    assert controller_of(init_integration).status is SessionStatus.FALLBACK
    issue_id = f"{const.ISSUE_CONSENT_MISSING}_{init_integration.entry_id}"
    assert ir.async_get(hass).async_get_issue(const.DOMAIN, issue_id) is not None
    await night.run()

    # The next night is not sent either until consent is given again.
    await night.clock.move_to(utc(26, 18))
    await night.charger.plug_in()
    await night.run(until=utc(27, 7))

    night.assert_ends([], schedules=1)


async def test_asset_unknown(
    init_integration: MockConfigEntry,
    night: Night,
) -> None:
    """404: Axle no longer knows the charger. Own schedule, not asked again this session."""
    night.axle.sites[MPAN].assets.clear()
    await night.charger.plug_in()
    assert controller_of(init_integration).status is SessionStatus.FALLBACK
    await night.assert_own_schedule_all_night()
