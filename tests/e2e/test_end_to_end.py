"""A real Home Assistant with the integration, driven through its public APIs against the simulator.

The story: onboard Home Assistant, add the integration through the config flow, plug the simulated
car in, watch Axle's pause switch the charger off and on at the right moments (real clock), then
restart Home Assistant in the middle of a second pause and check the charger is back on when the
pause ends; then kill it (SIGKILL: no stop event, nothing saved on the way out) in the middle of a
third pause and check the same, with no second schedule sent to Axle. Alongside the first pause,
a second charger of the same home (added with "Add charger", the charger subentry flow) is plugged
in and gets its own pause at Axle, starting earlier and ending later than the first one's: each
charger is paused and put back on its own schedule, the first while the second stays paused. Two
more homes are set up from their charger's device (the charger step's device picker) with
simulated twins of real chargers, a select-based one and a lagging cloud one, and each is paused
and put back the same way.

Each charger command's lateness against the plan is noted and printed at the end of the run (a
table in the terminal summary): for the helper-based charger, when its relay changed; for the
twins, when the integration's action call reached them (they report it only after their lag).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import aiohttp

from .chargers import (
    CURRENT,
    CURRENT_2,
    PLUG,
    PLUG_2,
    POWER,
    POWER_2,
    RELAY,
    RELAY_2,
    SWITCH,
    SWITCH_2,
    TWIN_CHARGERS,
    TWIN_COMMAND_LATENCY,
    TWIN_SETUP,
    Lateness,
    set_restored_states,
)
from .flows import MPAN, second_charger_flow, simulated_charger_flow
from .processes import DOMAIN, processes_mentioning, simulator_process
from .rest import HomeAssistantClient, SimulatorClient, wait_for
from .websocket import HomeAssistantWebSocket

if TYPE_CHECKING:
    from .conftest import Deployment

# The simulator answers every plug-in with a pause this long, starting this many seconds later.
PAUSE_OFFSET = 20.0
PAUSE_LENGTH = 30.0
# The second charger's own pause at Axle: it starts before the first charger's and ends after it.
SECOND_PAUSE_OFFSET = 10.0
SECOND_PAUSE_LENGTH = 50.0
# How far from a pause boundary the charger may switch (the integration aims for the exact moment).
BOUNDARY_TOLERANCE = timedelta(seconds=2)
STARTUP_TIMEOUT = 120.0
# Home Assistant restarts this far into the second pause (it starts in a few seconds here).
RESTART_INTO_PAUSE = timedelta(seconds=5)

TIME_ZONE = ZoneInfo("Europe/London")  # as in tests/e2e/config/configuration.yaml
PLUG_IN_SCHEDULE = "plug-in-schedule"


# The entities looked up per charger, and on the home itself. The home's first charger's entities
# belong to the entry and sit on the home's device, as the home's do; an added charger's belong to
# its subentry and sit on its own device.
CHARGER_ENTITIES = (
    ("sensor", "status"),
    ("binary_sensor", "pause_active"),
    ("sensor", "next_pause_start"),
    ("sensor", "next_pause_end"),
)
HOME_ENTITIES = (("switch", "participation"),)


def log_step(message: str, started: float) -> None:
    """Print progress with the elapsed time, so a failure shows how far the story got."""
    print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 timestamp from either process."""
    return datetime.fromisoformat(value)


def whole_second_after(moment: datetime) -> datetime:
    """The simulator's "now" for a pause: the request's time, up to the next whole second."""
    if moment.microsecond:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def assert_near(actual: datetime, expected: datetime, what: str) -> None:
    """Fail unless ``actual`` is within the boundary tolerance of ``expected``."""
    off_by = actual - expected
    assert abs(off_by) <= BOUNDARY_TOLERANCE, (
        f"{what} at {actual.isoformat()}, {off_by.total_seconds():+.2f} s from the pause boundary "
        f"{expected.isoformat()}"
    )


class Story:
    """The end-to-end scenario, one method per step, sharing the clients."""

    def __init__(
        self, deployment: Deployment, session: aiohttp.ClientSession, lateness: list[Lateness]
    ) -> None:
        """Bind the scenario to a deployment and an HTTP session; note lateness in ``lateness``."""
        self.deployment = deployment
        self.lateness = lateness
        self.session = session
        self.hass = HomeAssistantClient(session, deployment.hass_url)
        self.simulator = SimulatorClient(session, deployment.simulator_url)
        self.ws: HomeAssistantWebSocket | None = None
        self.started = time.monotonic()
        self.status_entity = ""
        self.pause_entity = ""
        self.pause_start_entity = ""
        self.pause_end_entity = ""
        self.participation_entity = ""
        self.main_schedule_path = PLUG_IN_SCHEDULE
        self.entry_id = ""
        # The second charger's status, pause_active, next_pause_start and next_pause_end.
        self.second: dict[str, str] = {}
        self.second_schedule_path = PLUG_IN_SCHEDULE

    def log(self, message: str) -> None:
        """Print one line of progress."""
        log_step(message, self.started)

    def note(self, edge: str, planned: datetime, reached: datetime) -> None:
        """Note how late a command reached the charger."""
        self.lateness.append(Lateness(edge, planned, reached))

    def relay_changed(self, state: str, after: datetime, relay: str = RELAY) -> datetime:
        """When the simulated charger's relay (what our switch commands) went to ``state``."""
        assert self.ws is not None
        return next(
            change.changed_at
            for change in self.ws.changes[relay]
            if change.state == state and change.changed_at > after
        )

    async def start_home_assistant(self) -> None:
        """Start ``hass`` and wait until its HTTP server answers."""
        process = self.deployment.hass
        process.start()

        async def answering() -> bool:
            if not process.running:
                raise AssertionError(f"hass exited with code {process.stop()} while starting")
            return await self.hass.is_up()

        await wait_for(answering, STARTUP_TIMEOUT, "Home Assistant's HTTP server")

    async def connect_websocket(self) -> HomeAssistantWebSocket:
        """Open a WebSocket with the current token and subscribe to state changes."""
        assert self.hass.access_token
        self.ws = HomeAssistantWebSocket(self.session, self.hass.base_url, self.hass.access_token)
        await self.ws.connect()
        return self.ws

    async def start_processes(self) -> None:
        """Step 1: the simulator with short pauses, and Home Assistant with a fresh config."""
        self.deployment.simulator = simulator_process(
            self.deployment.simulator_port,
            self.deployment.work_dir / "simulator.log",
            "--pause-mode",
            "soon",
            "--soon-offset",
            str(PAUSE_OFFSET),
            "--soon-length",
            str(PAUSE_LENGTH),
        )
        self.deployment.simulator.start()
        await wait_for(self.simulator.state, 30, "the simulator")
        self.log("simulator up")
        await self.start_home_assistant()
        self.log("Home Assistant answering")

    async def onboard(self) -> None:
        """Step 1: finish onboarding through the API, as the first visit to the UI does."""
        assert not await self.hass.onboarding_done()
        await self.hass.onboard("Developer", "developer", "e2e-password-1234")
        assert await self.hass.onboarding_done()
        config = await self.hass.request("GET", "/api/config")
        assert config["time_zone"] == str(TIME_ZONE)
        self.log(f"onboarded Home Assistant {config['version']}")
        await wait_for(self._running, STARTUP_TIMEOUT, "Home Assistant to finish starting")
        await self.connect_websocket()
        # The simulated charger: switched on at 16 A, car not plugged in.
        await self.hass.call_service("input_number", "set_value", entity_id=CURRENT, value=16)
        await self.hass.call_service("switch", "turn_on", entity_id=SWITCH)
        assert (await self.hass.state(SWITCH))["state"] == "on"
        assert (await self.hass.state(PLUG))["state"] == "off"
        assert (await self.hass.state(POWER))["state"] == "0"
        await self.hass.call_service("input_number", "set_value", entity_id=CURRENT_2, value=16)
        await self.hass.call_service("switch", "turn_on", entity_id=SWITCH_2)
        assert (await self.hass.state(SWITCH_2))["state"] == "on"
        assert (await self.hass.state(PLUG_2))["state"] == "off"
        self.log("onboarded; simulated chargers on at 16 A, unplugged")

    async def _running(self) -> bool:
        config = await self.hass.request("GET", "/api/config")
        return bool(config["state"] == "RUNNING")

    async def add_integration(self) -> str:
        """Step 2: the config flow, form by form, with the charging window around "now"."""
        now = datetime.now(TIME_ZONE)
        flow = await self.hass.run_config_flow(
            DOMAIN,
            simulated_charger_flow(
                self.deployment.simulator_url,
                window_start=now - timedelta(hours=1),
                window_end=now + timedelta(hours=4),
            ),
        )
        assert flow["type"] == "create_entry", flow
        assert flow["title"].startswith("Axle Flex Lite"), flow
        entry_id: str = flow["result"]["entry_id"]

        async def loaded() -> bool:
            entries = await self.hass.config_entries(DOMAIN)
            return [entry["state"] for entry in entries] == ["loaded"]

        await wait_for(loaded, 30, "the config entry to load")
        self.log(f"integration added (entry {entry_id})")
        return entry_id

    async def check_onboarded_in_simulator(self) -> None:
        """Step 2: the simulator knows the site, with the charger as an asset, enrolled."""
        state = await self.simulator.state()
        assert list(state["sites"]) == [MPAN], state["sites"]
        site = state["sites"][MPAN]
        assert site["postcode"] == "SW1A 1AA"
        assert "limited_pause" in site["enrolled"], site
        assert len(site["assets"]) == 1, site
        assert await self.simulator.requests(PLUG_IN_SCHEDULE) == []
        self.main_schedule_path = f"{site['assets'][0]['id']}/event/{PLUG_IN_SCHEDULE}"
        self.log("site onboarded and enrolled in the simulator")

    async def check_no_repairs(self) -> None:
        """Nothing to repair: none of ours, and none about the HTTP settings the harness wrote."""
        assert self.ws is not None
        listed = await self.ws.command("repairs/list_issues")
        issues = [
            f"{issue['domain']}: {issue['issue_id']}"
            for issue in listed["issues"]
            if issue["domain"] in {"http", DOMAIN}
        ]
        assert issues == [], issues
        self.log("no repair issues")

    async def add_twin_entry(self, profile: str) -> None:
        """Set up a home whose charger is picked as a device: the form fills itself in."""
        assert self.ws is not None
        device_name, _, _, mpan = TWIN_SETUP[profile]
        devices = await self.ws.command("config/device_registry/list")
        (device_id,) = [device["id"] for device in devices if device["name"] == device_name]
        forms = simulated_charger_flow(
            self.deployment.simulator_url,
            window_start=datetime.now(TIME_ZONE) - timedelta(hours=1),
            window_end=datetime.now(TIME_ZONE) + timedelta(hours=4),
        )
        answers = dict(forms)
        flow = await self.hass.start_flow(DOMAIN)
        flow = await self.hass.flow_step(flow["flow_id"], answers["user"])
        flow = await self.hass.flow_step(flow["flow_id"], {**answers["site"], "mpan": mpan})
        assert flow.get("step_id") == "eligibility", flow
        flow = await self.hass.flow_step(flow["flow_id"], {})
        assert flow.get("step_id") == "charger", flow
        flow = await self.hass.flow_step(flow["flow_id"], {"charger_device": device_id})
        assert (flow.get("step_id"), flow.get("errors") or {}) == ("charger", {}), flow
        filled = {
            field["name"]: field["description"]["suggested_value"]
            for field in flow["data_schema"]
            if (field.get("description") or {}).get("suggested_value") is not None
        }
        assert filled["charger_device"] == device_id, filled
        assert filled["plug_entity"], filled
        filled["command_latency"] = TWIN_COMMAND_LATENCY
        flow = await self.hass.flow_step(flow["flow_id"], filled)
        assert flow.get("step_id") == "charger_details", flow
        # The profile's Axle model (if it has one) is offered; taking it as offered.
        offered = {
            field["name"]: field["description"]["suggested_value"]
            for field in flow["data_schema"]
            if (field.get("description") or {}).get("suggested_value") is not None
        }
        flow = await self.hass.flow_step(flow["flow_id"], offered)
        assert flow.get("step_id") == "schedule", flow
        flow = await self.hass.flow_step(flow["flow_id"], answers["schedule"])
        assert flow.get("step_id") == "consent", flow
        flow = await self.hass.flow_step(flow["flow_id"], answers["consent"])
        assert flow["type"] == "create_entry", flow
        self.log(f"{profile}: home set up from the device ({filled['control_kind']})")

    async def run_twin(self, profile: str) -> None:
        """Plug the twin in; its control goes to paused for Axle's pause, then back as it was."""
        assert self.ws is not None
        _, entity_id, paused, mpan = TWIN_SETUP[profile]
        lag = timedelta(seconds=TWIN_CHARGERS[profile]["lag"])
        before = (await self.hass.state(entity_id))["state"]
        plugged_at = datetime.now(UTC)
        site = (await self.simulator.state())["sites"][mpan]
        schedule_path = f"{site['assets'][0]['id']}/event/{PLUG_IN_SCHEDULE}"
        await self.hass.call_service("sim_charger", "plug_in", profile=profile)
        (request,) = await wait_for(
            lambda: self.simulator.requests(schedule_path), 15, f"{profile}'s plug-in schedule"
        )
        pause_start = whole_second_after(parse_time(request["at"])) + timedelta(
            seconds=PAUSE_OFFSET
        )
        pause_end = pause_start + timedelta(seconds=PAUSE_LENGTH)
        within = PAUSE_OFFSET + PAUSE_LENGTH + 30
        off = await self.ws.wait_for_change(entity_id, paused, after=plugged_at, within=within)
        # The charger reports the command after its lag, under its own context: not an override.
        assert (
            pause_start - BOUNDARY_TOLERANCE
            <= off.changed_at
            <= pause_start + lag + (BOUNDARY_TOLERANCE)
        ), (profile, off.changed_at, pause_start)
        back = await self.ws.wait_for_change(entity_id, before, after=off.changed_at, within=within)
        assert (
            pause_end - BOUNDARY_TOLERANCE
            <= back.changed_at
            <= pause_end + lag + (BOUNDARY_TOLERANCE)
        ), (profile, back.changed_at, pause_end)
        changes = [c.state for c in self.ws.changes[entity_id] if c.changed_at > plugged_at]
        assert changes == [paused, before], (profile, changes)
        pause_call = self.ws.first_call_to(entity_id, after=plugged_at)
        assert pause_call is not None, profile
        put_back = self.ws.first_call_to(entity_id, after=pause_call.at)
        assert put_back is not None, profile
        self.note(f"{profile} pause start", pause_start, pause_call.at)
        self.note(f"{profile} pause end", pause_end, put_back.at)
        await self.hass.call_service("sim_charger", "unplug", profile=profile)
        self.log(f"{profile}: {entity_id} {before} -> {paused} -> {before} with Axle's pause")

    async def charger_entities(
        self,
        entry_id: str,
        subentry_id: str | None,
        keys: tuple[tuple[str, str], ...] = CHARGER_ENTITIES,
    ) -> dict[str, str]:
        """Return entities by key, from the registry: those of ``keys`` registered under the
        subentry ``subentry_id`` (``None``: the entry's own: the home's and its first charger's).
        """
        assert self.ws is not None
        registry: list[dict[str, Any]] = await self.ws.command("config/entity_registry/list")
        ours = [
            item
            for item in registry
            if item["platform"] == DOMAIN
            and item["config_entry_id"] == entry_id
            and item.get("config_subentry_id") == subentry_id
        ]
        found: dict[str, str] = {}
        for domain, key in keys:
            matches = [
                item["entity_id"]
                for item in ours
                if item["entity_id"].startswith(f"{domain}.")
                and (item["translation_key"] == key or item["unique_id"].endswith(f"_{key}"))
            ]
            assert len(matches) == 1, f"{domain} {key}: {matches} among {ours}"
            found[key] = str(matches[0])
        return found

    async def devices_of(self, *entity_ids: str) -> list[dict[str, Any]]:
        """Return the device of each entity, from the registries."""
        assert self.ws is not None
        registry: list[dict[str, Any]] = await self.ws.command("config/entity_registry/list")
        device_ids = {item["entity_id"]: item["device_id"] for item in registry}
        devices = {
            device["id"]: device for device in await self.ws.command("config/device_registry/list")
        }
        return [devices[device_ids[entity_id]] for entity_id in entity_ids]

    async def charger_subentries(self, entry_id: str) -> list[dict[str, Any]]:
        """Return the home's charger subentries, as the entry's page lists them."""
        assert self.ws is not None
        listed: list[dict[str, Any]] = await self.ws.command(
            "config_entries/subentries/list", entry_id=entry_id
        )
        return [item for item in listed if item["subentry_type"] == "charger"]

    async def find_entities(self, entry_id: str) -> None:
        """Find the first charger's and the home's entities in the entity registry."""
        self.entry_id = entry_id
        (_,) = await self.charger_subentries(entry_id)
        charger = await self.charger_entities(entry_id, None)
        self.status_entity = charger["status"]
        self.pause_entity = charger["pause_active"]
        self.pause_start_entity = charger["next_pause_start"]
        self.pause_end_entity = charger["next_pause_end"]
        home = await self.charger_entities(entry_id, None, HOME_ENTITIES)
        self.participation_entity = home["participation"]
        self.log(f"entities: {self.status_entity}, {self.pause_entity}")

    async def add_second_charger(self) -> None:
        """ "Add charger" on the home: the subentry flow adds its asset to the site at Axle.

        The simulator then gets a pause of its own for that charger only.
        """
        now = datetime.now(TIME_ZONE)
        forms = second_charger_flow(
            window_start=now - timedelta(hours=1), window_end=now + timedelta(hours=4)
        )
        flow = await self.hass.run_subentry_flow(self.entry_id, "charger", forms)
        assert flow["type"] == "create_entry", flow
        subentries = await self.charger_subentries(self.entry_id)
        assert len(subentries) == 2, subentries
        (added,) = [item for item in subentries if item["title"] == flow["title"]]
        assets = (await self.simulator.state())["sites"][MPAN]["assets"]
        assert len(assets) == 2, assets
        first_path = self.main_schedule_path
        (asset,) = [asset for asset in assets if not first_path.startswith(f"{asset['id']}/")]
        # The subentry's unique id is the charger's id at Axle.
        assert added["unique_id"] == asset["external_id"], (added, asset)
        self.second_schedule_path = f"{asset['id']}/event/{PLUG_IN_SCHEDULE}"
        await self.simulator.set_asset_pause(
            asset["external_id"], soon_offset=SECOND_PAUSE_OFFSET, soon_length=SECOND_PAUSE_LENGTH
        )

        # The update listener starts the new charger: its entities show up on their own.
        async def registered() -> dict[str, str] | None:
            try:
                return await self.charger_entities(self.entry_id, added["subentry_id"])
            except AssertionError:
                return None

        self.second = await wait_for(registered, 30, "the second charger's entities")
        assert self.second["status"] != self.status_entity, self.second
        # The first charger's entities are on the home's device; the added one's on its own,
        # under the home's.
        home, first, second = await self.devices_of(
            self.participation_entity, self.status_entity, self.second["status"]
        )
        assert first["id"] == home["id"], (home, first)
        assert second["via_device_id"] == home["id"], (home, second)
        assert second["name"] == flow["title"], second
        self.log(f"second charger added ({self.second['status']}); its own pause at Axle")

    async def plug_in(
        self, start: tuple[str, str] = ("input_boolean", PLUG)
    ) -> tuple[datetime, datetime]:
        """Plug the car in; return the pause Axle (the simulator) cut into the schedule.

        ``start`` is what is turned on to start the session: the plug, or Flex Lite itself.
        """
        before = len(await self.simulator.requests(self.main_schedule_path))
        await self.hass.call_service(start[0], "turn_on", entity_id=start[1])

        async def new_request() -> list[dict[str, Any]] | None:
            requests = await self.simulator.requests(self.main_schedule_path)
            return requests if len(requests) > before else None

        requests = await wait_for(new_request, 15, "the plug-in schedule to reach the simulator")
        assert len(requests) == before + 1, requests
        expected_start = parse_time(requests[-1]["at"]) + timedelta(seconds=PAUSE_OFFSET)

        # The integration shows the pause from the simulator's answer. The simulator starts pauses
        # on whole seconds and timestamp sensors show whole seconds, so the sensors give the exact
        # boundaries; they must agree with the time of the request.
        async def announced() -> tuple[datetime, datetime] | None:
            pause = await self._next_pause()
            if pause is None or abs(pause[0] - expected_start) > timedelta(seconds=1.5):
                return None
            return pause

        pause_start, pause_end = await wait_for(announced, 10, "the integration to show the pause")
        assert pause_end - pause_start == timedelta(seconds=PAUSE_LENGTH)
        self.log(f"plug-in schedule sent; pause {pause_start:%H:%M:%S}-{pause_end:%H:%M:%S}")
        status = (await self.hass.state(self.status_entity))["state"]
        assert status in {"waiting", "charging"}, status
        assert (await self.hass.state(self.pause_entity))["state"] == "off"
        assert (await self.hass.state(SWITCH))["state"] == "on"
        return pause_start, pause_end

    async def _next_pause(
        self, entities: dict[str, str] | None = None
    ) -> tuple[datetime, datetime] | None:
        """Return the pause shown by the next-pause start and end sensors, if both are set.

        The first charger's sensors, or those of ``entities`` (the second charger's).
        """
        start_entity, end_entity = self.pause_start_entity, self.pause_end_entity
        if entities is not None:
            start_entity, end_entity = entities["next_pause_start"], entities["next_pause_end"]
        start = (await self.hass.state(start_entity))["state"]
        end = (await self.hass.state(end_entity))["state"]
        if {start, end} & {"unknown", "unavailable"}:
            return None
        return parse_time(start), parse_time(end)

    async def watch_pause(self, pause_start: datetime, pause_end: datetime) -> None:
        """Step 3: the charger goes off at the pause start and on at its end; sensors follow."""
        assert self.ws is not None
        plugged_at = datetime.now(UTC)
        wait = (pause_end - plugged_at).total_seconds() + 10
        off = await self.ws.wait_for_change(SWITCH, "off", after=plugged_at, within=wait)
        assert_near(off.changed_at, pause_start, "the charger switched off")
        self.log(f"charger off {(off.changed_at - pause_start).total_seconds():+.2f} s from start")
        await wait_for(lambda: self._states_are("paused", "on"), 5, "status paused, pause on")
        assert (await self.hass.state(POWER))["state"] == "0"

        on = await self.ws.wait_for_change(SWITCH, "on", after=off.changed_at, within=wait)
        assert_near(on.changed_at, pause_end, "the charger switched back on")
        self.log(f"charger on {(on.changed_at - pause_end).total_seconds():+.2f} s from end")
        await wait_for(lambda: self._states_are(None, "off"), 5, "pause sensor off")
        status = (await self.hass.state(self.status_entity))["state"]
        assert status == "charging", status
        power = float((await self.hass.state(POWER))["state"])
        assert power == 16 * 230, power
        switch_changes = [
            change.state for change in self.ws.changes[SWITCH] if change.changed_at > plugged_at
        ]
        assert switch_changes == ["off", "on"], switch_changes
        self.note("pause 1 start", pause_start, self.relay_changed("off", plugged_at))
        self.note("pause 1 end", pause_end, self.relay_changed("on", off.changed_at))

    async def run_second_charger(self, first_pause: tuple[datetime, datetime]) -> None:
        """Plug the second car in while the first charges; its own pause brackets the first's.

        Its pause starts before the first charger's and ends after it: the first charger is put
        back on at its own pause end while the second stays paused, and the second is put back at
        its end, each exactly once and without touching the other.
        """
        assert self.ws is not None
        plugged_at = datetime.now(UTC)
        await self.hass.call_service("input_boolean", "turn_on", entity_id=PLUG_2)
        (request,) = await wait_for(
            lambda: self.simulator.requests(self.second_schedule_path),
            15,
            "the second charger's plug-in schedule",
        )
        expected_start = parse_time(request["at"]) + timedelta(seconds=SECOND_PAUSE_OFFSET)

        async def announced() -> tuple[datetime, datetime] | None:
            pause = await self._next_pause(self.second)
            if pause is None or abs(pause[0] - expected_start) > timedelta(seconds=1.5):
                return None
            return pause

        pause_start, pause_end = await wait_for(announced, 10, "the second charger's pause to show")
        assert pause_end - pause_start == timedelta(seconds=SECOND_PAUSE_LENGTH)
        first_start, first_end = first_pause
        assert pause_start < first_start, (pause_start, first_pause)
        assert pause_end > first_end, (pause_end, first_pause)
        self.log(f"second charger: pause {pause_start:%H:%M:%S}-{pause_end:%H:%M:%S}")

        wait = (pause_end - datetime.now(UTC)).total_seconds() + 10
        off = await self.ws.wait_for_change(SWITCH_2, "off", after=plugged_at, within=wait)
        assert_near(off.changed_at, pause_start, "the second charger switched off")
        # Its pause began on its own: the first charger went off only later, at its own start.
        first_off = await self.ws.wait_for_change(SWITCH, "off", after=plugged_at, within=wait)
        assert first_off.changed_at > off.changed_at + BOUNDARY_TOLERANCE, (first_off, off)
        # The first charger's pause ends (watch_pause checks it is back on then) while this one
        # stays paused.
        first_on = await self.ws.wait_for_change(SWITCH, "on", after=first_start, within=wait)
        assert first_on.changed_at < pause_end - BOUNDARY_TOLERANCE, first_on
        await asyncio.sleep(1)  # a command to the wrong charger would show within a second
        assert (await self.hass.state(SWITCH_2))["state"] == "off", await self.describe()
        assert (await self.hass.state(self.second["pause_active"]))["state"] == "on"
        assert (await self.hass.state(self.second["status"]))["state"] == "paused"
        self.log("first charger back on; the second still paused")

        on = await self.ws.wait_for_change(SWITCH_2, "on", after=off.changed_at, within=wait)
        assert_near(on.changed_at, pause_end, "the second charger switched back on")

        async def charging() -> bool:
            status = (await self.hass.state(self.second["status"]))["state"]
            pause = (await self.hass.state(self.second["pause_active"]))["state"]
            return bool(status == "charging" and pause == "off")

        await wait_for(charging, 5, "the second charger's status charging, pause off")
        assert float((await self.hass.state(POWER_2))["state"]) == 16 * 230
        changes = [c.state for c in self.ws.changes[SWITCH_2] if c.changed_at > plugged_at]
        assert changes == ["off", "on"], changes
        first_changes = [c.state for c in self.ws.changes[SWITCH] if c.changed_at > plugged_at]
        assert first_changes == ["off", "on"], first_changes
        assert len(await self.simulator.requests(self.second_schedule_path)) == 1
        self.note(
            "charger 2 pause start", pause_start, self.relay_changed("off", plugged_at, RELAY_2)
        )
        self.note(
            "charger 2 pause end", pause_end, self.relay_changed("on", off.changed_at, RELAY_2)
        )
        # Unplugged now, so the later steps' sessions are the first charger's alone.
        await self.hass.call_service("input_boolean", "turn_off", entity_id=PLUG_2)
        self.log("second charger: off and on with its own pause, then unplugged")

    async def describe(self) -> str:
        """Return the states that matter, for failure messages."""
        entity_ids = [PLUG, SWITCH, RELAY, self.status_entity, self.pause_entity, PLUG_2, SWITCH_2]
        states = [await self.hass.state(entity_id) for entity_id in entity_ids if entity_id]
        return ", ".join(
            f"{state['entity_id']}={state['state']} (since {state['last_changed']})"
            for state in states
        )

    async def _states_are(self, status: str | None, pause: str) -> bool:
        if (await self.hass.state(self.pause_entity))["state"] != pause:
            return False
        return status is None or (await self.hass.state(self.status_entity))["state"] == status

    async def restart_during_second_pause(self) -> None:
        """Step 4: unplug, plug in again, and restart Home Assistant while that pause runs."""
        assert self.ws is not None
        await self.hass.call_service("input_boolean", "turn_off", entity_id=PLUG)
        # An unplug counts once it has lasted the settle time (60 s by default).
        await wait_for(lambda: self._states_are("unplugged", "off"), 75, "status unplugged")
        self.log("unplugged")
        pause_start, pause_end = await self.plug_in()
        assert len(await self.simulator.requests(self.main_schedule_path)) == 2

        wait = (pause_end - datetime.now(UTC)).total_seconds()
        off = await self.ws.wait_for_change(
            SWITCH, "off", after=pause_start - timedelta(seconds=5), within=wait
        )
        assert_near(off.changed_at, pause_start, "the charger switched off (second pause)")
        self.note(
            "pause 2 start",
            pause_start,
            self.relay_changed("off", pause_start - BOUNDARY_TOLERANCE),
        )
        # Restart a few seconds into the pause, once everything has settled on "paused".
        await wait_for(lambda: self._states_are("paused", "on"), 5, "status paused, pause on")
        await asyncio.sleep(_seconds_until(pause_start + RESTART_INTO_PAUSE))
        self.log("second pause running; restarting Home Assistant")
        await self.ws.close()
        self.ws = None

        exit_code = await asyncio.to_thread(self.deployment.hass.stop)
        assert exit_code == 0, f"hass exited with {exit_code}"
        assert not self.deployment.hass.group_alive()
        self.log("Home Assistant stopped")
        await self.start_home_assistant()
        await self.hass.refresh()
        await wait_for(self._running, STARTUP_TIMEOUT, "Home Assistant to finish starting again")
        self.log(f"Home Assistant back; pause ends in {_seconds_until(pause_end):.1f} s")
        assert datetime.now(UTC) < pause_end, "the restart took longer than the pause"

        await self.wait_until_back_on(pause_end)
        self.note("pause 2 end, after a restart", pause_end, await self._relay_last_changed())
        self.log("charger back on after the restart")
        await wait_for(lambda: self._states_are(None, "off"), 5, "pause sensor off")

    async def wait_until_back_on(self, pause_end: datetime) -> None:
        """Wait for the charger to be switched back on, at the latest just after ``pause_end``."""

        async def charger_on() -> bool:
            return bool((await self.hass.state(SWITCH))["state"] == "on")

        deadline = pause_end + BOUNDARY_TOLERANCE
        try:
            await wait_for(charger_on, _seconds_until(deadline), "the charger to be back on")
        except AssertionError as err:
            raise AssertionError(f"{err}; now {await self.describe()}") from None
        assert datetime.now(UTC) <= deadline + timedelta(seconds=0.5)

    async def _relay_last_changed(self) -> datetime:
        return parse_time((await self.hass.state(RELAY))["last_changed"])

    async def restart_after_kill(self, pause_end: datetime) -> None:
        """Start Home Assistant again after a kill, with the charger as a kill leaves it."""
        # A real charger is still paused, with the car in; the simulated one is told so.
        set_restored_states(self.deployment.config_dir, {PLUG: "on", RELAY: "off"})
        await self.start_home_assistant()
        await self.hass.refresh()
        await wait_for(self._running, STARTUP_TIMEOUT, "Home Assistant to finish starting again")
        self.log(f"Home Assistant back; pause ends in {_seconds_until(pause_end):.1f} s")
        assert datetime.now(UTC) < pause_end, "the restart took longer than the pause"

    async def kill_during_third_pause(self) -> None:
        """Step 5: a new session (Flex Lite off and on again), and a SIGKILL while its pause runs.

        Nothing is put back and nothing saved on the way out; after the restart the stored pause
        runs to its end, the charger is switched back on then, and Axle hears nothing more.
        """
        await self.connect_websocket()
        assert self.ws is not None
        participation = ("switch", self.participation_entity)
        await self.hass.call_service("switch", "turn_off", entity_id=self.participation_entity)
        await wait_for(
            lambda: self._states_are("not_participating", "off"), 10, "Flex Lite switched off"
        )
        pause_start, pause_end = await self.plug_in(participation)
        sent = len(await self.simulator.requests(self.main_schedule_path))
        assert sent == 3, sent
        wait = (pause_end - datetime.now(UTC)).total_seconds()
        after = pause_start - timedelta(seconds=5)
        off = await self.ws.wait_for_change(SWITCH, "off", after=after, within=wait)
        assert_near(off.changed_at, pause_start, "the charger switched off (third pause)")
        self.note("pause 3 start", pause_start, self.relay_changed("off", after))
        await wait_for(lambda: self._states_are("paused", "on"), 5, "status paused, pause on")
        self.log("third pause running; killing Home Assistant (SIGKILL)")
        await self.ws.close()
        self.ws = None
        exit_code = await asyncio.to_thread(self.deployment.hass.kill)
        assert exit_code == -9, f"hass exited with {exit_code}"
        assert not self.deployment.hass.group_alive()
        await self.restart_after_kill(pause_end)
        assert (await self.hass.state(RELAY))["state"] == "off", await self.describe()

        await self.wait_until_back_on(pause_end)
        back_on = await self._relay_last_changed()
        assert_near(back_on, pause_end, "the charger switched back on after the kill")
        self.note("pause 3 end, after a kill", pause_end, back_on)
        await wait_for(lambda: self._states_are("charging", "off"), 5, "status charging")
        assert float((await self.hass.state(CURRENT))["state"]) == 16
        assert len(await self.simulator.requests(self.main_schedule_path)) == sent
        self.log("charger back on after the kill; no second schedule")

    async def stop_everything(self) -> None:
        """Step 6: stop both processes and make sure nothing of them is left."""
        for process in self.deployment.processes():
            exit_code = await asyncio.to_thread(process.stop)
            assert not process.group_alive(), f"{process.name} left processes behind"
            self.log(f"{process.name} stopped (exit code {exit_code})")
        leftovers = processes_mentioning(str(self.deployment.config_dir)) + processes_mentioning(
            f"--port {self.deployment.simulator_port}"
        )
        assert leftovers == [], leftovers


def _seconds_until(moment: datetime) -> float:
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


async def run_story(deployment: Deployment, lateness: list[Lateness]) -> None:
    """Run every step in order."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        story = Story(deployment, session, lateness)
        await story.start_processes()
        await story.onboard()
        entry_id = await story.add_integration()
        await story.check_onboarded_in_simulator()
        await story.check_no_repairs()
        await story.find_entities(entry_id)
        await story.add_second_charger()
        for profile in TWIN_CHARGERS:
            await story.add_twin_entry(profile)
        pause_start, pause_end = await story.plug_in()
        assert len(await story.simulator.requests(story.main_schedule_path)) == 1
        # The second charger's and the twins' sessions run alongside the first pause.
        others = asyncio.gather(
            story.run_second_charger((pause_start, pause_end)),
            *(story.run_twin(profile) for profile in TWIN_CHARGERS),
        )
        await story.watch_pause(pause_start, pause_end)
        await others
        assert len(await story.simulator.requests(story.main_schedule_path)) == 1
        await story.restart_during_second_pause()
        await story.kill_during_third_pause()
        await story.stop_everything()


def test_plug_in_pause_and_restart(deployment: Deployment, lateness: list[Lateness]) -> None:
    """The whole story against a real Home Assistant; about three minutes."""
    assert Path(deployment.config_dir, "custom_components", DOMAIN).is_symlink()
    asyncio.run(run_story(deployment, lateness))
