"""Tests for the API models: wire forms, strict parsing and privacy of repr."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.axle_flex_lite.api import (
    Asset,
    AssetDetails,
    AxleInvalidResponseError,
    BalanceInfo,
    EnrolResponse,
    OffboardResponse,
    OnboardRequest,
    OnboardResponse,
    Proposition,
    ScheduleBlock,
    SiteDetails,
    UnenrolResponse,
    User,
    WithdrawalUrl,
)
from custom_components.axle_flex_lite.api.models import modified_schedule_from_json
from custom_components.axle_flex_lite.api.wire import JsonModel, format_timestamp, parse_timestamp

LONDON = ZoneInfo("Europe/London")
SITE_ID = "0f6a2c1e-8b7d-4f7a-9a55-3c2d1e0b9a10"
ASSET_ID = "5d9e7b4c-2a1f-4c3e-8d6b-7e0f1a2b3c4d"
MPAN = "1900000000013"
POSTCODE = "CT1 2EH"
STREET = "4 Sample Lane"
EMAIL = "user@example.net"
# A household with every detail but the consent time.
HOME = SiteDetails(mpan=MPAN, postcode=POSTCODE, street_address=STREET, email=EMAIL)


# --- Schedule blocks and times ----------------------------------------------------------------


def test_schedule_block_wire_form_is_utc_with_offset() -> None:
    # 23:30 British Summer Time is 22:30 UTC.
    block = ScheduleBlock(
        start=datetime(2026, 7, 1, 23, 30, tzinfo=LONDON),
        end=datetime(2026, 7, 2, 5, 30, tzinfo=LONDON),
    )
    assert block.to_json() == {
        "start_timestamp": "2026-07-01T22:30:00+00:00",
        "end_timestamp": "2026-07-02T04:30:00+00:00",
    }
    assert block.duration_seconds == 6 * 3600


def test_schedule_block_refuses_naive_or_empty_spans() -> None:
    start = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        ScheduleBlock(start=start.replace(tzinfo=None), end=start + timedelta(hours=1))
    with pytest.raises(ValueError, match="end after"):
        ScheduleBlock(start=start, end=start)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-25T23:30:00+00:00", datetime(2026, 11, 25, 23, 30, tzinfo=UTC)),
        ("2026-11-25T23:30:00Z", datetime(2026, 11, 25, 23, 30, tzinfo=UTC)),
        ("2026-11-25T23:30:00", datetime(2026, 11, 25, 23, 30, tzinfo=UTC)),
        ("2026-07-01T23:30:00+01:00", datetime(2026, 7, 1, 22, 30, tzinfo=UTC)),
        ("2026-11-25T23:30:00.250-05:00", datetime(2026, 11, 26, 4, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_timestamps_parse_as_aware_utc(raw: str, expected: datetime) -> None:
    parsed = parse_timestamp(raw, "t")
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("raw", ["", "tomorrow", "2026-13-01T00:00:00Z", 1764113400, None])
def test_bad_timestamps_are_invalid_responses(raw: object) -> None:
    with pytest.raises(AxleInvalidResponseError):
        parse_timestamp(raw, "t")


def test_format_timestamp_refuses_naive_times() -> None:
    assert format_timestamp(datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))) == (
        "2026-01-01T00:00:00+00:00"
    )
    with pytest.raises(ValueError, match="aware"):
        format_timestamp(datetime(2026, 1, 1))


def test_schedule_block_round_trips() -> None:
    block = ScheduleBlock(
        start=datetime(2026, 11, 25, 23, 30, tzinfo=UTC),
        end=datetime(2026, 11, 26, 5, 30, tzinfo=UTC),
    )
    assert ScheduleBlock.from_json(block.to_json()) == block


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"start_timestamp": "2026-11-25T23:30:00Z"},
        {"end_timestamp": "2026-11-25T23:30:00Z"},
        {"start_timestamp": "2026-11-25T23:30:00Z", "end_timestamp": "2026-11-25T23:30:00Z"},
        {"start_timestamp": "2026-11-25T23:30:00Z", "end_timestamp": "2026-11-25T22:30:00Z"},
    ],
)
def test_bad_schedule_blocks_are_invalid_responses(raw: object) -> None:
    with pytest.raises(AxleInvalidResponseError):
        ScheduleBlock.from_json(raw)


def test_modified_schedule_parses_in_order_and_drops_empty_blocks() -> None:
    body = {
        "modified_charging_schedule": [
            {"start_timestamp": "2026-11-26T02:30:00Z", "end_timestamp": "2026-11-26T05:30:00Z"},
            {"start_timestamp": "2026-11-26T02:00:00Z", "end_timestamp": "2026-11-26T02:00:00Z"},
            {"start_timestamp": "2026-11-25T23:30:00", "end_timestamp": "2026-11-26T02:00:00Z"},
        ]
    }
    assert modified_schedule_from_json(body) == (
        ScheduleBlock(
            start=datetime(2026, 11, 26, 2, 30, tzinfo=UTC),
            end=datetime(2026, 11, 26, 5, 30, tzinfo=UTC),
        ),
        ScheduleBlock(
            start=datetime(2026, 11, 25, 23, 30, tzinfo=UTC),
            end=datetime(2026, 11, 26, 2, tzinfo=UTC),
        ),
    )
    assert modified_schedule_from_json({"modified_charging_schedule": []}) == ()


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"modified_charging_schedule": None},
        {"modified_charging_schedule": {"start_timestamp": "x"}},
        {"modified_charging_schedule": ["2026-11-26T02:30:00Z"]},
        {
            "modified_charging_schedule": [
                {"start_timestamp": "2026-11-26T05:30:00Z", "end_timestamp": "2026-11-26T02:30:00Z"}
            ]
        },
    ],
)
def test_malformed_modified_schedules_are_invalid_responses(body: object) -> None:
    with pytest.raises(AxleInvalidResponseError):
        modified_schedule_from_json(body)


# --- Requests ---------------------------------------------------------------------------------


def test_onboard_request_wire_form() -> None:
    consent = datetime(2026, 11, 24, 19, 2, 11, tzinfo=LONDON)
    request = OnboardRequest(
        site=replace(HOME, gave_boundary_meter_consent_at=consent),
        assets=(
            AssetDetails(
                external_id="ha-charger-5e1d", power_kw=7.2, capacity_kwh=60, asset_model="zappi"
            ),
        ),
    )
    assert request.to_json() == {
        "site": {
            "mpan": MPAN,
            "postcode": POSTCODE,
            "street_address": STREET,
            "email": EMAIL,
            "gave_boundary_meter_consent_at": "2026-11-24T19:02:11+00:00",
        },
        "assets": [
            {
                "external_id": "ha-charger-5e1d",
                "type": "charger",
                "properties": {"power_kw": 7.2, "capacity_kwh": 60},
                "asset_model": "zappi",
            }
        ],
        "proposition": "limited_pause",
        "override_withdrawal": False,
    }


def test_onboard_request_leaves_out_unset_optional_fields() -> None:
    request = OnboardRequest(
        site=SiteDetails(mpan=MPAN, postcode=POSTCODE),
        assets=(AssetDetails(external_id="ha-charger-5e1d"),),
        proposition=Proposition.FULL_ASSET_SCHEDULE_CONTROL,
        override_withdrawal=True,
    )
    assert request.to_json() == {
        "site": {"mpan": MPAN, "postcode": POSTCODE},
        "assets": [{"external_id": "ha-charger-5e1d", "type": "charger"}],
        "proposition": "full_asset_schedule_control",
        "override_withdrawal": True,
    }


def test_repr_leaves_out_personal_data() -> None:
    site = HOME
    request = OnboardRequest(site=site, assets=(AssetDetails(external_id="ha-charger-5e1d"),))
    link = WithdrawalUrl(
        url="https://payments.example/secret-link-123", expires_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    for text in (repr(site), repr(request), str(request), repr(link)):
        for secret in (MPAN, POSTCODE, STREET, EMAIL, "secret-link-123"):
            assert secret not in text
    assert "ha-charger-5e1d" in repr(request)


def test_models_are_frozen() -> None:
    user = User(username="ha-partner", roles=("entity_read",))
    with pytest.raises(AttributeError):
        user.username = "someone-else"  # type: ignore[misc]


# --- Responses --------------------------------------------------------------------------------


def test_user_from_json() -> None:
    assert User.from_json(
        {"username": "ha-partner", "roles": ["entity_read", "entity_write"]}
    ) == User(username="ha-partner", roles=("entity_read", "entity_write"))


ONBOARD_BODY: dict[str, Any] = {
    "site": {"site_id": SITE_ID, "site_created": True, "fields_updated": [], "warnings": ["w1"]},
    "assets": [
        {
            "asset_id": ASSET_ID,
            "external_id": "ha-charger-5e1d",
            "asset_created": True,
            "warnings": ["w2"],
        },
        {"asset_id": "other-asset", "external_id": "second", "asset_created": False},
    ],
    "enrolment": {"site_id": SITE_ID, "status": "enrolled"},
}


def test_onboard_response_from_json() -> None:
    response = OnboardResponse.from_json(ONBOARD_BODY)
    assert response.site_id == SITE_ID
    assert response.site_created is True
    assert response.enrolment_status == "enrolled"
    assert response.warnings == ("w1", "w2")
    assert response.asset_ids == {"ha-charger-5e1d": ASSET_ID, "second": "other-asset"}
    assert [asset.asset_created for asset in response.assets] == [True, False]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.pop("site"),
        lambda b: b.pop("enrolment"),
        lambda b: b.pop("assets"),
        lambda b: b["site"].pop("site_id"),
        lambda b: b["site"].update(site_created="yes"),
        lambda b: b["site"].update(warnings=[1]),
        lambda b: b["assets"].append("not-an-object"),
        lambda b: b["assets"][0].update(asset_id=5),
        lambda b: b["enrolment"].pop("status"),
        lambda b: b.update(site=[]),
    ],
)
def test_onboard_response_with_a_broken_field_is_invalid(mutate: Any) -> None:
    body = {
        "site": dict(ONBOARD_BODY["site"]),
        "assets": [dict(asset) for asset in ONBOARD_BODY["assets"]],
        "enrolment": dict(ONBOARD_BODY["enrolment"]),
    }
    mutate(body)
    with pytest.raises(AxleInvalidResponseError):
        OnboardResponse.from_json(body)


def test_simple_responses_from_json() -> None:
    assert EnrolResponse.from_json({"site_id": SITE_ID, "status": "already_enrolled"}) == (
        EnrolResponse(site_id=SITE_ID, status="already_enrolled")
    )
    assert UnenrolResponse.from_json({"site_id": SITE_ID, "status": "unenrolled"}) == (
        UnenrolResponse(site_id=SITE_ID, status="unenrolled")
    )
    assert OffboardResponse.from_json(
        {"site": {"id": SITE_ID, "postcode": POSTCODE}, "asset": {"id": ASSET_ID}}
    ) == OffboardResponse(site_id=SITE_ID)


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (User, {"username": "x"}),
        (User, {"username": "x", "roles": "entity_read"}),
        (User, {"username": "", "roles": []}),
        (EnrolResponse, {"site_id": SITE_ID}),
        (UnenrolResponse, {"status": "unenrolled"}),
        (OffboardResponse, {"site": {"postcode": POSTCODE}}),
        (OffboardResponse, {}),
        (Asset, {"id": ASSET_ID, "external_id": "x", "type": "charger"}),
        (
            Asset,
            {
                "id": ASSET_ID,
                "external_id": "x",
                "type": "charger",
                "site_id": SITE_ID,
                "properties": {"power_kw": "7"},
            },
        ),
        (
            Asset,
            {
                "id": ASSET_ID,
                "external_id": "x",
                "type": "charger",
                "site_id": SITE_ID,
                "properties": [],
            },
        ),
        (WithdrawalUrl, {"balance_withdrawal_url": "https://x.example/a"}),
        (
            WithdrawalUrl,
            {
                "balance_withdrawal_url": "javascript:alert(1)",
                "url_expiry_timestamp": "2026-11-26T02:00:00Z",
            },
        ),
        (User, "not json object"),
    ],
)
def test_responses_missing_or_mistyped_fields_are_invalid(model: Any, body: object) -> None:
    with pytest.raises(AxleInvalidResponseError) as err:
        model.from_json(body)
    assert not isinstance(err.value, KeyError | TypeError)


def test_asset_from_json() -> None:
    body = {
        "id": ASSET_ID,
        "external_id": "ha-charger-5e1d",
        "type": "charger",
        "site_id": SITE_ID,
        "properties": {"power_kw": 7},
    }
    assert Asset.from_json(body) == Asset(
        id=ASSET_ID, external_id="ha-charger-5e1d", type="charger", site_id=SITE_ID, power_kw=7.0
    )
    body["properties"] = {"capacity_kwh": 60}
    assert Asset.from_json(body).power_kw is None
    del body["properties"]
    assert Asset.from_json(body).power_kw is None


BALANCE_BODY: dict[str, Any] = {
    "current_balance_pence": 412,
    "total_earnings_pence": 1650.0,
    "minimum_withdrawal_threshold_pence": 1000,
    "withdrawal_min_wait_days": 30,
    "can_withdraw": False,
}


def test_balance_from_json() -> None:
    balance = BalanceInfo.from_json(BALANCE_BODY)
    assert balance == BalanceInfo(
        current_balance_pence=412,
        total_earnings_pence=1650,
        minimum_withdrawal_threshold_pence=1000,
        withdrawal_min_wait_days=30,
        can_withdraw=False,
    )
    assert isinstance(balance.total_earnings_pence, int)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("current_balance_pence", "412"),
        ("current_balance_pence", 4.5),
        ("current_balance_pence", True),
        ("current_balance_pence", None),
        ("can_withdraw", 0),
        ("can_withdraw", None),
    ],
)
def test_balance_with_a_mistyped_field_is_invalid(key: str, value: object) -> None:
    with pytest.raises(AxleInvalidResponseError, match=key):
        BalanceInfo.from_json({**BALANCE_BODY, key: value})


def test_withdrawal_url_from_json() -> None:
    link = WithdrawalUrl.from_json(
        {
            "balance_withdrawal_url": "https://payments.example/w/abc",
            "url_expiry_timestamp": "2026-11-26T03:00:00+01:00",
        }
    )
    assert link.url == "https://payments.example/w/abc"
    assert link.expires_at == datetime(2026, 11, 26, 2, tzinfo=UTC)


def test_schedule_block_compares_real_instants_across_the_autumn_change() -> None:
    """23:30 BST to 05:30 GMT on 25 October 2026 is a valid 7-hour block in one zone."""
    london = ZoneInfo("Europe/London")
    block = ScheduleBlock(
        start=datetime(2026, 10, 24, 23, 30, tzinfo=london),
        end=datetime(2026, 10, 25, 5, 30, tzinfo=london),
    )
    assert block.duration_seconds == 7 * 3600
    # 01:30 second occurrence (GMT) is after 01:45 first occurrence (BST) in real time.
    ScheduleBlock(
        start=datetime(2026, 10, 25, 1, 45, tzinfo=london),
        end=datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=london),
    )


def test_json_model_refuses_a_field_type_it_cannot_read() -> None:
    @dataclass(frozen=True, slots=True)
    class Ratio(JsonModel, json_name="ratio"):
        value: float

    with pytest.raises(TypeError, match="value"):
        Ratio.from_json({"value": 0.5})
