"""How the Axle client turns Axle's refusals and odd answers into its exceptions: each status,
malformed bodies, and eligibility refusals in every shape Axle words them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from custom_components.axle_flex_lite.api.exceptions import (
    AxleAuthenticationError,
    AxleBadRequestError,
    AxleConflictError,
    AxleForbiddenError,
    AxleInvalidResponseError,
    AxleNotEligibleError,
    AxleNotFoundError,
    AxleRateLimitedError,
    AxleResponseError,
    AxleTemporaryError,
    AxleValidationError,
)
from custom_components.axle_flex_lite.api.models import AssetDetails, OnboardRequest
from tests import api_helpers
from tests.api_helpers import (
    REDIRECT_URI,
    TOKEN,
    UNKNOWN_ID,
    count,
    night_schedule,
    onboard_request,
)
from tests.api_site import EXTERNAL_ID, MPAN, OTHER_MPAN

if TYPE_CHECKING:
    from collections.abc import Callable

    from custom_components.axle_flex_lite.api.client import AxleClient
    from custom_components.axle_flex_lite.api.models import OnboardResponse
    from tests.api_helpers import ClientFactory
    from tools.axle_simulator import AxleSimulator
    from tools.axle_simulator.state import RefusalShape

# The client tests' fixtures (an aiohttp session, a client for the simulator, a site onboarded).
session, make_client, client, onboarded = api_helpers.FIXTURES


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


# --- Eligibility refusals, in every shape Axle words them -------------------------------------


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
