"""Tests of the config flow: set-up, reauth and reconfigure, against the simulator over loopback."""

from __future__ import annotations

from datetime import UTC, datetime
import json
import re
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.api import BASE_URLS, Environment
from custom_components.axle_flex_lite.config_flow import FIND_MPAN_URL
from custom_components.axle_flex_lite.subentries import charger_key_prefix, charger_subentries
from tests.flows import (
    STRINGS,
    STRINGS_PATH,
    Refusal,
    onboard_bodies,
    start_reauth,
    start_reconfigure,
    start_setup,
    submit,
    suggested_values,
)
from tools.axle_simulator.state import AssetInput, SiteInput

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator
    from unittest.mock import AsyncMock

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

MPAN = "1900000000013"
OTHER_MPAN = "1400012345678"
CONSENT_TIME = datetime(2026, 11, 24, 19, 2, 11, 654321, tzinfo=UTC)
CONSENT_AT = "2026-11-24T19:02:11+00:00"
# The created entry is not set up: these tests are about the flow only.
pytestmark = pytest.mark.usefixtures("mock_setup_entry")

SITE_INPUT = {
    const.CONF_MPAN: "1900 0000-000 13",
    const.CONF_STREET_ADDRESS: " 4 Sample Lane ",
    const.CONF_POSTCODE: "ct12eh",
    const.CONF_EMAIL: " user@example.net ",
}
CONSENT_INPUT = {const.CONF_CONSENT: True}
CHARGER_INPUT = {
    const.CONF_PLUG_ENTITY: "sensor.charger_status",
    const.CONF_PLUGGED_STATES: ["Car Connected", " ", "car_connected", "Topping up "],
    const.CONF_UNPLUGGED_STATES: ["No car"],
    const.CONF_SWITCH_ENTITY: "switch.charger",
    const.CONF_CURRENT_ENTITY: "number.charger_current",
    const.CONF_POWER_KW: 7.2,
}
DETAILS_INPUT = {const.CONF_ASSET_MODEL: " zappi "}
SCHEDULE_INPUT = {
    const.CONF_WINDOW_START: "22:00",
    const.CONF_WINDOW_END: "06:15:00",
    const.CONF_CONTROL_MODE: "full_schedule",
}
EXPECTED_OPTIONS = {
    const.CONF_PLUG_ENTITY: "sensor.charger_status",
    const.CONF_PLUGGED_STATES: ["Car Connected", "Topping up"],
    const.CONF_UNPLUGGED_STATES: ["No car"],
    const.CONF_CONTROL_KIND: "switch",
    const.CONF_COMMAND_LATENCY: 30,
    const.CONF_UNPLUG_SETTLE: 60,
    const.CONF_SWITCH_ENTITY: "switch.charger",
    const.CONF_CURRENT_ENTITY: "number.charger_current",
    const.CONF_POWER_KW: 7.2,
    const.CONF_ASSET_MODEL: "zappi",
    const.CONF_WINDOW_START: "22:00:00",
    const.CONF_WINDOW_END: "06:15:00",
    const.CONF_CONTROL_MODE: "full_schedule",
}


def charger_settings(result: Any) -> dict[str, Any]:
    """The settings of the charger a finished set-up made (its subentry's data, less its ids)."""
    (charger,) = result["subentries"]
    assert charger["subentry_type"] == const.SUBENTRY_TYPE_CHARGER
    return {
        key: value
        for key, value in charger["data"].items()
        if key not in (const.CONF_ASSET_ID, const.CONF_EXTERNAL_ID)
    }


def user_input(server_url: str, **changes: Any) -> dict[str, Any]:
    """The account step as a tester of the custom environment fills it in."""
    return {
        const.CONF_ENVIRONMENT: "custom",
        CONF_USERNAME: " ha-partner ",
        CONF_PASSWORD: "sim-password",
        const.CONF_BASE_URL: f" {server_url}/ ",
        **changes,
    }


async def reach_schedule(hass: HomeAssistant, base_url: str) -> dict[str, Any]:
    """Fill in the account, home and charger steps; return the schedule form."""
    result = await submit(hass, await start_setup(hass), user_input(base_url))
    assert result["step_id"] == "site"
    result = await submit(hass, result, SITE_INPUT)
    assert result["step_id"] == "eligibility"
    result = await submit(hass, result, {})
    assert result["step_id"] == "charger"
    result = await submit(hass, result, CHARGER_INPUT)
    assert result["step_id"] == "charger_details"
    result = await submit(hass, result, DETAILS_INPUT)
    assert result["step_id"] == "schedule"
    return result


async def submit_schedule(hass: HomeAssistant, result: dict[str, Any]) -> Any:
    """Submit the schedule form and, when the consent form follows, give consent."""
    result = await submit(hass, result, SCHEDULE_INPUT)
    if result["type"] is FlowResultType.FORM and result["step_id"] == "consent":
        result = await submit(hass, result, CONSENT_INPUT)
    return result


async def finish_from_eligibility(hass: HomeAssistant, result: dict[str, Any]) -> Any:
    """From the eligibility form of a settled home, submit the usual charger, details, schedule."""
    result = await submit(hass, result, {})
    result = await submit(hass, result, CHARGER_INPUT)
    result = await submit(hass, result, DETAILS_INPUT)
    return await submit_schedule(hass, result)


async def create_entry(hass: HomeAssistant, base_url: str) -> ConfigEntry:
    """Set up one home through the whole flow; return its entry."""
    result = await submit_schedule(hass, await reach_schedule(hass, base_url))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return result["result"]


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


@pytest.mark.usefixtures("charger_entities")
async def test_bad_site_details_go_back_to_the_home_step(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Axle's 400 shows the home form again; fixing it onboards without any other step."""
    freezer.move_to(CONSENT_TIME)
    result = await reach_schedule(hass, axle_base_url)
    axle_simulator.fail_next("/entities/site/onboard", status=400, detail="Invalid email")
    result = await submit_schedule(hass, result)
    assert result["step_id"] == "site"
    assert result["errors"] == {"base": "invalid_site_details"}
    suggested = suggested_values(result)
    assert suggested == SITE_INPUT

    freezer.tick(90)
    result = await submit(hass, result, {**SITE_INPUT, const.CONF_EMAIL: "home@example.org"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    first, second = onboard_bodies(axle_simulator)
    assert first["assets"] == second["assets"]
    assert second["site"]["email"] == "home@example.org"
    # Correcting the details keeps the consent given a moment ago.
    assert second["site"]["gave_boundary_meter_consent_at"] == CONSENT_AT
    assert result["data"][const.CONF_CONSENT_AT] == CONSENT_AT
    assert charger_settings(result) == EXPECTED_OPTIONS


@pytest.mark.usefixtures("charger_entities")
async def test_asset_conflict_goes_back_to_the_charger_step(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """Axle's 409 shows the charger form again; submitting it onboards again."""
    result = await reach_schedule(hass, axle_base_url)
    axle_simulator.fail_next("/entities/site/onboard", status=409)
    result = await submit_schedule(hass, result)
    assert result["step_id"] == "charger"
    assert result["errors"] == {"base": "asset_conflict"}

    result = await submit(hass, result, {**CHARGER_INPUT, const.CONF_POWER_KW: 11})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert charger_settings(result)[const.CONF_POWER_KW] == 11.0
    first, second = onboard_bodies(axle_simulator)
    assert first["assets"][0]["external_id"] == second["assets"][0]["external_id"]
    assert second["assets"][0]["properties"] == {"power_kw": 11.0}


@pytest.mark.parametrize(
    "refusal",
    [
        Refusal({"status": 500}, "cannot_connect"),
        Refusal({"status": 503}, "cannot_connect"),
        Refusal({"kind": "missing_fields"}, "cannot_connect"),
        Refusal({"status": 401, "count": 2}, "invalid_auth"),
        Refusal({"status": 403}, "forbidden"),
        Refusal(
            {
                "status": 422,
                "detail": [{"loc": ["body", "site", "mpan"], "msg": "bad", "type": "string_type"}],
            },
            "unknown",
        ),
    ],
    ids=lambda refusal: refusal.error,
)
@pytest.mark.usefixtures("charger_entities")
async def test_onboard_failures_stay_on_the_schedule_step(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    refusal: Refusal,
) -> None:
    """When Axle cannot take the onboarding, submitting the schedule again retries it as is."""
    result = await reach_schedule(hass, axle_base_url)
    refusal.arm(axle_simulator, "/entities/site/onboard")
    result = await submit_schedule(hass, result)
    assert result["step_id"] == "schedule"
    assert result["errors"] == {"base": refusal.error}

    result = await submit_schedule(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    bodies = onboard_bodies(axle_simulator)
    assert all(body == bodies[-1] for body in bodies)
    assert charger_settings(result) == EXPECTED_OPTIONS


@pytest.mark.usefixtures("charger_entities")
async def test_ineligible_site_aborts_with_axles_reason(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """A site Axle will not take ends the flow and says why."""
    axle_simulator.mark_ineligible(MPAN, reason="no smart meter found")
    result = await submit_schedule(hass, await reach_schedule(hass, axle_base_url))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_eligible"
    assert result["description_placeholders"] == {
        "reason": "Site is not eligible for limited_pause: no smart meter found"
    }
    assert hass.config_entries.async_entries(const.DOMAIN) == []


def withdraw(simulator: AxleSimulator) -> None:
    """Make the home one that joined Flex Lite and left it again, as Axle remembers it."""
    result = simulator.onboard(
        "ha-partner",
        SiteInput(mpan=MPAN, postcode="CT1 2EH", consent_at=CONSENT_TIME),
        [AssetInput(external_id="ha-earlier", type="charger")],
        "limited_pause",
        False,
    )
    simulator.unenrol("ha-partner", result["site"]["site_id"], "limited_pause")


@pytest.mark.usefixtures("charger_entities")
async def test_rejoin_after_withdrawal(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """A home that left Flex Lite is asked to confirm, then joins again with an override."""
    withdraw(axle_simulator)
    result = await submit_schedule(hass, await reach_schedule(hass, axle_base_url))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "rejoin"
    assert not result["errors"]

    axle_simulator.fail_next("/entities/site/onboard", status=502)
    result = await submit(hass, result, {})
    assert result["step_id"] == "rejoin"
    assert result["errors"] == {"base": "cannot_connect"}

    result = await submit(hass, result, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [body["override_withdrawal"] for body in onboard_bodies(axle_simulator)] == [
        False,
        True,
        True,
    ]
    assert "limited_pause" in axle_simulator.sites[MPAN].enrolled
    assert result["data"][const.CONF_SITE_ID] == axle_simulator.sites[MPAN].site_id


@pytest.mark.usefixtures("charger_entities")
async def test_rejoin_refused_again_aborts(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """If Axle still refuses after the override, the flow ends instead of asking again."""
    withdraw(axle_simulator)
    result = await submit_schedule(hass, await reach_schedule(hass, axle_base_url))
    assert result["step_id"] == "rejoin"
    detail = "Site previously withdrew from limited_pause; contact Axle support"
    axle_simulator.fail_next("/entities/site/onboard", status=422, detail=detail)
    result = await submit(hass, result, {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_eligible"
    assert result["description_placeholders"] == {"reason": detail}


# Reauth


async def test_reauth(
    hass: HomeAssistant, axle_simulator: AxleSimulator, axle_base_url: str
) -> None:
    """New credentials are checked, saved and the entry reloaded."""
    hass.states.async_set("sensor.charger_status", "Car Connected")
    hass.states.async_set("switch.charger", "on")
    hass.states.async_set("number.charger_current", "16")
    entry = await create_entry(hass, axle_base_url)
    await hass.async_block_till_done()
    axle_simulator.accounts.clear()
    axle_simulator.add_account("ha-partner-2", "new-password")

    result = await start_reauth(hass, entry)
    assert result["step_id"] == "reauth_confirm"
    username_marker = next(m for m in result["data_schema"].schema if str(m) == CONF_USERNAME)
    assert username_marker.description == {"suggested_value": "ha-partner"}

    result = await submit(hass, result, {CONF_USERNAME: "ha-partner", CONF_PASSWORD: "old"})
    assert result["errors"] == {"base": "invalid_auth"}

    axle_simulator.fail_next("/auth/token-form", status=500)
    result = await submit(
        hass, result, {CONF_USERNAME: "ha-partner-2", CONF_PASSWORD: "new-password"}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    result = await submit(
        hass, result, {CONF_USERNAME: " ha-partner-2 ", CONF_PASSWORD: "new-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_USERNAME] == "ha-partner-2"
    assert entry.data[CONF_PASSWORD] == "new-password"
    assert entry.data[const.CONF_MPAN] == MPAN
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


# Reconfigure


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    axle_base_url: str,
    charger_entities: None,
    freezer: FrozenDateTimeFactory,
) -> AsyncGenerator[ConfigEntry]:
    """A home set up through the flow at CONSENT_TIME, with the simulator's traffic cleared."""
    freezer.move_to(CONSENT_TIME)
    created = await create_entry(hass, axle_base_url)
    await hass.async_block_till_done()
    axle_simulator.requests.clear()
    yield created
    # The reload a finished reconfigure started ends while the simulator serves and set-up is
    # mocked (the teardown closes and unpatches both before Home Assistant stops).
    await hass.async_block_till_done()


RECONFIGURE_INPUT = {
    const.CONF_MPAN: "19 0000 0000 013",
    const.CONF_STREET_ADDRESS: "7 Other Road",
    const.CONF_POSTCODE: "sw1a1aa",
    const.CONF_EMAIL: "new@example.org",
    const.CONF_CONSENT: True,
}


async def test_reconfigure(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    entry: ConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """New home details and a fresh consent are sent to Axle with an override, then saved."""
    freezer.move_to("2026-12-01T08:00:00.250+00:00")
    old_data = dict(entry.data)
    result = await start_reconfigure(hass, entry)
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"find_mpan_url": FIND_MPAN_URL}
    suggested = suggested_values(result)
    assert suggested == {
        const.CONF_MPAN: MPAN,
        const.CONF_STREET_ADDRESS: "4 Sample Lane",
        const.CONF_POSTCODE: "CT1 2EH",
        const.CONF_EMAIL: "user@example.net",
        const.CONF_CONSENT: None,
        const.CONF_INSTALLATION_DATE: None,
    }

    result = await submit(hass, result, {**RECONFIGURE_INPUT, const.CONF_CONSENT: False})
    assert result["errors"] == {const.CONF_CONSENT: "consent_required"}
    assert onboard_bodies(axle_simulator) == []

    result = await submit(hass, result, RECONFIGURE_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert onboard_bodies(axle_simulator) == [
        {
            "site": {
                "mpan": MPAN,
                "postcode": "SW1A 1AA",
                "street_address": "7 Other Road",
                "email": "new@example.org",
                "gave_boundary_meter_consent_at": "2026-12-01T08:00:00+00:00",
            },
            "assets": [
                {
                    "external_id": charger_subentries(entry)[0].data[const.CONF_EXTERNAL_ID],
                    "type": "charger",
                    "properties": {"power_kw": 7.2},
                    "asset_model": "zappi",
                }
            ],
            "proposition": "limited_pause",
            "override_withdrawal": True,
        }
    ]
    assert entry.title == "Axle Flex Lite SW1A"
    assert dict(entry.data) == {
        **old_data,
        const.CONF_STREET_ADDRESS: "7 Other Road",
        const.CONF_POSTCODE: "SW1A 1AA",
        const.CONF_EMAIL: "new@example.org",
        const.CONF_CONSENT_AT: "2026-12-01T08:00:00+00:00",
    }
    site = axle_simulator.sites[MPAN]
    assert site.postcode == "SW1A 1AA"
    assert len(site.assets) == 1
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_rejoins_after_withdrawal(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry
) -> None:
    """Reconfigure is the way back in after leaving: the override re-enrols the home."""
    axle_simulator.unenrol("ha-partner", entry.data[const.CONF_SITE_ID], "limited_pause")
    result = await submit(hass, await start_reconfigure(hass, entry), RECONFIGURE_INPUT)
    assert result["reason"] == "reconfigure_successful"
    assert "limited_pause" in axle_simulator.sites[MPAN].enrolled


async def test_reconfigure_other_mpan_aborts(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry
) -> None:
    """Another meter is another entry: reconfigure refuses it and changes nothing."""
    result = await submit(
        hass,
        await start_reconfigure(hass, entry),
        {**RECONFIGURE_INPUT, const.CONF_MPAN: OTHER_MPAN},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert onboard_bodies(axle_simulator) == []
    assert entry.data[const.CONF_MPAN] == MPAN


@pytest.mark.parametrize(
    "refusal",
    [
        Refusal({"status": 400}, "invalid_site_details"),
        Refusal({"status": 409}, "asset_conflict"),
        Refusal({"status": 500}, "cannot_connect"),
        Refusal({"status": 401, "count": 2}, "invalid_auth"),
        Refusal({"status": 403}, "forbidden"),
    ],
    ids=lambda refusal: refusal.error,
)
async def test_reconfigure_onboard_errors(
    hass: HomeAssistant,
    axle_simulator: AxleSimulator,
    entry: ConfigEntry,
    refusal: Refusal,
) -> None:
    """Axle's refusals keep the form open with what was typed; submitting again retries."""
    old_data = dict(entry.data)
    result = await start_reconfigure(hass, entry)
    refusal.arm(axle_simulator, "/entities/site/onboard")
    result = await submit(hass, result, RECONFIGURE_INPUT)
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": refusal.error}
    suggested = suggested_values(result)
    assert suggested == {**RECONFIGURE_INPUT, const.CONF_INSTALLATION_DATE: None}
    assert dict(entry.data) == old_data

    result = await submit(hass, result, RECONFIGURE_INPUT)
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[const.CONF_POSTCODE] == "SW1A 1AA"


@pytest.mark.parametrize(
    "detail",
    [
        "Site is not eligible for limited_pause: not half-hourly settled",
        "Site previously withdrew from limited_pause; contact Axle support",
    ],
)
async def test_reconfigure_not_eligible_aborts(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry, detail: str
) -> None:
    """A refusal of the site itself ends reconfigure with Axle's reason."""
    old_data = dict(entry.data)
    axle_simulator.fail_next("/entities/site/onboard", status=422, detail=detail)
    result = await submit(hass, await start_reconfigure(hass, entry), RECONFIGURE_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_eligible"
    assert result["description_placeholders"] == {"reason": detail}
    assert dict(entry.data) == old_data


async def test_reconfigure_unusable_saved_address(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry
) -> None:
    """A saved server address the client refuses is reported, not sent credentials."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, const.CONF_BASE_URL: "http://axle.example.org"}
    )
    result = await submit(hass, await start_reconfigure(hass, entry), RECONFIGURE_INPUT)
    assert result["errors"] == {"base": "invalid_base_url"}
    assert axle_simulator.requests == []


async def test_reauth_unusable_saved_address(
    hass: HomeAssistant, axle_simulator: AxleSimulator, entry: ConfigEntry
) -> None:
    """Reauth reports a saved address the client refuses on the form itself."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, const.CONF_BASE_URL: "http://axle.example.org"}
    )
    result = await start_reauth(hass, entry)
    result = await submit(
        hass, result, {CONF_USERNAME: "ha-partner", CONF_PASSWORD: "sim-password"}
    )
    assert result["errors"] == {"base": "invalid_base_url"}
    assert axle_simulator.requests == []


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
