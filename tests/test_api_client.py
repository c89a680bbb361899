"""Tests for the Axle client against the simulator over real loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, date, datetime, timedelta
import logging
import socket
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import aiohttp
from homeassistant.util import dt as dt_util
import pytest

from custom_components.axle_flex_lite.api.client import AxleClient
from custom_components.axle_flex_lite.api.eligibility import PropositionEligibility
from custom_components.axle_flex_lite.api.exceptions import (
    AxleAuthenticationError,
    AxleBadRequestError,
    AxleConfigurationError,
    AxleConflictError,
    AxleConnectionError,
    AxleError,
    AxleForbiddenError,
    AxleInvalidResponseError,
    AxleNotEligibleError,
    AxleNotFoundError,
    AxleRateLimitedError,
    AxleResponseError,
    AxleServerError,
    AxleTemporaryError,
    AxleTimeoutError,
    AxleValidationError,
)
from custom_components.axle_flex_lite.api.models import (
    ApiExchange,
    AssetDetails,
    BalanceInfo,
    Environment,
    OnboardRequest,
    OnboardResponse,
    Proposition,
    ScheduleBlock,
    SiteDetails,
    User,
)
from custom_components.axle_flex_lite.api.transport import BASE_URLS, normalise_base_url
from tools.axle_simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME, AxleSimulator

if TYPE_CHECKING:
    from aiohttp.test_utils import TestServer
    from freezegun.api import FrozenDateTimeFactory

    from tools.axle_simulator.state import RefusalShape, TimeStyle

MPAN = "1900000000013"
OTHER_MPAN = "1400012345678"
POSTCODE = "CT1 2EH"
STREET = "4 Sample Lane"
EMAIL = "user@example.net"
EXTERNAL_ID = "ha-charger-5e1d"
CONSENT_AT = datetime(2026, 11, 24, 19, 2, 11, tzinfo=ZoneInfo("Europe/London"))
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
REDIRECT_URI = "https://home.example/axle-return"
TOKEN = "/auth/token-form"
SHORT_TIMEOUT = 0.2

type ClientFactory = Callable[..., AxleClient]


def onboard_request(
    *,
    mpan: str = MPAN,
    external_id: str = EXTERNAL_ID,
    consent: bool = True,
    asset_type: str = "charger",
    override_withdrawal: bool = False,
) -> OnboardRequest:
    """Build the onboarding request the config flow would send."""
    return OnboardRequest(
        site=SiteDetails(
            mpan=mpan,
            postcode=POSTCODE,
            street_address=STREET,
            email=EMAIL,
            gave_boundary_meter_consent_at=CONSENT_AT if consent else None,
        ),
        assets=(
            AssetDetails(
                external_id=external_id, type=asset_type, power_kw=7.4, asset_model="zappi"
            ),
        ),
        override_withdrawal=override_withdrawal,
    )


def night_schedule() -> tuple[ScheduleBlock, ...]:
    """Tonight's 23:30 to 05:30 UTC window, relative to the (frozen) clock."""
    today = dt_util.utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        ScheduleBlock(
            start=today + timedelta(hours=23, minutes=30),
            end=today + timedelta(days=1, hours=5, minutes=30),
        ),
    )


def count(simulator: AxleSimulator, fragment: str) -> int:
    """How many requests the simulator received whose path contains ``fragment``."""
    return len(simulator.requests_to(fragment))


def closed_port() -> int:
    """A loopback port that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(session: aiohttp.ClientSession, axle_base_url: str) -> ClientFactory:
    """Build clients for the simulator with the test clock and no retry pauses."""

    def make(
        username: str = DEFAULT_USERNAME, password: str = DEFAULT_PASSWORD, **kwargs: Any
    ) -> AxleClient:
        kwargs.setdefault("base_url", axle_base_url)
        kwargs.setdefault("clock", dt_util.utcnow)
        kwargs.setdefault("retry_delays", (0, 0))
        return AxleClient(session, username, password, **kwargs)

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> AxleClient:
    """A client for the simulator's default account."""
    return make_client()


@pytest.fixture
async def onboarded(client: AxleClient) -> OnboardResponse:
    """The default site and charger, onboarded and enrolled."""
    return await client.async_onboard(onboard_request())


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


# --- Error classes ----------------------------------------------------------------------------


async def test_bad_credentials(make_client: ClientFactory, axle_simulator: AxleSimulator) -> None:
    client = make_client(password="wrong")
    with pytest.raises(AxleAuthenticationError) as err:
        await client.async_get_current_user()
    assert err.value.status == 401
    assert err.value.detail == "Incorrect username or password"
    # A refused login is final: no retry, no second attempt.
    assert count(axle_simulator, TOKEN) == 1
    assert count(axle_simulator, "/users/me") == 0
    with pytest.raises(AxleAuthenticationError):
        await client.async_login()


async def test_400_bad_request(client: AxleClient) -> None:
    with pytest.raises(AxleBadRequestError) as err:
        await client.async_onboard(onboard_request(consent=False))
    assert err.value.status == 400
    assert isinstance(err.value.detail, str)
    assert "consent" in err.value.detail


async def test_403_forbidden_when_not_enrolled(
    client: AxleClient, onboarded: OnboardResponse
) -> None:
    await client.async_unenrol(onboarded.site_id)
    with pytest.raises(AxleForbiddenError) as err:
        await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], night_schedule())
    assert err.value.status == 403


async def test_404_not_found(client: AxleClient, onboarded: OnboardResponse) -> None:
    with pytest.raises(AxleNotFoundError):
        await client.async_get_asset_by_external_id("unknown-charger")
    with pytest.raises(AxleNotFoundError):
        await client.async_enrol(UNKNOWN_ID)
    with pytest.raises(AxleNotFoundError) as err:
        await client.async_send_plug_in_schedule(UNKNOWN_ID, night_schedule())
    assert err.value.status == 404


async def test_409_conflict_and_message_without_detail(
    client: AxleClient, onboarded: OnboardResponse
) -> None:
    with pytest.raises(AxleConflictError) as err:
        await client.async_onboard(onboard_request(mpan=OTHER_MPAN))
    assert err.value.status == 409
    assert EXTERNAL_ID in str(err.value.detail)
    # Axle's detail can echo what we sent; the message (what gets logged) never carries it.
    assert EXTERNAL_ID not in str(err.value)
    assert str(err.value) == "Axle answered 409 to POST /entities/site/onboard"


async def test_422_ineligible_site(client: AxleClient, axle_simulator: AxleSimulator) -> None:
    axle_simulator.mark_ineligible(MPAN, "site is not half-hourly settled")
    with pytest.raises(AxleNotEligibleError) as err:
        await client.async_onboard(onboard_request())
    assert err.value.status == 422
    assert err.value.previously_withdrew is False
    assert isinstance(err.value.detail, str)
    assert "half-hourly" in err.value.detail
    assert isinstance(err.value, AxleValidationError)


async def test_422_previously_withdrew(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    await client.async_unenrol(onboarded.site_id)

    with pytest.raises(AxleNotEligibleError) as from_enrol:
        await client.async_enrol(onboarded.site_id)
    assert from_enrol.value.previously_withdrew is True
    with pytest.raises(AxleNotEligibleError) as from_onboard:
        await client.async_onboard(onboard_request())
    assert from_onboard.value.previously_withdrew is True

    again = await client.async_onboard(onboard_request(override_withdrawal=True))
    assert again.enrolment_status == "enrolled"
    # Eligibility refusals are answers, not failures: never retried.
    assert count(axle_simulator, "/enrol") == 1
    assert count(axle_simulator, "/onboard") == 3


async def test_422_list_detail_is_a_validation_error(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    with pytest.raises(AxleValidationError) as from_onboard:
        await client.async_onboard(onboard_request(asset_type="boundary meter"))
    assert not isinstance(from_onboard.value, AxleNotEligibleError)
    assert isinstance(from_onboard.value.detail, list)
    assert from_onboard.value.detail[0]["loc"] == ["body", "assets", 0, "type"]

    with pytest.raises(AxleValidationError) as from_enrol:
        await client.async_enrol("not-a-uuid")
    assert type(from_enrol.value) is AxleValidationError
    assert isinstance(from_enrol.value.detail, list)

    # A string detail outside onboard and enrol is not an eligibility refusal.
    axle_simulator.fail_next("/info", status=422, detail="withdrawn")
    with pytest.raises(AxleValidationError) as from_get:
        await client.async_get_balance_info(UNKNOWN_ID)
    assert type(from_get.value) is AxleValidationError
    assert from_get.value.detail == "withdrawn"

    # A detail that is neither text, list nor object is dropped.
    axle_simulator.fail_next("/onboard", status=422, detail=42)
    with pytest.raises(AxleNotEligibleError) as odd:
        await client.async_onboard(onboard_request())
    assert odd.value.detail is None
    assert (odd.value.previously_withdrew, odd.value.issues) == (False, ())


async def test_429_rate_limited_is_not_retried(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    axle_simulator.fail_next("/users/me", status=429)
    with pytest.raises(AxleRateLimitedError) as err:
        await client.async_get_current_user()
    assert err.value.status == 429
    assert isinstance(err.value, AxleTemporaryError)
    assert count(axle_simulator, "/users/me") == 1


async def test_unexpected_status_is_a_plain_response_error(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    axle_simulator.fail_next("/users/me", status=418, detail="teapot")
    with pytest.raises(AxleResponseError) as err:
        await client.async_get_current_user()
    assert type(err.value) is AxleResponseError
    assert (err.value.status, err.value.detail) == (418, "teapot")
    assert not isinstance(err.value, AxleTemporaryError)


# --- 5xx and retries --------------------------------------------------------------------------


async def test_get_retried_on_5xx_then_succeeds(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.fail_next("/info", status=503, count=2)
    await client.async_get_balance_info(onboarded.site_id)
    assert count(axle_simulator, "/info") == 3
    assert [exchange.status for exchange in client.exchanges][-3:] == [503, 503, 200]


async def test_get_gives_up_after_two_retries(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.fail_next("/info", status=500, count=3)
    with pytest.raises(AxleServerError) as err:
        await client.async_get_balance_info(onboarded.site_id)
    assert err.value.status == 500
    assert isinstance(err.value, AxleTemporaryError)
    assert count(axle_simulator, "/info") == 3


async def test_retry_count_follows_retry_delays(
    make_client: ClientFactory, axle_simulator: AxleSimulator
) -> None:
    client = make_client(retry_delays=(0,))
    axle_simulator.fail_next("/users/me", status=502, count=5)
    with pytest.raises(AxleServerError):
        await client.async_get_current_user()
    assert count(axle_simulator, "/users/me") == 2


@pytest.mark.parametrize(
    ("fragment", "call"),
    [
        ("/onboard", lambda c, site_id: c.async_onboard(onboard_request())),
        ("/enrol", lambda c, site_id: c.async_enrol(site_id)),
        ("/unenrol", lambda c, site_id: c.async_unenrol(site_id)),
        ("/external-id/", lambda c, site_id: c.async_get_asset_by_external_id(EXTERNAL_ID)),
    ],
)
async def test_idempotent_calls_retried_on_5xx(
    client: AxleClient,
    axle_simulator: AxleSimulator,
    onboarded: OnboardResponse,
    fragment: str,
    call: Callable[[AxleClient, str], Any],
) -> None:
    before = count(axle_simulator, fragment)
    axle_simulator.fail_next(fragment, status=500)
    await call(client, onboarded.site_id)
    assert count(axle_simulator, fragment) - before == 2


async def test_plug_in_schedule_and_offboard_are_never_retried(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.fail_next("/plug-in-schedule", status=500, count=3)
    with pytest.raises(AxleServerError):
        await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], night_schedule())
    assert count(axle_simulator, "/plug-in-schedule") == 1

    axle_simulator.fail_next("/offboard", status=502, count=3)
    with pytest.raises(AxleServerError) as err:
        await client.async_offboard(onboarded.site_id)
    assert err.value.status == 502
    assert count(axle_simulator, "/offboard") == 1
    assert MPAN in axle_simulator.sites


async def test_token_request_retried_on_5xx(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    axle_simulator.fail_next(TOKEN, status=500, count=2)
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 3


# --- Malformed answers ------------------------------------------------------------------------

CALLS: list[tuple[str, Callable[[AxleClient, OnboardResponse], Any]]] = [
    ("/users/me", lambda c, o: c.async_get_current_user()),
    ("/onboard", lambda c, o: c.async_onboard(onboard_request())),
    ("/enrol", lambda c, o: c.async_enrol(o.site_id)),
    ("/unenrol", lambda c, o: c.async_unenrol(o.site_id)),
    ("/offboard", lambda c, o: c.async_offboard(o.site_id)),
    ("/external-id/", lambda c, o: c.async_get_asset_by_external_id(EXTERNAL_ID)),
    (
        "/plug-in-schedule",
        lambda c, o: c.async_send_plug_in_schedule(o.asset_ids[EXTERNAL_ID], night_schedule()),
    ),
    ("/info", lambda c, o: c.async_get_balance_info(o.site_id)),
    ("/url/balance", lambda c, o: c.async_get_withdrawal_url(o.site_id, REDIRECT_URI)),
]


@pytest.mark.parametrize("kind", ["malformed", "missing_fields"])
@pytest.mark.parametrize(("fragment", "call"), CALLS, ids=[fragment for fragment, _ in CALLS])
async def test_malformed_answers_are_invalid_responses(
    client: AxleClient,
    *,
    axle_simulator: AxleSimulator,
    onboarded: OnboardResponse,
    kind: str,
    fragment: str,
    call: Callable[[AxleClient, OnboardResponse], Any],
) -> None:
    before = count(axle_simulator, fragment)
    axle_simulator.fail_next(fragment, kind=kind)  # type: ignore[arg-type]
    with pytest.raises(AxleInvalidResponseError):
        await call(client, onboarded)
    # A 2xx answer is never retried, however odd its body.
    assert count(axle_simulator, fragment) - before == 1


@pytest.mark.parametrize("kind", ["malformed", "missing_fields"])
async def test_malformed_token_answer(
    client: AxleClient, axle_simulator: AxleSimulator, kind: str
) -> None:
    axle_simulator.fail_next(TOKEN, kind=kind)  # type: ignore[arg-type]
    with pytest.raises(AxleInvalidResponseError):
        await client.async_login()
    # Nothing was cached: the next call logs in properly.
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2


# --- Timeouts and connection failures ---------------------------------------------------------


async def test_get_timeout_is_retried(
    make_client: ClientFactory, axle_simulator: AxleSimulator
) -> None:
    client = make_client(request_timeout=SHORT_TIMEOUT)
    axle_simulator.fail_next("/users/me", kind="timeout")
    await client.async_get_current_user()
    assert [(e.path, e.status, e.error) for e in client.exchanges] == [
        (TOKEN, 200, None),
        ("/auth/users/me/", None, "timeout"),
        ("/auth/users/me/", 200, None),
    ]


async def test_get_times_out_after_three_attempts(
    make_client: ClientFactory, axle_simulator: AxleSimulator
) -> None:
    client = make_client(request_timeout=SHORT_TIMEOUT)
    axle_simulator.fail_next("/users/me", kind="timeout", count=3)
    with pytest.raises(AxleTimeoutError) as err:
        await client.async_get_current_user()
    assert isinstance(err.value, AxleConnectionError)
    assert isinstance(err.value, AxleTemporaryError)
    assert "GET /auth/users/me/" in str(err.value)
    assert count(axle_simulator, "/users/me") == 3


async def test_write_timeout_is_not_retried(
    make_client: ClientFactory, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    client = make_client(request_timeout=SHORT_TIMEOUT)
    axle_simulator.fail_next("/onboard", kind="timeout")
    with pytest.raises(AxleTimeoutError):
        await client.async_onboard(onboard_request())
    assert count(axle_simulator, "/onboard") == 2  # the fixture's and this one

    axle_simulator.fail_next("/plug-in-schedule", kind="delay", delay=SHORT_TIMEOUT * 2)
    with pytest.raises(AxleTimeoutError):
        await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], night_schedule())
    assert count(axle_simulator, "/plug-in-schedule") == 1


async def test_token_timeout(make_client: ClientFactory, axle_simulator: AxleSimulator) -> None:
    client = make_client(request_timeout=SHORT_TIMEOUT)
    axle_simulator.fail_next(TOKEN, kind="timeout")
    with pytest.raises(AxleTimeoutError):
        await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 1
    assert count(axle_simulator, "/users/me") == 0


async def test_connection_refused_is_retried_then_raised(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    client = AxleClient(
        session,
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        base_url=f"http://127.0.0.1:{closed_port()}",
        retry_delays=(0, 0),
    )
    with pytest.raises(AxleConnectionError) as err:
        await client.async_get_current_user()
    assert not isinstance(err.value, AxleTimeoutError)
    assert isinstance(err.value, AxleTemporaryError)
    assert [(e.path, e.status) for e in client.exchanges] == [(TOKEN, None)] * 3
    assert all(e.error for e in client.exchanges)


async def test_lost_server_not_retried_for_schedules(
    client: AxleClient, axle_server: TestServer, onboarded: OnboardResponse
) -> None:
    await axle_server.close()
    with pytest.raises(AxleConnectionError):
        await client.async_send_plug_in_schedule(onboarded.asset_ids[EXTERNAL_ID], night_schedule())
    assert [e.path for e in client.exchanges][-1:] == [
        "/entities/asset/{asset_id}/event/plug-in-schedule"
    ]
    assert client.exchanges[-2].path == "/entities/site/onboard"

    with pytest.raises(AxleConnectionError):
        await client.async_get_balance_info(onboarded.site_id)
    assert [e.path for e in client.exchanges][-3:] == ["/rewards/{site_id}/info"] * 3


# --- Token handling ---------------------------------------------------------------------------


async def test_token_is_cached(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    for _ in range(3):
        await client.async_get_current_user()
        await client.async_get_balance_info(onboarded.site_id)
    assert count(axle_simulator, TOKEN) == 1

    await client.async_login()
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2


async def test_token_renewed_before_expiry(
    client: AxleClient, axle_simulator: AxleSimulator, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-11-25T20:00:00+00:00")
    await client.async_get_current_user()
    assert client.exchanges[0].at == datetime(2026, 11, 25, 20, tzinfo=UTC)

    freezer.tick(timedelta(minutes=54, seconds=59))
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 1

    # Less than five minutes of the hour left: log in before Axle would refuse the token.
    freezer.tick(timedelta(seconds=2))
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2
    assert [e.status for e in client.exchanges] == [200] * 5  # never a 401

    freezer.tick(timedelta(minutes=54))
    await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2


async def test_token_renewed_once_on_401(client: AxleClient, axle_simulator: AxleSimulator) -> None:
    await client.async_get_current_user()
    assert axle_simulator.expire_tokens() == 1

    assert (await client.async_get_current_user()).username == DEFAULT_USERNAME
    assert count(axle_simulator, TOKEN) == 2
    assert [e.status for e in client.exchanges] == [200, 200, 401, 200, 200]


async def test_second_401_is_an_authentication_error(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    await client.async_get_current_user()
    axle_simulator.fail_next("/users/me", status=401, count=2)
    with pytest.raises(AxleAuthenticationError):
        await client.async_get_current_user()
    assert count(axle_simulator, TOKEN) == 2
    assert count(axle_simulator, "/users/me") == 3


async def test_concurrent_callers_share_one_login(
    make_client: ClientFactory, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    client = make_client()
    logins = count(axle_simulator, TOKEN)

    results = await asyncio.gather(
        *(client.async_get_balance_info(onboarded.site_id) for _ in range(12))
    )
    assert len(results) == 12
    assert count(axle_simulator, TOKEN) - logins == 1

    axle_simulator.expire_tokens()
    await asyncio.gather(*(client.async_get_current_user() for _ in range(12)))
    assert count(axle_simulator, TOKEN) - logins == 2


# --- Diagnostics and privacy ------------------------------------------------------------------


async def test_exchanges_are_bounded_templated_and_observable(
    client: AxleClient, onboarded: OnboardResponse
) -> None:
    seen: list[ApiExchange] = []
    unsubscribe = client.add_exchange_listener(seen.append)

    for _ in range(12):
        await client.async_get_balance_info(onboarded.site_id)
        await client.async_get_asset_by_external_id(EXTERNAL_ID)
    assert len(seen) == 24
    assert list(client.exchanges) == seen[-20:]
    assert {e.path for e in client.exchanges} == {
        "/rewards/{site_id}/info",
        "/entities/asset/external-id/{external_id}",
    }
    assert all(e.method == "GET" and e.status == 200 and e.error is None for e in seen)
    assert all(e.elapsed_ms >= 0 for e in seen)
    ids = (onboarded.site_id, onboarded.asset_ids[EXTERNAL_ID], EXTERNAL_ID)
    assert not any(value in repr(e) for e in client.exchanges for value in ids)

    unsubscribe()
    unsubscribe()
    await client.async_get_current_user()
    assert len(seen) == 24


async def test_logs_and_reprs_carry_no_personal_data(
    client: AxleClient, axle_simulator: AxleSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.axle_flex_lite")
    axle_simulator.pause_mode = "price"

    response = await client.async_onboard(onboard_request())
    site_id = response.site_id
    asset_id = response.asset_ids[EXTERNAL_ID]
    await client.async_enrol(site_id, gave_boundary_meter_consent_at=CONSENT_AT)
    await client.async_send_plug_in_schedule(asset_id, night_schedule())
    await client.async_get_asset_by_external_id(EXTERNAL_ID)
    link = await client.async_get_withdrawal_url(site_id, REDIRECT_URI)
    issued_tokens = list(axle_simulator.tokens)
    axle_simulator.expire_tokens()
    await client.async_get_balance_info(site_id)
    errors: list[AxleError] = []
    for bad in (onboard_request(mpan=OTHER_MPAN), onboard_request(consent=False)):
        with pytest.raises(AxleError) as err:
            await client.async_onboard(bad)
        errors.append(err.value)

    ours = [r for r in caplog.records if r.name.startswith("custom_components.axle_flex_lite")]
    assert any("/entities/asset/{asset_id}/event/plug-in-schedule" in r.getMessage() for r in ours)
    assert any("401" in r.getMessage() for r in ours)
    issued_tokens += list(axle_simulator.tokens)
    assert len(issued_tokens) == 2
    secrets = [
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        MPAN,
        OTHER_MPAN,
        EMAIL,
        STREET,
        POSTCODE,
        POSTCODE.replace(" ", ""),
        site_id,
        asset_id,
        EXTERNAL_ID,
        REDIRECT_URI,
        link.url,
        *issued_tokens,
    ]
    texts = [r.getMessage() for r in ours] + [str(error) for error in errors] + [repr(client)]
    leaks = [secret for secret in secrets for text in texts if secret in text]
    assert leaks == []
    assert repr(client) == f"AxleClient(base_url={client.base_url!r})"


# --- Construction and base URLs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.axle.energy", "https://api.axle.energy"),
        ("https://api.axle.energy/", "https://api.axle.energy"),
        ("  https://proxy.example/axle/  ", "https://proxy.example/axle"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.5.6.7:9000", "http://127.5.6.7:9000"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://LOCALHOST", "http://localhost"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
    ],
)
def test_base_url_accepted(url: str, expected: str) -> None:
    assert normalise_base_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "api.axle.energy",
        "ftp://api.axle.energy",
        "http://api.axle.energy",
        "http://192.168.1.10:8080",
        "http://[::2]:8080",
        "http://localhost.example",
        "https://",
        "https://user:secret@api.axle.energy",
        "https://api.axle.energy/?x=1",
        "https://api.axle.energy/#top",
        "https://[::1",
    ],
)
def test_base_url_refused(url: str) -> None:
    with pytest.raises(AxleConfigurationError):
        normalise_base_url(url)


async def test_for_environment(session: aiohttp.ClientSession) -> None:
    production = AxleClient.for_environment(session, "u", "p", Environment.PRODUCTION)
    assert production.base_url == BASE_URLS[Environment.PRODUCTION] == "https://api.axle.energy"
    sandbox = AxleClient.for_environment(session, "u", "p", "sandbox", "https://ignored.example")
    assert sandbox.base_url == "https://api-sandbox.axle.energy"
    custom = AxleClient.for_environment(
        session, "u", "p", "custom", "http://127.0.0.1:8123/", request_timeout=3
    )
    assert custom.base_url == "http://127.0.0.1:8123"
    assert AxleClient(session, "u", "p").base_url == "https://api.axle.energy"

    with pytest.raises(AxleConfigurationError):
        AxleClient.for_environment(session, "u", "p", "staging")
    with pytest.raises(AxleConfigurationError):
        AxleClient.for_environment(session, "u", "p", Environment.CUSTOM)
    with pytest.raises(AxleConfigurationError):
        AxleClient.for_environment(session, "u", "p", Environment.CUSTOM, "http://10.0.0.2")
    with pytest.raises(AxleConfigurationError):
        AxleClient(session, "u", "p", base_url="http://axle.example")


def test_default_clock_is_aware_utc() -> None:
    from custom_components.axle_flex_lite.api import utc_now

    now = utc_now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)


# Eligibility, CoP11 details, meter search and refusals of every shape


@pytest.mark.parametrize("shape", ["string", "list", "object"])
async def test_refusals_read_in_every_shape(
    client: AxleClient, axle_simulator: AxleSimulator, shape: RefusalShape
) -> None:
    axle_simulator.refusal_shape = shape
    axle_simulator.set_meter(MPAN, half_hourly_settled=False)
    request = onboard_request()
    no_model = OnboardRequest(
        site=request.site, assets=(AssetDetails(external_id=EXTERNAL_ID, power_kw=7.4),)
    )
    with pytest.raises(AxleNotEligibleError) as refused:
        await client.async_onboard(no_model)
    assert refused.value.issues == ("asset_model_not_set", "asset_installation_date_not_set")
    assert refused.value.previously_withdrew is False
    # The model without its installation date is not enough either.
    with pytest.raises(AxleNotEligibleError) as refused:
        await client.async_onboard(request)
    assert refused.value.issues == ("asset_installation_date_not_set",)

    axle_simulator.set_meter(MPAN)
    onboarded = await client.async_onboard(request)
    await client.async_unenrol(onboarded.site_id)
    with pytest.raises(AxleNotEligibleError) as withdrew:
        await client.async_enrol(onboarded.site_id)
    assert withdrew.value.previously_withdrew is True
    assert withdrew.value.issues == ()


@pytest.mark.parametrize(
    ("detail", "withdrew", "issues"),
    [
        ({"previously_withdrew": True}, True, ()),
        ({"previously_withdrew": False, "reason": "ineligible"}, False, ()),
        ({"code": "CONSENT_WITHDRAWN"}, True, ()),
        ("The household opted out of limited_pause", True, ()),
        (["non_domestic_site"], False, ("non_domestic_site",)),
        ({"issues": ["asset_model_not_found"]}, False, ("asset_model_not_found",)),
        (
            "Not eligible: asset_model_not_cop11_qualified",
            False,
            ("asset_model_not_cop11_qualified",),
        ),
    ],
)
async def test_refusal_structure_and_wording(
    client: AxleClient,
    axle_simulator: AxleSimulator,
    detail: Any,
    withdrew: bool,
    issues: tuple[str, ...],
) -> None:
    axle_simulator.fail_next("/onboard", status=422, detail=detail)
    with pytest.raises(AxleNotEligibleError) as refused:
        await client.async_onboard(onboard_request())
    assert (refused.value.previously_withdrew, refused.value.issues) == (withdrew, issues)
    assert refused.value.detail == detail


async def test_field_errors_naming_override_withdrawal_are_not_an_opt_out(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    detail = [{"loc": ["body", "override_withdrawal"], "msg": "Input should be a valid boolean",
               "type": "bool_type"}]  # fmt: skip
    axle_simulator.fail_next("/enrol", status=422, detail=detail)
    with pytest.raises(AxleValidationError) as err:
        await client.async_enrol(UNKNOWN_ID)
    assert type(err.value) is AxleValidationError


async def test_unknown_asset_model_is_404_and_forbidden_is_403(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    request = onboard_request()
    unknown = OnboardRequest(
        site=request.site,
        assets=(AssetDetails(external_id=EXTERNAL_ID, asset_model="no_such_charger"),),
    )
    with pytest.raises(AxleNotFoundError):
        await client.async_onboard(unknown)
    with pytest.raises(AxleNotFoundError):
        await client.async_check_eligibility(MPAN, "no_such_charger")
    axle_simulator.fail_next("/onboard", status=403, detail="Not allowed")
    with pytest.raises(AxleForbiddenError) as forbidden:
        await client.async_onboard(request)
    assert not isinstance(forbidden.value, AxleNotFoundError)
    assert count(axle_simulator, "/onboard") == 2


async def test_installation_date_travels_in_onboard(
    client: AxleClient, axle_simulator: AxleSimulator
) -> None:
    axle_simulator.set_meter(MPAN, half_hourly_settled=False)
    request = onboard_request()
    cop11 = OnboardRequest(
        site=request.site,
        assets=(
            AssetDetails(
                external_id=EXTERNAL_ID,
                asset_model="zappi",
                installation_date=date(2024, 3, 1),
            ),
        ),
    )
    await client.async_onboard(cop11)
    sent = axle_simulator.requests_to("/onboard")[-1].body
    assert sent["assets"][0]["installation_date"] == "2024-03-01"
    assert sent["assets"][0]["asset_model"] == "zappi"
    eligibility = await client.async_get_site_eligibility(axle_simulator.sites[MPAN].site_id)
    assert eligibility.is_eligible()
    assert eligibility.issues() == ()
    assert eligibility.is_half_hourly_settled is False
    assert eligibility.has_meter_consent is True


async def test_check_eligibility(client: AxleClient, axle_simulator: AxleSimulator) -> None:
    settled = await client.async_check_eligibility(MPAN)
    assert settled.is_half_hourly_settled is True
    verdict = settled.for_proposition()
    assert verdict is not None
    assert (verdict.is_eligible, verdict.issues) == (True, ())
    assert axle_simulator.requests_to("/check-eligibility")[-1].body == {"mpan": MPAN}

    axle_simulator.set_meter(MPAN, half_hourly_settled=False)
    unset = (await client.async_check_eligibility(MPAN)).for_proposition()
    assert unset is not None
    assert (unset.is_eligible, unset.issues) == (False, ("asset_model_not_set",))
    old = (await client.async_check_eligibility(MPAN, "legacy_charger_v0")).for_proposition()
    assert old is not None
    assert old.issues == ("asset_model_not_cop11_qualified",)
    good = await client.async_check_eligibility(MPAN, "zappi")
    assert good.is_half_hourly_settled is False
    assert good.for_proposition() == PropositionEligibility(
        proposition="limited_pause", is_eligible=True, issues=()
    )
    assert axle_simulator.requests_to("/check-eligibility")[-1].body == {
        "mpan": MPAN,
        "asset_model": "zappi",
    }

    axle_simulator.set_meter(MPAN, domestic=False)
    shop = (await client.async_check_eligibility(MPAN, "zappi")).for_proposition()
    assert shop is not None
    assert shop.issues == ("non_domestic_site",)


async def test_site_eligibility_names_the_issue(
    client: AxleClient, axle_simulator: AxleSimulator, onboarded: OnboardResponse
) -> None:
    axle_simulator.set_meter(MPAN, half_hourly_settled=False)
    eligibility = await client.async_get_site_eligibility(onboarded.site_id)
    assert not eligibility.is_eligible()
    assert eligibility.issues() == ("asset_installation_date_not_set",)
    assert eligibility.assets[0].external_id == EXTERNAL_ID
    with pytest.raises(AxleNotFoundError):
        await client.async_get_site_eligibility(UNKNOWN_ID)


async def test_meter_search(client: AxleClient, axle_simulator: AxleSimulator) -> None:
    found = await client.async_search_meters("ct12eh", "4")
    assert [item.address for item in found] == ["4 Sample Lane, Canterbury, CT1 2EH"]
    assert axle_simulator.requests_to("/meter/search")[-1].query == {
        "postcode": "ct12eh",
        "building_identifier": "4",
    }
    meter = await client.async_get_meter_by_ref(found[0].ref)
    assert (meter.mpan, meter.half_hourly_settled) == (MPAN, True)
    assert MPAN not in repr(meter)
    assert found[0].address not in repr(found[0])

    flats = await client.async_search_meters("CT2 7NZ", "10")
    assert len(flats) == 2
    assert await client.async_search_meters("CT1 2EH", "99") == ()
    # Axle answers 422 for a postcode with no meter at all: no result either.
    assert await client.async_search_meters("ZZ9 9ZZ") == ()
    with pytest.raises(AxleValidationError):
        await client.async_get_meter_by_ref("mref-unknown")


async def test_meter_by_address(client: AxleClient) -> None:
    meter = await client.async_get_meter_by_address("4 Sample Lane, Canterbury, CT1 2EH")
    assert meter is not None
    assert meter.mpan == MPAN
    assert await client.async_get_meter_by_address("99 Nowhere Road, CT1 2EH") is None


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
