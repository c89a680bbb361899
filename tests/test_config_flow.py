"""Tests of the set-up flow, against the simulator over loopback: the whole flow, the defaults, and
what the account, home and charger steps refuse (reauth and reconfigure, Axle refusing the
onboarding and eligibility have modules of their own)."""

from __future__ import annotations

from datetime import datetime
import json
import re
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.api import BASE_URLS, Environment
from custom_components.axle_flex_lite.config_flow import FIND_MPAN_URL
from custom_components.axle_flex_lite.subentries import charger_key_prefix, charger_subentries
from tests.flows import (
    CHARGER_INPUT,
    CONSENT_AT,
    CONSENT_INPUT,
    CONSENT_TIME,
    DETAILS_INPUT,
    EXPECTED_OPTIONS,
    OTHER_MPAN,
    SCHEDULE_INPUT,
    SITE_INPUT,
    STRINGS,
    STRINGS_PATH,
    Refusal,
    charger_settings,
    create_entry,
    finish_from_eligibility,
    onboard_bodies,
    start_setup,
    submit,
    user_input,
)
from tests.plugins.integration import MPAN

if TYPE_CHECKING:
    from unittest.mock import AsyncMock

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

# The created entry is not set up: these tests are about the flow only.
pytestmark = pytest.mark.usefixtures("mock_setup_entry")


@pytest.mark.usefixtures("charger_entities")
async def test_full_flow_onboards_and_creates_entry(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    freezer: FrozenDateTimeFactory,
    mock_setup_entry: AsyncMock,
) -> None:
    """Each step in turn, then one onboarding call with exactly what the user chose."""
    freezer.move_to(CONSENT_TIME)
    result = await start_setup(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"

    result = await submit(hass, result, user_input(axle_base_url))
    assert result["step_id"] == "site"
    assert result["description_placeholders"] == {"find_mpan_url": FIND_MPAN_URL}

    result = await submit(hass, result, SITE_INPUT)
    assert result["step_id"] == "eligibility"
    assert result["description_placeholders"] == {
        "propositions": "limited_pause, full_asset_schedule_control"
    }
    result = await submit(hass, result, {})
    assert result["step_id"] == "charger"
    assert onboard_bodies(axle_simulator) == []

    result = await submit(hass, result, CHARGER_INPUT)
    assert result["step_id"] == "charger_details"
    # A half-hourly-settled home: the model is optional and no date is asked.
    assert list(result["data_schema"].schema) == [const.CONF_ASSET_MODEL]
    result = await submit(hass, result, DETAILS_INPUT)
    assert result["step_id"] == "schedule"

    # Consent comes last, once Axle has said the home can join.
    result = await submit(hass, result, SCHEDULE_INPUT)
    assert result["step_id"] == "consent"
    assert "Axle may read your smart meter" in STRINGS["config"]["step"]["consent"]["description"]
    assert onboard_bodies(axle_simulator) == []
    result = await submit(hass, result, {const.CONF_CONSENT: False})
    assert result["errors"] == {const.CONF_CONSENT: "consent_required"}
    result = await submit(hass, result, CONSENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]

    site = axle_simulator.sites[MPAN]
    (asset,) = site.assets.values()
    assert entry.title == "Axle Flex Lite CT1"
    assert entry.unique_id == MPAN
    assert dict(entry.data) == {
        const.CONF_ENVIRONMENT: "custom",
        CONF_USERNAME: "ha-partner",
        CONF_PASSWORD: "sim-password",
        const.CONF_BASE_URL: axle_base_url,
        const.CONF_MPAN: MPAN,
        const.CONF_STREET_ADDRESS: "4 Sample Lane",
        const.CONF_POSTCODE: "CT1 2EH",
        const.CONF_EMAIL: "user@example.net",
        const.CONF_CONSENT_AT: CONSENT_AT,
        const.CONF_SITE_ID: site.site_id,
    }
    assert re.fullmatch(r"ha-[0-9a-f]{32}", asset.external_id)
    # The home is the entry (version 2); its charger is the first subentry, without a key prefix
    # (the entry id, not known when the flow ends: see subentries.py).
    assert entry.version == const.CONFIG_ENTRY_VERSION
    assert dict(entry.options) == {}
    (charger,) = charger_subentries(entry)
    assert charger.unique_id == asset.external_id
    assert charger.title == "charger status"  # the plug entity's name: no device was picked
    assert dict(charger.data) == {
        **EXPECTED_OPTIONS,
        const.CONF_ASSET_ID: asset.asset_id,
        const.CONF_EXTERNAL_ID: asset.external_id,
    }
    assert charger_key_prefix(entry.entry_id, charger.data) == entry.entry_id
    assert mock_setup_entry.call_count == 1

    assert onboard_bodies(axle_simulator) == [
        {
            "site": {
                "mpan": MPAN,
                "postcode": "CT1 2EH",
                "street_address": "4 Sample Lane",
                "email": "user@example.net",
                "gave_boundary_meter_consent_at": CONSENT_AT,
            },
            "assets": [
                {
                    "external_id": asset.external_id,
                    "type": "charger",
                    "properties": {"power_kw": 7.2},
                    "asset_model": "zappi",
                }
            ],
            "proposition": "limited_pause",
            "override_withdrawal": False,
        }
    ]
    assert site.consent_at == datetime.fromisoformat(CONSENT_AT)
    assert "limited_pause" in site.enrolled


async def test_defaults_and_optional_fields_left_out(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Optional charger fields may stay empty; the schedule defaults are 23:30 to 05:30."""
    hass.states.async_set("binary_sensor.charger_plug", "off")
    hass.states.async_set("input_boolean.charger", "on")
    result = await submit(hass, await start_setup(hass), user_input(axle_base_url))
    result = await submit(hass, result, {**SITE_INPUT, const.CONF_MPAN: OTHER_MPAN})
    result = await submit(hass, result, {})
    result = await submit(
        hass,
        result,
        {
            const.CONF_PLUG_ENTITY: "binary_sensor.charger_plug",
            const.CONF_SWITCH_ENTITY: "input_boolean.charger",
        },
    )
    result = await submit(hass, result, {})
    assert result["step_id"] == "schedule"
    result = await submit(hass, result, {})
    result = await submit(hass, result, CONSENT_INPUT)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert charger_settings(result) == {
        const.CONF_PLUG_ENTITY: "binary_sensor.charger_plug",
        const.CONF_CONTROL_KIND: "switch",
        const.CONF_COMMAND_LATENCY: 30,
        const.CONF_UNPLUG_SETTLE: 60,
        const.CONF_SWITCH_ENTITY: "input_boolean.charger",
        const.CONF_POWER_KW: 7.4,
        const.CONF_WINDOW_START: "23:30:00",
        const.CONF_WINDOW_END: "05:30:00",
        const.CONF_CONTROL_MODE: "pause_only",
    }
    (body,) = onboard_bodies(axle_simulator)
    assert body["assets"][0]["properties"] == {"power_kw": 7.4}
    assert "asset_model" not in body["assets"][0]


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({const.CONF_BASE_URL: ""}, const.CONF_BASE_URL, "base_url_required"),
        ({const.CONF_BASE_URL: "http://axle.example.org"}, "base", "invalid_base_url"),
        ({const.CONF_BASE_URL: "ftp://127.0.0.1"}, "base", "invalid_base_url"),
        ({CONF_PASSWORD: "wrong"}, "base", "invalid_auth"),
        ({CONF_USERNAME: "nobody"}, "base", "invalid_auth"),
    ],
)
async def test_user_step_input_errors(
    hass: HomeAssistant,
    axle_base_url: str,
    changes: dict[str, Any],
    field: str,
    error: str,
) -> None:
    """Wrong account details are shown on the form, which then accepts the right ones."""
    result = await submit(hass, await start_setup(hass), user_input(axle_base_url, **changes))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {field: error}

    result = await submit(hass, result, user_input(axle_base_url))
    assert result["step_id"] == "site"


async def test_user_step_custom_without_base_url_field(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Leaving out the optional address altogether also asks for it."""
    data = user_input(axle_base_url)
    del data[const.CONF_BASE_URL]
    result = await submit(hass, await start_setup(hass), data)
    assert result["errors"] == {const.CONF_BASE_URL: "base_url_required"}
    assert axle_simulator.requests == []


@pytest.mark.parametrize(
    "refusal",
    [
        Refusal({"status": 500}, "cannot_connect"),
        Refusal({"status": 429}, "cannot_connect"),
        Refusal({"kind": "malformed"}, "cannot_connect"),
        Refusal({"status": 403}, "invalid_auth"),
        Refusal({"status": 404}, "unknown"),
    ],
    ids=lambda refusal: refusal.error,
)
async def test_user_step_axle_failures(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    refusal: Refusal,
) -> None:
    """Axle failing while the account is checked is shown, and submitting again retries."""
    refusal.arm(axle_simulator, "/auth/users/me/")
    result = await submit(hass, await start_setup(hass), user_input(axle_base_url))
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": refusal.error}

    result = await submit(hass, result, user_input(axle_base_url))
    assert result["step_id"] == "site"
    assert len(axle_simulator.requests_to("/auth/users/me/")) == 2


async def test_user_step_server_unreachable(
    hass: HomeAssistant, axle_server: Any, axle_base_url: str
) -> None:
    """A server that refuses connections cannot be reached."""
    await axle_server.close()
    result = await submit(hass, await start_setup(hass), user_input(axle_base_url))
    assert result["errors"] == {"base": "cannot_connect"}


@pytest.mark.usefixtures("charger_entities")
async def test_site_step_input_errors(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Every home field is checked; fixed values then carry on to the charger step."""
    result = await submit(hass, await start_setup(hass), user_input(axle_base_url))
    result = await submit(
        hass,
        result,
        {
            const.CONF_MPAN: "1900000000014",
            const.CONF_STREET_ADDRESS: "4 Sample Lane",
            const.CONF_POSTCODE: "CT1",
            const.CONF_EMAIL: "user@example",
        },
    )
    assert result["step_id"] == "site"
    assert result["errors"] == {
        const.CONF_MPAN: "invalid_mpan",
        const.CONF_POSTCODE: "invalid_postcode",
        const.CONF_EMAIL: "invalid_email",
    }

    result = await submit(hass, result, {**SITE_INPUT, const.CONF_MPAN: "19000000000"})
    assert result["errors"] == {const.CONF_MPAN: "invalid_mpan"}

    # The full 21-digit MPAN from a bill: its last 13 digits are the core.
    result = await submit(
        hass, result, {**SITE_INPUT, const.CONF_MPAN: "00 801 123 14 0001 2345 678"}
    )
    assert result["step_id"] == "eligibility"
    result = await finish_from_eligibility(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == OTHER_MPAN
    assert result["data"][const.CONF_MPAN] == OTHER_MPAN


@pytest.mark.usefixtures("charger_entities")
async def test_sandbox_skips_the_check_digit(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Sandbox MPANs are made up: the flow lets them through and Axle has the last word."""
    with patch.dict(BASE_URLS, {Environment.SANDBOX: axle_base_url}):
        result = await submit(
            hass,
            await start_setup(hass),
            {
                const.CONF_ENVIRONMENT: "sandbox",
                CONF_USERNAME: "ha-partner",
                CONF_PASSWORD: "sim-password",
            },
        )
        result = await submit(hass, result, {**SITE_INPUT, const.CONF_MPAN: "1900000000014"})
        assert result["step_id"] == "eligibility"
        result = await finish_from_eligibility(hass, result)
        # The simulator checks digits like production: its 400 is shown on the home step.
        assert result["step_id"] == "site"
        assert result["errors"] == {"base": "invalid_site_details"}

        # Another meter: Axle is asked about it, and consent given for it, before onboarding.
        result = await submit(hass, result, SITE_INPUT)
        assert result["step_id"] == "eligibility"
        result = await submit(hass, result, {})
        assert result["step_id"] == "consent"
        result = await submit(hass, result, CONSENT_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][const.CONF_ENVIRONMENT] == "sandbox"
    assert const.CONF_BASE_URL not in result["data"]


@pytest.mark.usefixtures("charger_entities")
async def test_same_mpan_twice_aborts(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """The MPAN is the entry's unique id: a second home with it is refused before onboarding."""
    await create_entry(hass, axle_base_url)
    result = await submit(hass, await start_setup(hass), user_input(axle_base_url))
    result = await submit(hass, result, {**SITE_INPUT, const.CONF_MPAN: "19-0000-0000-013"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(onboard_bodies(axle_simulator)) == 1


async def test_charger_entities_must_exist(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Each chosen entity must be known to Home Assistant."""
    result = await submit(hass, await start_setup(hass), user_input(axle_base_url))
    result = await submit(hass, result, SITE_INPUT)
    result = await submit(hass, result, {})
    result = await submit(hass, result, CHARGER_INPUT)
    assert result["step_id"] == "charger"
    assert result["errors"] == {
        const.CONF_PLUG_ENTITY: "entity_not_found",
        const.CONF_SWITCH_ENTITY: "entity_not_found",
        const.CONF_CURRENT_ENTITY: "entity_not_found",
    }
    hass.states.async_set("sensor.charger_status", "Available")
    hass.states.async_set("switch.charger", "off")
    result = await submit(hass, result, CHARGER_INPUT)
    assert result["errors"] == {const.CONF_CURRENT_ENTITY: "entity_not_found"}

    hass.states.async_set("number.charger_current", "32")
    result = await submit(hass, result, CHARGER_INPUT)
    assert result["step_id"] == "charger_details"


def test_translations_match_strings() -> None:
    """The English translation is an exact copy of strings.json."""
    translation = STRINGS_PATH.parent / "translations" / "en.json"
    assert json.loads(translation.read_text(encoding="utf-8")) == STRINGS


def test_selector_options_are_translated() -> None:
    """Both drop-downs have text for every option the flow offers."""
    assert set(STRINGS["selector"]["environment"]["options"]) == {e.value for e in Environment}
    assert set(STRINGS["selector"]["control_mode"]["options"]) == {"pause_only", "full_schedule"}


@pytest.mark.usefixtures("charger_entities")
async def test_forms_serialise_for_the_frontend(
    hass: HomeAssistant,
    hass_client: Any,
    axle_base_url: str,
) -> None:
    """Walk the flow through the HTTP API as the frontend does: every form must serialise.

    The frontend receives each step's schema as a field list; Home Assistant 2026.x builds it with
    probatio, 2025.x with voluptuous-serialize, and both must understand our schemas.
    """
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, "config", {})
    client = await hass_client()

    response = await client.post("/api/config/config_entries/flow", json={"handler": const.DOMAIN})
    assert response.status == 200
    step = await response.json()
    expected_fields = {
        "user": {const.CONF_ENVIRONMENT, CONF_USERNAME, CONF_PASSWORD, const.CONF_BASE_URL},
        "site": set(SITE_INPUT),
        "eligibility": set(),
        "charger": set(CHARGER_INPUT),
        "charger_details": set(DETAILS_INPUT),
        "schedule": set(SCHEDULE_INPUT),
        "consent": set(CONSENT_INPUT),
    }
    answers = {
        "user": user_input(axle_base_url),
        "site": SITE_INPUT,
        "eligibility": {},
        "charger": CHARGER_INPUT,
        "charger_details": DETAILS_INPUT,
        "schedule": SCHEDULE_INPUT,
        "consent": CONSENT_INPUT,
    }
    for step_id, answer in answers.items():
        assert step["step_id"] == step_id
        assert {field["name"] for field in step["data_schema"] or []} >= expected_fields[step_id]
        response = await client.post(
            f"/api/config/config_entries/flow/{step['flow_id']}", json=answer
        )
        assert response.status == 200, await response.text()
        step = await response.json()
    assert step["type"] == "create_entry"
