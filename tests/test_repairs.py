"""Tests of the repair issues: each appears and clears through the controller's own paths."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import ConfirmRepairFlow, repairs_flow_manager
from homeassistant.const import ATTR_ENTITY_ID, STATE_ON
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.repairs import (
    ConsentMissingRepairFlow,
    async_create_fix_flow,
)
from tests.helpers import (
    SCHEDULE_PATH,
    add_and_set_up_entry,
    issue_id_for,
    pause_only_options,
    remove_state,
    renew_consent,
    repair_issue,
    set_state,
    withdraw_consent,
)
from tests.plugins.integration import FIRST_PAUSE_START, PLUG, SWITCH
from tools.axle_simulator.state import LIMITED_PAUSE

if TYPE_CHECKING:
    from homeassistant.components.repairs.issue_handler import RepairsFlowManager
    from homeassistant.core import HomeAssistant, ServiceCall
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home, NewHome
    from tests.plugins.integration import SimulatedCharger
    from tools.axle_simulator import AxleSimulator

# A charger switch of a domain nothing else loads, so the test decides whether it obeys.
STUCK_SWITCH = "light.stuck_charger"


def status(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """The status sensor's state."""
    found = er.async_get(hass).async_get_entity_id(
        "sensor", const.DOMAIN, f"{entry.entry_id}_status"
    )
    assert found is not None
    shown = hass.states.get(found)
    assert shown is not None
    return shown.state


@pytest.fixture
async def consent_issue(
    init_integration: MockConfigEntry, charger: SimulatedCharger, axle_simulator: AxleSimulator
) -> str:
    """Consent withdrawn at Axle, then a plug-in that Axle refuses: the consent issue's id."""
    withdraw_consent(axle_simulator, init_integration)
    await charger.plug_in()
    return issue_id_for("consent_missing", init_integration)


async def open_fix_flow(hass: HomeAssistant, issue_id: str) -> tuple[RepairsFlowManager, Any]:
    """Load the repairs integration and open the issue's fix flow: its manager and first step."""
    assert await async_setup_component(hass, "repairs", {})
    flows = repairs_flow_manager(hass)
    assert flows is not None
    return flows, await flows.async_init(const.DOMAIN, data={"issue_id": issue_id})


async def test_consent_missing_fixed_by_the_repair_flow(home: Home, consent_issue: str) -> None:
    """A 403 raises a fixable issue; confirming the fix enrols again and asks Axle again."""
    raised = repair_issue(home.hass, "consent_missing", home.entry)
    assert raised is not None
    assert raised.is_fixable
    assert raised.translation_key == "consent_missing"
    assert raised.severity is ir.IssueSeverity.ERROR
    assert status(home.hass, home.entry) == "fallback"

    flows, result = await open_fix_flow(home.hass, consent_issue)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "confirm"

    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await home.hass.async_block_till_done()
    assert repair_issue(home.hass, "consent_missing", home.entry) is None
    site = next(iter(home.axle.sites.values()))
    assert LIMITED_PAUSE in site.enrolled
    assert home.axle.requests_to("/enrol")[-1].body["override_withdrawal"] is True
    assert len(home.axle.requests_to(SCHEDULE_PATH)) == 2
    assert status(home.hass, home.entry) == "waiting"


async def test_consent_fix_refused_by_axle(home: Home, consent_issue: str) -> None:
    """Axle refusing the new enrolment keeps the form open with an error, and the issue."""
    flows, result = await open_fix_flow(home.hass, consent_issue)

    home.axle.fail_next("/enrol", status=404)
    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "enrol_failed"}
    assert repair_issue(home.hass, "consent_missing", home.entry) is not None

    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert repair_issue(home.hass, "consent_missing", home.entry) is None


async def test_consent_fix_needs_a_loaded_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    consent_issue: str,
) -> None:
    """With the entry unloaded the fix flow stops and the issue stays."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    _, result = await open_fix_flow(hass, consent_issue)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"
    assert repair_issue(hass, "consent_missing", init_integration) is not None


async def test_consent_issue_clears_when_axle_accepts_again(home: Home, consent_issue: str) -> None:
    """Enrolled again elsewhere, a resent schedule succeeds and the issue goes by itself."""
    assert repair_issue(home.hass, "consent_missing", home.entry) is not None

    renew_consent(home.axle, home.entry)
    await home.hass.services.async_call(
        const.DOMAIN,
        "resend_schedule",
        {"config_entry_id": home.entry.entry_id},
        blocking=True,
    )
    assert repair_issue(home.hass, "consent_missing", home.entry) is None
    assert status(home.hass, home.entry) == "waiting"


async def test_charger_entity_missing(home: Home) -> None:
    """A charger entity that disappears raises an issue naming it; its return clears it."""
    assert repair_issue(home.hass, "charger_entity_missing", home.entry, SWITCH) is None
    await remove_state(home.hass, SWITCH)
    raised = repair_issue(home.hass, "charger_entity_missing", home.entry, SWITCH)
    assert raised is not None
    assert not raised.is_fixable
    assert raised.translation_key == "charger_entity_missing"
    assert raised.translation_placeholders == {"entity_id": SWITCH}

    await set_state(home.hass, SWITCH, STATE_ON)
    assert repair_issue(home.hass, "charger_entity_missing", home.entry, SWITCH) is None


@pytest.mark.parametrize(
    "entry_options",
    [
        pause_only_options(
            {
                const.CONF_PLUG_ENTITY: PLUG,
                const.CONF_SWITCH_ENTITY: STUCK_SWITCH,
                const.CONF_POWER_KW: 7.4,
            }
        )
    ],
)
async def test_charger_not_responding(new_home: NewHome) -> None:
    """A switch that ignores the pause and its retry raises an issue; one that obeys clears it."""
    obeying = False
    commands: list[str] = []

    async def handle(call: ServiceCall) -> None:
        commands.append(call.service)
        if obeying:
            wanted = "off" if call.service == "turn_off" else "on"
            new_home.hass.states.async_set(STUCK_SWITCH, wanted, context=call.context)

    new_home.hass.states.async_set(STUCK_SWITCH, STATE_ON)
    new_home.hass.services.async_register("light", "turn_off", handle)
    new_home.hass.services.async_register("light", "turn_on", handle)
    await add_and_set_up_entry(new_home.hass, new_home.entry)

    await new_home.charger.plug_in()
    await new_home.clock.move_to(FIRST_PAUSE_START)
    assert commands == ["turn_off"]
    # Checked once the latency window is over (ten minutes: the entry sets no latency).
    await new_home.clock.advance(timedelta(minutes=10))
    assert commands == ["turn_off", "turn_off"]
    assert repair_issue(new_home.hass, "charger_not_responding", new_home.entry) is None
    await new_home.clock.advance(timedelta(minutes=10))
    raised = repair_issue(new_home.hass, "charger_not_responding", new_home.entry)
    assert raised is not None
    assert raised.translation_key == "charger_not_responding"
    assert raised.translation_placeholders == {
        ATTR_ENTITY_ID: STUCK_SWITCH,
        "wanted": "off",
        "actual": "on",
    }

    # The next night the charger obeys again: its first command taking effect clears the issue.
    obeying = True
    await new_home.clock.move_to(FIRST_PAUSE_START + timedelta(hours=4))
    await new_home.charger.unplug()
    await new_home.clock.move_to(FIRST_PAUSE_START + timedelta(hours=16))
    await new_home.charger.plug_in()
    await new_home.clock.move_to(FIRST_PAUSE_START + timedelta(days=1))
    assert new_home.hass.states.get(STUCK_SWITCH).state == "off"
    await new_home.clock.advance(timedelta(seconds=30))
    assert repair_issue(new_home.hass, "charger_not_responding", new_home.entry) is None


async def test_other_issues_use_the_plain_flow(hass: HomeAssistant) -> None:
    """Only the consent issue has its own fix flow."""
    flow = await async_create_fix_flow(hass, "charger_not_responding_abc", {"entry_id": "abc"})
    assert isinstance(flow, ConfirmRepairFlow)
    assert not isinstance(flow, ConsentMissingRepairFlow)
    consent = await async_create_fix_flow(hass, "consent_missing_abc", {"entry_id": "abc"})
    assert isinstance(consent, ConsentMissingRepairFlow)
