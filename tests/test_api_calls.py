"""The Axle client's calls on their success paths, against the simulator over loopback HTTP:
what each one sends and how it reads Axle's answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from homeassistant.util import dt as dt_util
import pytest

from custom_components.axle_flex_lite.api import BalanceInfo, Proposition, ScheduleBlock, User
from custom_components.axle_flex_lite.api.exceptions import AxleNotFoundError
from tests import api_helpers
from tests.api_helpers import REDIRECT_URI, TOKEN, night_schedule, onboard_request
from tests.api_site import CONSENT_AT, EMAIL, EXTERNAL_ID, MPAN
from tools.axle_simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME, AxleSimulator

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory

    from custom_components.axle_flex_lite.api.client import AxleClient
    from custom_components.axle_flex_lite.api.models import OnboardResponse
    from tools.axle_simulator.state import TimeStyle

# The client tests' fixtures (an aiohttp session, a client for the simulator, a site onboarded).
session, make_client, client, onboarded = api_helpers.FIXTURES


# --- Success paths ----------------------------------------------------------------------------


async def test_login_and_current_user(client: AxleClient, axle_simulator: AxleSimulator) -> None:
    user = await client.async_get_current_user()

    assert user == User(username=DEFAULT_USERNAME, roles=("entity_read", "entity_write", "rewards"))
    [login] = axle_simulator.requests_to(TOKEN)
    assert login.method == "POST"
    assert login.body == {
        "grant_type": "password",
        "username": DEFAULT_USERNAME,
        "password": DEFAULT_PASSWORD,
    }


async def test_onboard_registers_site_and_charger(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    request = onboard_request()
    response = await client.async_onboard(request)

    site = axle_simulator.sites[MPAN]
    [asset] = site.assets.values()
    assert response.site_id == site.site_id
    assert response.site_created is True
    assert response.enrolment_status == "enrolled"
    assert response.asset_ids == {EXTERNAL_ID: asset.asset_id}
    assert response.warnings == ()
    assert site.email == EMAIL
    assert site.consent_at == CONSENT_AT
    assert "limited_pause" in site.enrolled
    assert asset.power_kw == 7.4
    [sent] = axle_simulator.requests_to("/onboard")
    assert sent.body == request.to_json()
    assert sent.body["site"]["gave_boundary_meter_consent_at"] == "2026-11-24T19:02:11+00:00"

    again = await client.async_onboard(request)
    assert again.site_id == response.site_id
    assert again.site_created is False
    assert again.asset_ids == response.asset_ids
    assert again.enrolment_status == "already_enrolled"


async def test_enrol_and_unenrol(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    site_id = onboarded.site_id

    unenrolled = await client.async_unenrol(site_id)
    assert (unenrolled.site_id, unenrolled.status) == (site_id, "unenrolled")
    assert (await client.async_unenrol(site_id)).status == "already_unenrolled"
    assert axle_simulator.sites[MPAN].enrolled == set()

    consent = datetime(2026, 11, 26, 8, tzinfo=UTC)
    enrolled = await client.async_enrol(
        site_id, override_withdrawal=True, gave_boundary_meter_consent_at=consent
    )
    assert (enrolled.site_id, enrolled.status) == (site_id, "enrolled")
    assert axle_simulator.sites[MPAN].consent_at == consent
    assert axle_simulator.requests_to("/enrol")[-1].body == {
        "proposition": "limited_pause",
        "override_withdrawal": True,
        "gave_boundary_meter_consent_at": "2026-11-26T08:00:00+00:00",
    }
    assert (await client.async_enrol(site_id)).status == "already_enrolled"
    assert axle_simulator.requests_to("/enrol")[-1].body == {
        "proposition": "limited_pause",
        "override_withdrawal": False,
    }
    assert axle_simulator.requests_to("/unenrol")[-1].body == {"proposition": "limited_pause"}


async def test_other_proposition_is_sent(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    await client.async_enrol(onboarded.site_id, Proposition.FULL_ASSET_SCHEDULE_CONTROL)
    assert axle_simulator.sites[MPAN].enrolled == {
        "limited_pause",
        "full_asset_schedule_control",
    }


async def test_plug_in_schedule_returns_axles_pause(
    client: AxleClient,
    axle_simulator: AxleSimulator,
    onboarded: OnboardResponse,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to("2026-11-25T20:00:00+00:00")
    london = ZoneInfo("Europe/London")
    schedule = (
        ScheduleBlock(
            start=datetime(2026, 11, 25, 23, 30, tzinfo=london),
            end=datetime(2026, 11, 26, 5, 30, tzinfo=london),
        ),
    )

    modified = await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], schedule)

    # The simulator's price curve puts the pause at 02:00 UTC, as in Axle's own example.
    assert modified == (
        ScheduleBlock(
            start=datetime(2026, 11, 25, 23, 30, tzinfo=UTC),
            end=datetime(2026, 11, 26, 2, tzinfo=UTC),
        ),
        ScheduleBlock(
            start=datetime(2026, 11, 26, 2, 30, tzinfo=UTC),
            end=datetime(2026, 11, 26, 5, 30, tzinfo=UTC),
        ),
    )
    assert all(block.start.tzinfo is not None for block in modified)
    [sent] = axle_simulator.requests_to("/plug-in-schedule")
    assert sent.body == {
        "charging_schedule": [
            {
                "start_timestamp": "2026-11-25T23:30:00+00:00",
                "end_timestamp": "2026-11-26T05:30:00+00:00",
            }
        ]
    }


async def test_plug_in_schedule_unchanged_when_axle_has_nothing_to_do(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.pause_mode = "none"
    schedule = night_schedule()
    assert (
        await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], schedule)
        == schedule
    )


async def test_asset_lookup_balance_and_withdrawal_link(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    site_id = onboarded.site_id
    asset = await client.async_get_asset_by_external_id(EXTERNAL_ID)
    assert (asset.id, asset.external_id, asset.type, asset.site_id, asset.power_kw) == (
        onboarded.asset_ids[EXTERNAL_ID],
        EXTERNAL_ID,
        "charger",
        site_id,
        7.4,
    )

    assert await client.async_get_balance_info(site_id) == BalanceInfo(
        current_balance_pence=0,
        total_earnings_pence=0,
        minimum_withdrawal_threshold_pence=1000,
        withdrawal_min_wait_days=30,
        can_withdraw=False,
    )
    axle_simulator.set_balance(site_id, 1240, 1650, True)
    balance = await client.async_get_balance_info(site_id)
    assert (balance.current_balance_pence, balance.total_earnings_pence) == (1240, 1650)
    assert balance.can_withdraw is True

    link = await client.async_get_withdrawal_url(site_id, REDIRECT_URI)
    assert link.url.startswith("https://")
    assert timedelta(minutes=59) < link.expires_at - dt_util.utcnow() <= timedelta(hours=1)
    assert axle_simulator.requests_to("/url/balance")[-1].query == {
        "redirect_uri": REDIRECT_URI,
        "hide_transactions": "false",
        "auto_redirect_to_setup": "false",
    }
    await client.async_get_withdrawal_url(
        site_id,
        REDIRECT_URI,
        enforce_two_factor_auth=False,
        hide_transactions=True,
        auto_redirect_to_setup=True,
    )
    assert axle_simulator.requests_to("/url/balance")[-1].query == {
        "redirect_uri": REDIRECT_URI,
        "enforce_two_factor_auth": "false",
        "hide_transactions": "true",
        "auto_redirect_to_setup": "true",
    }


async def test_ids_are_escaped_as_one_path_segment(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    odd_id = "ha charger #1?x=y"
    response = await client.async_onboard(onboard_request(external_id=odd_id))
    asset = await client.async_get_asset_by_external_id(odd_id)
    assert asset.id == response.asset_ids[odd_id]
    assert (
        axle_simulator.requests_to("/external-id/")[-1].path
        == f"/entities/asset/external-id/{odd_id}"
    )
    with pytest.raises(ValueError, match="site_id"):
        await client.async_get_balance_info("")


async def test_offboard_removes_the_site(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    response = await client.async_offboard(onboarded.site_id)
    assert response.site_id == onboarded.site_id
    assert MPAN not in axle_simulator.sites
    with pytest.raises(AxleNotFoundError):
        await client.async_get_balance_info(onboarded.site_id)


# --- Timestamps, as Axle writes them and as we send them --------------------------------------


@pytest.mark.parametrize("style", ["Z", "+01:00"])
async def test_answers_in_any_offset_and_order(
    client: AxleClient,
    axle_simulator: AxleSimulator,
    onboarded: OnboardResponse,
    style: TimeStyle,
) -> None:
    axle_simulator.time_style = style
    axle_simulator.reverse_blocks = True
    answer = await client.async_send_plug_in_schedule(
        onboarded.asset_ids[EXTERNAL_ID], night_schedule()
    )
    raw = axle_simulator.requests_to("/plug-in-schedule")
    assert len(raw) == 1
    assert len(answer) == 2
    assert answer[0].start > answer[1].start  # kept as Axle sent them
    assert all(block.start.tzinfo is UTC for block in answer)
    assert sorted(answer, key=lambda block: block.start)[0].start == night_schedule()[0].start


async def test_timestamps_sent_in_whole_seconds(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    start = dt_util.utcnow() + timedelta(minutes=5, microseconds=123456)
    block = ScheduleBlock(start=start, end=start + timedelta(hours=1, microseconds=10))
    await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], (block,))
    sent = axle_simulator.requests_to("/plug-in-schedule")[-1].body["charging_schedule"][0]
    assert sent["start_timestamp"] == start.replace(microsecond=0).isoformat()
    end = (start + timedelta(hours=1)).replace(microsecond=0) + timedelta(seconds=1)
    assert sent["end_timestamp"] == end.isoformat()
    await client.async_enrol(
        onboarded.site_id, gave_boundary_meter_consent_at=start, override_withdrawal=True
    )
    consent = axle_simulator.requests_to("/enrol")[-1].body["gave_boundary_meter_consent_at"]
    assert "." not in consent
