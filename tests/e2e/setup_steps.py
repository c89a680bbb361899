"""The end-to-end story's setting up: the processes, onboarding, the homes and their chargers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .chargers import (
    CURRENT,
    CURRENT_2,
    PLUG,
    PLUG_2,
    POWER,
    SWITCH,
    SWITCH_2,
    TWIN_COMMAND_LATENCY,
    TWIN_SETUP,
)
from .flows import MPAN, second_charger_flow, simulated_charger_flow
from .processes import DOMAIN, simulator_process
from .rest import wait_for
from .story import (
    HOME_ENTITIES,
    PAUSE_LENGTH,
    PAUSE_OFFSET,
    PLUG_IN_SCHEDULE,
    SECOND_PAUSE_LENGTH,
    SECOND_PAUSE_OFFSET,
    STARTUP_TIMEOUT,
    TIME_ZONE,
)

if TYPE_CHECKING:
    from .story import Story


async def start_processes(story: Story) -> None:
    """Step 1: the simulator with short pauses, and Home Assistant with a fresh config."""
    story.deployment.simulator = simulator_process(
        story.deployment.simulator_port,
        story.deployment.work_dir / "simulator.log",
        "--pause-mode",
        "soon",
        "--soon-offset",
        str(PAUSE_OFFSET),
        "--soon-length",
        str(PAUSE_LENGTH),
    )
    story.deployment.simulator.start()
    await wait_for(story.simulator.state, 30, "the simulator")
    story.log("simulator up")
    await story.start_home_assistant()
    story.log("Home Assistant answering")


async def onboard(story: Story) -> None:
    """Step 1: finish onboarding through the API, as the first visit to the UI does."""
    assert not await story.hass.onboarding_done()
    await story.hass.onboard("Developer", "developer", "e2e-password-1234")
    assert await story.hass.onboarding_done()
    config = await story.hass.request("GET", "/api/config")
    assert config["time_zone"] == str(TIME_ZONE)
    story.log(f"onboarded Home Assistant {config['version']}")
    await wait_for(story.running, STARTUP_TIMEOUT, "Home Assistant to finish starting")
    await story.connect_websocket()
    # The simulated charger: switched on at 16 A, car not plugged in.
    await story.hass.call_service("input_number", "set_value", entity_id=CURRENT, value=16)
    await story.hass.call_service("switch", "turn_on", entity_id=SWITCH)
    assert (await story.hass.state(SWITCH))["state"] == "on"
    assert (await story.hass.state(PLUG))["state"] == "off"
    assert (await story.hass.state(POWER))["state"] == "0"
    await story.hass.call_service("input_number", "set_value", entity_id=CURRENT_2, value=16)
    await story.hass.call_service("switch", "turn_on", entity_id=SWITCH_2)
    assert (await story.hass.state(SWITCH_2))["state"] == "on"
    assert (await story.hass.state(PLUG_2))["state"] == "off"
    story.log("onboarded; simulated chargers on at 16 A, unplugged")


async def add_integration(story: Story) -> str:
    """Step 2: the config flow, form by form, with the charging window around "now"."""
    now = datetime.now(TIME_ZONE)
    flow = await story.hass.run_config_flow(
        DOMAIN,
        simulated_charger_flow(
            story.deployment.simulator_url,
            window_start=now - timedelta(hours=1),
            window_end=now + timedelta(hours=4),
        ),
    )
    assert flow["type"] == "create_entry", flow
    assert flow["title"].startswith("Axle Flex Lite"), flow
    entry_id: str = flow["result"]["entry_id"]

    async def loaded() -> bool:
        entries = await story.hass.config_entries(DOMAIN)
        return [entry["state"] for entry in entries] == ["loaded"]

    await wait_for(loaded, 30, "the config entry to load")
    story.log(f"integration added (entry {entry_id})")
    return entry_id


async def check_onboarded_in_simulator(story: Story) -> None:
    """Step 2: the simulator knows the site, with the charger as an asset, enrolled."""
    state = await story.simulator.state()
    assert list(state["sites"]) == [MPAN], state["sites"]
    site = state["sites"][MPAN]
    assert site["postcode"] == "SW1A 1AA"
    assert "limited_pause" in site["enrolled"], site
    assert len(site["assets"]) == 1, site
    assert await story.simulator.requests(PLUG_IN_SCHEDULE) == []
    story.main_schedule_path = f"{site['assets'][0]['id']}/event/{PLUG_IN_SCHEDULE}"
    story.log("site onboarded and enrolled in the simulator")


async def check_no_repairs(story: Story) -> None:
    """Nothing to repair: none of ours, and none about the HTTP settings the harness wrote."""
    assert story.ws is not None
    listed = await story.ws.command("repairs/list_issues")
    issues = [
        f"{issue['domain']}: {issue['issue_id']}"
        for issue in listed["issues"]
        if issue["domain"] in {"http", DOMAIN}
    ]
    assert issues == [], issues
    story.log("no repair issues")


async def find_entities(story: Story, entry_id: str) -> None:
    """Find the first charger's and the home's entities in the entity registry."""
    story.entry_id = entry_id
    (_,) = await story.charger_subentries(entry_id)
    charger = await story.charger_entities(entry_id, None)
    story.status_entity = charger["status"]
    story.pause_entity = charger["pause_active"]
    story.pause_start_entity = charger["next_pause_start"]
    story.pause_end_entity = charger["next_pause_end"]
    home = await story.charger_entities(entry_id, None, HOME_ENTITIES)
    story.participation_entity = home["participation"]
    story.log(f"entities: {story.status_entity}, {story.pause_entity}")


async def add_second_charger(story: Story) -> None:
    """ "Add charger" on the home: the subentry flow adds its asset to the site at Axle.

    The simulator then gets a pause of its own for that charger only.
    """
    now = datetime.now(TIME_ZONE)
    forms = second_charger_flow(
        window_start=now - timedelta(hours=1), window_end=now + timedelta(hours=4)
    )
    flow = await story.hass.run_subentry_flow(story.entry_id, "charger", forms)
    assert flow["type"] == "create_entry", flow
    subentries = await story.charger_subentries(story.entry_id)
    assert len(subentries) == 2, subentries
    (added,) = [item for item in subentries if item["title"] == flow["title"]]
    assets = (await story.simulator.state())["sites"][MPAN]["assets"]
    assert len(assets) == 2, assets
    first_path = story.main_schedule_path
    (asset,) = [asset for asset in assets if not first_path.startswith(f"{asset['id']}/")]
    # The subentry's unique id is the charger's id at Axle.
    assert added["unique_id"] == asset["external_id"], (added, asset)
    story.second_schedule_path = f"{asset['id']}/event/{PLUG_IN_SCHEDULE}"
    await story.simulator.set_asset_pause(
        asset["external_id"], soon_offset=SECOND_PAUSE_OFFSET, soon_length=SECOND_PAUSE_LENGTH
    )

    # The update listener starts the new charger: its entities show up on their own.
    async def registered() -> dict[str, str] | None:
        try:
            return await story.charger_entities(story.entry_id, added["subentry_id"])
        except AssertionError:
            return None

    story.second = await wait_for(registered, 30, "the second charger's entities")
    assert story.second["status"] != story.status_entity, story.second
    # The first charger's entities are on the home's device; the added one's on its own,
    # under the home's.
    home, first, second = await story.devices_of(
        story.participation_entity, story.status_entity, story.second["status"]
    )
    assert first["id"] == home["id"], (home, first)
    assert second["via_device_id"] == home["id"], (home, second)
    assert second["name"] == flow["title"], second
    story.log(f"second charger added ({story.second['status']}); its own pause at Axle")


async def add_twin_entry(story: Story, profile: str) -> None:
    """Set up a home whose charger is picked as a device: the form fills itself in."""
    assert story.ws is not None
    device_name, _, _, mpan = TWIN_SETUP[profile]
    devices = await story.ws.command("config/device_registry/list")
    (device_id,) = [device["id"] for device in devices if device["name"] == device_name]
    forms = simulated_charger_flow(
        story.deployment.simulator_url,
        window_start=datetime.now(TIME_ZONE) - timedelta(hours=1),
        window_end=datetime.now(TIME_ZONE) + timedelta(hours=4),
    )
    answers = dict(forms)
    flow = await story.hass.start_flow(DOMAIN)
    flow = await story.hass.flow_step(flow["flow_id"], answers["user"])
    flow = await story.hass.flow_step(flow["flow_id"], {**answers["site"], "mpan": mpan})
    assert flow.get("step_id") == "eligibility", flow
    flow = await story.hass.flow_step(flow["flow_id"], {})
    assert flow.get("step_id") == "charger", flow
    flow = await story.hass.flow_step(flow["flow_id"], {"charger_device": device_id})
    assert (flow.get("step_id"), flow.get("errors") or {}) == ("charger", {}), flow
    filled = {
        field["name"]: field["description"]["suggested_value"]
        for field in flow["data_schema"]
        if (field.get("description") or {}).get("suggested_value") is not None
    }
    assert filled["charger_device"] == device_id, filled
    assert filled["plug_entity"], filled
    filled["command_latency"] = TWIN_COMMAND_LATENCY
    flow = await story.hass.flow_step(flow["flow_id"], filled)
    assert flow.get("step_id") == "charger_details", flow
    # The profile's Axle model (if it has one) is offered; taking it as offered.
    offered = {
        field["name"]: field["description"]["suggested_value"]
        for field in flow["data_schema"]
        if (field.get("description") or {}).get("suggested_value") is not None
    }
    flow = await story.hass.flow_step(flow["flow_id"], offered)
    assert flow.get("step_id") == "schedule", flow
    flow = await story.hass.flow_step(flow["flow_id"], answers["schedule"])
    assert flow.get("step_id") == "consent", flow
    flow = await story.hass.flow_step(flow["flow_id"], answers["consent"])
    assert flow["type"] == "create_entry", flow
    story.log(f"{profile}: home set up from the device ({filled['control_kind']})")
