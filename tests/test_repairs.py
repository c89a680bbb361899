"""Tests of the repair issues: each appears and clears through the controller's own paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import ConfirmRepairFlow, repairs_flow_manager
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest

from custom_components.axle_flex_lite.const import (
    CONF_CONTROL_MODE,
    CONF_PLUG_ENTITY,
    CONF_POWER_KW,
    CONF_SITE_ID,
    CONF_SWITCH_ENTITY,
    CONF_WINDOW_END,
    CONF_WINDOW_START,
    DOMAIN,
)
from custom_components.axle_flex_lite.repairs import (
    ConsentMissingRepairFlow,
    async_create_fix_flow,
)
from tests.plugins.integration import PLUG, SWITCH
from tools.axle_simulator.state import DEFAULT_USERNAME, LIMITED_PAUSE

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant, ServiceCall
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

PAUSE_START = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
SCHEDULE_PATH = "plug-in-schedule"
# A charger switch of a domain nothing else loads, so the test decides whether it obeys.
STUCK_SWITCH = "light.stuck_charger"


def status(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The status sensor's state."""
    found = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_status")
    assert found is not None
    shown = hass.states.get(found)
    assert shown is not None
    return shown.state


def issue(hass: HomeAssistant, issue_id: str) -> ir.IssueEntry | None:
    """One of the integration's repair issues, if raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


def withdraw_consent(simulator: AxleSimulator, entry: MockConfigEntry) -> None:
    """Unenrol the site behind the integration's back: Axle then refuses schedules with 403."""
    simulator.unenrol(DEFAULT_USERNAME, entry.data[CONF_SITE_ID], LIMITED_PAUSE)


async def test_consent_missing_fixed_by_the_repair_flow(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
) -> None:
    """A 403 raises a fixable issue; confirming the fix enrols again and asks Axle again."""
    withdraw_consent(axle_simulator, init_integration)
    await charger.plug_in()
    issue_id = f"consent_missing_{init_integration.entry_id}"
    raised = issue(hass, issue_id)
    assert raised is not None
    assert raised.is_fixable
    assert raised.translation_key == "consent_missing"
    assert raised.severity is ir.IssueSeverity.ERROR
    assert status(hass, init_integration) == "fallback"

    assert await async_setup_component(hass, "repairs", {})
    flows = repairs_flow_manager(hass)
    assert flows is not None
    result: Any = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"

    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert issue(hass, issue_id) is None
    site = next(iter(axle_simulator.sites.values()))
    assert LIMITED_PAUSE in site.enrolled
    assert axle_simulator.requests_to("/enrol")[-1].body["override_withdrawal"] is True
    assert len(axle_simulator.requests_to(SCHEDULE_PATH)) == 2
    assert status(hass, init_integration) == "waiting"


async def test_consent_fix_refused_by_axle(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
) -> None:
    """Axle refusing the new enrolment keeps the form open with an error, and the issue."""
    withdraw_consent(axle_simulator, init_integration)
    await charger.plug_in()
    issue_id = f"consent_missing_{init_integration.entry_id}"
    assert await async_setup_component(hass, "repairs", {})
    flows = repairs_flow_manager(hass)
    assert flows is not None
    result: Any = await flows.async_init(DOMAIN, data={"issue_id": issue_id})

    axle_simulator.fail_next("/enrol", status=404)
    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "enrol_failed"}
    assert issue(hass, issue_id) is not None

    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert issue(hass, issue_id) is None


async def test_consent_fix_needs_a_loaded_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
) -> None:
    """With the entry unloaded the fix flow stops and the issue stays."""
    withdraw_consent(axle_simulator, init_integration)
    await charger.plug_in()
    issue_id = f"consent_missing_{init_integration.entry_id}"
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert await async_setup_component(hass, "repairs", {})
    flows = repairs_flow_manager(hass)
    assert flows is not None
    result: Any = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"
    assert issue(hass, issue_id) is not None


async def test_consent_issue_clears_when_axle_accepts_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    axle_simulator: AxleSimulator,
) -> None:
    """Enrolled again elsewhere, a resent schedule succeeds and the issue goes by itself."""
    withdraw_consent(axle_simulator, init_integration)
    await charger.plug_in()
    issue_id = f"consent_missing_{init_integration.entry_id}"
    assert issue(hass, issue_id) is not None

    axle_simulator.enrol(
        DEFAULT_USERNAME, init_integration.data[CONF_SITE_ID], LIMITED_PAUSE, True, None
    )
    await hass.services.async_call(
        DOMAIN,
        "resend_schedule",
        {"config_entry_id": init_integration.entry_id},
        blocking=True,
    )
    assert issue(hass, issue_id) is None
    assert status(hass, init_integration) == "waiting"


async def test_charger_entity_missing(
    hass: HomeAssistant, init_integration: MockConfigEntry, charger: SimulatedCharger
) -> None:
    """A charger entity that disappears raises an issue naming it; its return clears it."""
    issue_id = f"charger_entity_missing_{init_integration.entry_id}_{SWITCH}"
    assert issue(hass, issue_id) is None
    hass.states.async_remove(SWITCH)
    await hass.async_block_till_done()
    raised = issue(hass, issue_id)
    assert raised is not None
    assert not raised.is_fixable
    assert raised.translation_key == "charger_entity_missing"
    assert raised.translation_placeholders == {"entity_id": SWITCH}

    hass.states.async_set(SWITCH, STATE_ON)
    await hass.async_block_till_done()
    assert issue(hass, issue_id) is None


@pytest.mark.parametrize(
    "entry_options",
    [
        {
            CONF_PLUG_ENTITY: PLUG,
            CONF_SWITCH_ENTITY: STUCK_SWITCH,
            CONF_POWER_KW: 7.4,
            CONF_WINDOW_START: "23:30:00",
            CONF_WINDOW_END: "05:30:00",
            CONF_CONTROL_MODE: "pause_only",
        }
    ],
)
async def test_charger_not_responding(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
) -> None:
    """A switch that ignores the pause and its retry raises an issue; one that obeys clears it."""
    obeying = False
    commands: list[str] = []

    async def handle(call: ServiceCall) -> None:
        commands.append(call.service)
        if obeying:
            wanted = "off" if call.service == "turn_off" else "on"
            hass.states.async_set(STUCK_SWITCH, wanted, context=call.context)

    hass.states.async_set(STUCK_SWITCH, STATE_ON)
    hass.services.async_register("light", "turn_off", handle)
    hass.services.async_register("light", "turn_on", handle)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    issue_id = f"charger_not_responding_{config_entry.entry_id}"
    await charger.plug_in()
    await clock.move_to(PAUSE_START)
    assert commands == ["turn_off"]
    await clock.advance(timedelta(seconds=30))
    assert commands == ["turn_off", "turn_off"]
    assert issue(hass, issue_id) is None
    await clock.advance(timedelta(seconds=30))
    raised = issue(hass, issue_id)
    assert raised is not None
    assert raised.translation_key == "charger_not_responding"
    assert raised.translation_placeholders == {
        ATTR_ENTITY_ID: STUCK_SWITCH,
        "wanted": "off",
        "actual": "on",
    }

    # The next night the charger obeys again: its first command taking effect clears the issue.
    obeying = True
    await clock.move_to(PAUSE_START + timedelta(hours=4))
    await charger.unplug()
    await clock.move_to(PAUSE_START + timedelta(hours=16))
    await charger.plug_in()
    await clock.move_to(PAUSE_START + timedelta(days=1))
    assert hass.states.get(STUCK_SWITCH).state == "off"
    await clock.advance(timedelta(seconds=30))
    assert issue(hass, issue_id) is None


async def test_other_issues_use_the_plain_flow(hass: HomeAssistant) -> None:
    """Only the consent issue has its own fix flow."""
    flow = await async_create_fix_flow(hass, "charger_not_responding_abc", {"entry_id": "abc"})
    assert isinstance(flow, ConfirmRepairFlow)
    assert not isinstance(flow, ConsentMissingRepairFlow)
    consent = await async_create_fix_flow(hass, "consent_missing_abc", {"entry_id": "abc"})
    assert isinstance(consent, ConsentMissingRepairFlow)
