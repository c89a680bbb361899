"""The end-to-end story's shared state: the clients, the entities found, and readings of them.

The steps (setup_steps.py, sessions.py, restarts.py) are functions of a ``Story``; the test module
runs them in order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .chargers import PLUG, PLUG_2, RELAY, SWITCH, SWITCH_2, Lateness
from .processes import DOMAIN
from .rest import HomeAssistantClient, SimulatorClient, wait_for
from .websocket import HomeAssistantWebSocket

if TYPE_CHECKING:
    import aiohttp

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


def seconds_until(moment: datetime) -> float:
    """Seconds from now until ``moment`` (none if it has passed)."""
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class Story:
    """The state the steps share: the clients, the WebSocket and the entities found."""

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

    async def running(self) -> bool:
        """Whether Home Assistant has finished starting."""
        config = await self.hass.request("GET", "/api/config")
        return bool(config["state"] == "RUNNING")

    async def describe(self) -> str:
        """Return the states that matter, for failure messages."""
        entity_ids = [PLUG, SWITCH, RELAY, self.status_entity, self.pause_entity, PLUG_2, SWITCH_2]
        states = [await self.hass.state(entity_id) for entity_id in entity_ids if entity_id]
        return ", ".join(
            f"{state['entity_id']}={state['state']} (since {state['last_changed']})"
            for state in states
        )

    async def states_are(self, status: str | None, pause: str) -> bool:
        """Whether the first charger's pause sensor is ``pause``, its status ``status`` (or any)."""
        if (await self.hass.state(self.pause_entity))["state"] != pause:
            return False
        return status is None or (await self.hass.state(self.status_entity))["state"] == status

    async def next_pause(
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

    async def relay_last_changed(self) -> datetime:
        """When the simulated charger's relay last changed, as Home Assistant reports it."""
        return parse_time((await self.hass.state(RELAY))["last_changed"])

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
