"""Driving the integration's flows as the frontend does, checking that every answer is all text.

The home's own flows (set-up, reauth, the home's reconfigure) and its charger subentry flows
("Add charger", a charger's reconfigure) are driven alike: ``submit`` tells them apart by the
flow's handler, and ``check_text`` checks each form and abort against its own part of strings.json.
The set-up flow's tests fill its forms in alike (``user_input``, ``SITE_INPUT`` and the other
``*_INPUT``) and walk it with ``reach_schedule``, ``submit_schedule`` and ``create_entry``.
"""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.subentries import charger_subentries
from tests.plugins.integration import ENTRY_ID, MPAN, home_data, onboard_site
from tools.axle_simulator.state import AssetInput, SiteInput

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from tools.axle_simulator import AxleSimulator

STRINGS_PATH = Path(__file__).parent.parent / "custom_components" / const.DOMAIN / "strings.json"
STRINGS: dict[str, Any] = json.loads(STRINGS_PATH.read_text(encoding="utf-8"))

# Meters of the simulator's table (see its README) that are not half-hourly settled, or a shop.
NOT_SETTLED = "1900000000403"  # 6 Sample Lane
NON_DOMESTIC = "1900000000101"  # 8 Sample Lane

# The first charger of the home the charger subentry flows' tests start from.
FIRST_EXTERNAL_ID = "ha-first-charger"
FIRST_CHARGER = {
    const.CONF_PLUG_ENTITY: "binary_sensor.drive_plug",
    const.CONF_CONTROL_KIND: "switch",
    const.CONF_SWITCH_ENTITY: "switch.drive_charger",
    const.CONF_CURRENT_ENTITY: "number.drive_current",
    const.CONF_POWER_KW: 7.4,
    const.CONF_COMMAND_LATENCY: 30,
    const.CONF_UNPLUG_SETTLE: 60,
    const.CONF_WINDOW_START: "23:30:00",
    const.CONF_WINDOW_END: "05:30:00",
    const.CONF_CONTROL_MODE: "pause_only",
}

# The set-up flow's home (MPAN) as its tests fill it in, consenting at CONSENT_TIME (CONSENT_AT as
# Axle is told it, to the second); OTHER_MPAN is another valid meter.
OTHER_MPAN = "1400012345678"
CONSENT_AT = "2026-11-24T19:02:11+00:00"
CONSENT_TIME = datetime(2026, 11, 24, 19, 2, 11, 654321, tzinfo=UTC)

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


class Refusal(NamedTuple):
    """A failure of Axle's to arm on the simulator, and the form error the flow must show for it."""

    fault: dict[str, Any]  # the simulator's ``fail_next`` arguments
    error: str

    def arm(self, simulator: AxleSimulator, path: str) -> None:
        """Make the simulator fail the next call to ``path`` this way."""
        simulator.fail_next(path, **self.fault)


def is_subentry_flow(result: Any) -> bool:
    """Whether the flow is a subentry flow: its handler is (entry id, subentry type)."""
    return isinstance(result["handler"], tuple)


def flow_strings(result: Any) -> dict[str, Any]:
    """The part of strings.json that holds the texts of the flow's forms and aborts."""
    if is_subentry_flow(result):
        strings: dict[str, Any] = STRINGS["config_subentries"][result["handler"][1]]
        return strings
    config: dict[str, Any] = STRINGS["config"]
    return config


def check_text(result: Any) -> None:
    """Fail when a form or abort would show a raw key instead of text from strings.json."""
    strings = flow_strings(result)
    if result["type"] is FlowResultType.FORM:
        step = strings["step"][result["step_id"]]
        assert step["title"]
        assert step["description"]
        placeholders = set(re.findall(r"{(\w+)}", step["description"]))
        assert placeholders <= set(result["description_placeholders"] or {})
        for marker in result["data_schema"].schema if result["data_schema"] else ():
            assert step["data"][str(marker)]
            assert step["data_description"][str(marker)]
        for error in (result["errors"] or {}).values():
            assert strings["error"][error]
    elif result["type"] is FlowResultType.ABORT:
        message = strings["abort"][result["reason"]]
        placeholders = set(re.findall(r"{(\w+)}", message))
        assert placeholders <= set(result["description_placeholders"] or {})


async def start_setup(hass: HomeAssistant) -> Any:
    """Open the set-up flow."""
    result = await hass.config_entries.flow.async_init(
        const.DOMAIN, context={"source": SOURCE_USER}
    )
    check_text(result)
    return result


async def start_reauth(hass: HomeAssistant, entry: ConfigEntry) -> Any:
    """Open the reauth flow as Home Assistant does when Axle refuses the saved credentials."""
    result = await hass.config_entries.flow.async_init(
        const.DOMAIN,
        context={"source": SOURCE_REAUTH, "entry_id": entry.entry_id},
        data=dict(entry.data),
    )
    check_text(result)
    return result


async def start_reconfigure(hass: HomeAssistant, entry: ConfigEntry) -> Any:
    """Open the home's reconfigure."""
    result = await hass.config_entries.flow.async_init(
        const.DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    check_text(result)
    return result


async def start_add_charger(hass: HomeAssistant, entry: ConfigEntry) -> Any:
    """Open "Add charger" on the home."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, const.SUBENTRY_TYPE_CHARGER), context={"source": SOURCE_USER}
    )
    check_text(result)
    return result


async def start_charger_reconfigure(
    hass: HomeAssistant, entry: ConfigEntry, subentry_id: str | None = None
) -> Any:
    """Open a charger's reconfigure (the home's first charger's unless told)."""
    if subentry_id is None:
        subentry_id = charger_subentries(entry)[0].subentry_id
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, const.SUBENTRY_TYPE_CHARGER),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    check_text(result)
    return result


async def submit(hass: HomeAssistant, result: Any, data: dict[str, Any]) -> Any:
    """Submit the flow's current form and check the answer is all text."""
    flows = hass.config_entries.subentries if is_subentry_flow(result) else hass.config_entries.flow
    result = await flows.async_configure(result["flow_id"], data)
    check_text(result)
    return result


def suggested_values(result: Any) -> dict[str, Any]:
    """The values a form is filled in with, by field (None for a field left empty)."""
    return {
        str(marker): (marker.description or {}).get("suggested_value")
        for marker in result["data_schema"].schema
    }


def shown_values(result: Any) -> dict[str, Any]:
    """The values a form is filled in with (fields left empty are left out)."""
    return {key: value for key, value in suggested_values(result).items() if value is not None}


def onboard_bodies(simulator: AxleSimulator) -> list[dict[str, Any]]:
    """What the integration sent to Axle's onboarding, oldest first."""
    return [request.body for request in simulator.requests_to("/entities/site/onboard")]


def home_with_charger(
    data: dict[str, Any],
    charger: dict[str, Any],
    *,
    title: str,
    unique_id: str,
    entry_id: str | None = None,
) -> MockConfigEntry:
    """A home of the current entry version (``data``) with one charger subentry (``charger``)."""
    return MockConfigEntry(
        domain=const.DOMAIN,
        entry_id=entry_id,
        version=const.CONFIG_ENTRY_VERSION,
        title="Axle Flex Lite CT1",
        unique_id=data[const.CONF_MPAN],
        data=data,
        subentries_data=[
            {
                "data": charger,
                "subentry_type": const.SUBENTRY_TYPE_CHARGER,
                "title": title,
                "unique_id": unique_id,
            }
        ],
    )


def home_entry(
    simulator: AxleSimulator, base_url: str, *, mpan: str = MPAN, model: str | None = None
) -> MockConfigEntry:
    """A home onboarded in the simulator with its first charger (``FIRST_CHARGER``) as a subentry.

    ``model``: the first charger's model, with an installation date (a home that is not
    half-hourly settled needs both).
    """
    first = AssetInput(
        external_id=FIRST_EXTERNAL_ID,
        type="charger",
        power_kw=7.4,
        asset_model=model,
        installation_date="2024-05-01" if model else None,
    )
    onboarded = onboard_site(simulator, mpan, first)
    charger = {
        **FIRST_CHARGER,
        const.CONF_ASSET_ID: onboarded["assets"][0]["asset_id"],
        const.CONF_EXTERNAL_ID: FIRST_EXTERNAL_ID,
        const.CONF_KEY_PREFIX: ENTRY_ID,
    }
    return home_with_charger(
        home_data(base_url, mpan, onboarded["site"]["site_id"]),
        charger,
        title="Drive plug",
        unique_id=FIRST_EXTERNAL_ID,
        entry_id=ENTRY_ID,
    )


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
