"""Processes and clients for the end-to-end test: a real Home Assistant and the Axle simulator.

Everything here talks to the two processes the way a person's browser would: Home Assistant's
public REST and WebSocket APIs, and the simulator's HTTP endpoints. Nothing comes from the
integration's own code.
"""

from __future__ import annotations

import asyncio
from collections import deque
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, time
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
from time import monotonic
from typing import TYPE_CHECKING, Any

import aiohttp

from tests.sim_charger.install import install as install_sim_chargers

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

REPO = Path(__file__).resolve().parents[2]
CONFIG_TEMPLATE = Path(__file__).parent / "config" / "configuration.yaml"
DOMAIN = "axle_flex_lite"
LOOPBACK = "127.0.0.1"
# The HTTP server's address, for configuration.yaml on releases that read it from there.
HTTP_YAML = "\nhttp:\n  server_host: {host}\n  server_port: {port}\n"
POLL_INTERVAL = 0.2

# The simulated charger of tests/e2e/config/configuration.yaml.
PLUG = "input_boolean.ev_plugged_in"
RELAY = "input_boolean.ev_charger_relay"
SWITCH = "switch.ev_charger"
CURRENT = "input_number.ev_charging_current"
POWER = "sensor.ev_charger_power"
# The second car's charger, the same kind, added to the same home as a charger subentry.
PLUG_2 = "input_boolean.ev_2_plugged_in"
RELAY_2 = "input_boolean.ev_charger_2_relay"
SWITCH_2 = "switch.ev_charger_2"
CURRENT_2 = "input_number.ev_charger_2_current"
POWER_2 = "sensor.ev_charger_2_power"

# Simulated twins of real chargers (tests/sim_charger) besides the helper-based charger: a
# select-based charger (zappi) and a lagging cloud charger (Pod Point). Their report lag is cut to
# seconds so the real clock can wait for it; the form's command latency is set to match.
TWIN_CHARGERS: dict[str, dict[str, Any]] = {"zappi": {"lag": 3.0}, "pod_point": {"lag": 6.0}}
TWIN_COMMAND_LATENCY = 10
# Each twin: its device's name, the entity that pauses it and the value that means paused, and
# the home (MPAN core) it is set up for.
TWIN_SETUP: dict[str, tuple[str, str, str, str]] = {
    "zappi": ("Zappi 12345678", "select.zappi_12345678_charge_mode", "Stopped", "2000012345690"),
    "pod_point": ("Pod Point", "switch.pod_point_charging_allowed", "off", "2000012345706"),
}

# The simulator's default account, and a home it accepts (a valid MPAN core).
SIM_USERNAME = "ha-partner"
SIM_PASSWORD = "sim-password"
MPAN = "2000012345672"


def simulated_charger_flow(
    simulator_url: str, *, window_start: datetime | time, window_end: datetime | time
) -> list[tuple[str, dict[str, Any]]]:
    """Return the config flow's forms and answers for the simulated charger and the simulator."""
    return [
        (
            "user",
            {
                "environment": "custom",
                "username": SIM_USERNAME,
                "password": SIM_PASSWORD,
                "base_url": simulator_url,
            },
        ),
        (
            "site",
            {
                "mpan": MPAN,
                "street_address": "1 Test Street, London",
                "postcode": "sw1a1aa",
                "email": "driver@example.com",
            },
        ),
        # The simulator's meter table does not list this MPAN: a half-hourly-settled home.
        ("eligibility", {}),
        (
            "charger",
            {
                "plug_entity": PLUG,
                "switch_entity": SWITCH,
                "current_entity": CURRENT,
                "power_kw": 7.4,
            },
        ),
        ("charger_details", {"asset_model": "axle_charger_v1"}),  # a model Axle knows
        (
            "schedule",
            {
                "window_start": window_start.strftime("%H:%M:00"),
                "window_end": window_end.strftime("%H:%M:00"),
                "control_mode": "pause_only",
            },
        ),
        ("consent", {"consent": True}),
    ]


def second_charger_flow(
    *, window_start: datetime | time, window_end: datetime | time
) -> list[tuple[str, dict[str, Any]]]:
    """Return the "Add charger" subentry flow's forms and answers for the second charger."""
    return [
        (
            "charger",
            {
                "plug_entity": PLUG_2,
                "switch_entity": SWITCH_2,
                "current_entity": CURRENT_2,
                "power_kw": 7.4,
            },
        ),
        ("charger_details", {"asset_model": "axle_charger_v1"}),
        (
            "schedule",
            {
                "window_start": window_start.strftime("%H:%M:00"),
                "window_end": window_end.strftime("%H:%M:00"),
                "control_mode": "pause_only",
            },
        ),
    ]


def free_port() -> int:
    """Return a TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def stored_http_settings(port: int) -> dict[str, Any] | None:
    """Return Home Assistant's stored HTTP settings for ``port``; None where YAML still holds them.

    Newer releases keep the HTTP server's settings in .storage/http and treat an ``http:`` section
    in configuration.yaml as deprecated: they raise a repair, ask to confirm the "new" settings and
    restart on the stored ones five minutes later. There the settings are written to storage in the
    form the running release stores them (its own schema fills in the defaults), marked as already
    migrated from YAML. Older releases have no such store and read ``http:`` from YAML.
    """
    try:
        from homeassistant.components.http import config as http_config
    except ImportError:
        return None
    wanted = {"server_host": [LOOPBACK], "server_port": port}
    settings = dict(http_config.HTTP_STORAGE_SCHEMA(wanted))
    settings.update(created_at=datetime.now(UTC).isoformat(), error=None, error_message=None)
    return {
        "version": http_config.STORAGE_VERSION,
        "minor_version": http_config.STORAGE_MINOR_VERSION,
        "key": http_config.STORAGE_KEY,
        "data": {"stable": settings, "pending": None, "yaml_migration_done": True},
    }


def prepare_config_dir(
    config_dir: Path, port: int, chargers: Mapping[str, Mapping[str, Any]] | None = None
) -> None:
    """Write the development configuration for ``port`` and link the integration from the tree.

    ``chargers`` maps simulated charger profiles (``tests/sim_charger``) to changes of their
    quirks, e.g. ``{"zappi": {"lag": 3}}``: they are added besides the helper-based charger of the
    configuration template.
    """
    configuration = CONFIG_TEMPLATE.read_text(encoding="utf-8")
    (config_dir / ".storage").mkdir(parents=True, exist_ok=True)
    if (http_store := stored_http_settings(port)) is None:
        configuration += HTTP_YAML.format(host=LOOPBACK, port=port)
    else:
        # Written at every start: the port may differ from the last run's.
        (config_dir / ".storage" / "http").write_text(json.dumps(http_store), encoding="utf-8")
    configuration += "\n" + install_sim_chargers(config_dir, chargers or {})
    (config_dir / "configuration.yaml").write_text(configuration, encoding="utf-8")
    # The location comes from configuration.yaml, so the "core_config" onboarding step is done. The
    # browser's version of that step would also add weather, radio and text-to-speech integrations
    # that need the internet.
    onboarding = config_dir / ".storage" / "onboarding"
    if not onboarding.exists():
        onboarding.write_text(
            json.dumps(
                {
                    "version": 4,
                    "minor_version": 1,
                    "key": "onboarding",
                    "data": {"done": ["core_config"]},
                }
            ),
            encoding="utf-8",
        )
    custom_components = config_dir / "custom_components"
    custom_components.mkdir(exist_ok=True)
    link = custom_components / DOMAIN
    if not link.is_symlink():
        link.symlink_to(REPO / "custom_components" / DOMAIN)


def log_tail(path: Path, lines: int = 60) -> str:
    """Return the last lines of a log file, or a note that it does not exist."""
    if not path.exists():
        return f"({path.name} does not exist)"
    with path.open(encoding="utf-8", errors="replace") as log:
        return "".join(deque(log, maxlen=lines))


def processes_mentioning(marker: str) -> list[str]:
    """Return 'pid: command line' for every process whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # it ended while we looked
        if marker in command:
            found.append(f"{entry.name}: {command.strip()}")
    return found


class ManagedProcess:
    """A child process in a process group of its own, writing its output to a log file."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path) -> None:
        """Describe the process; nothing starts before ``start``."""
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process from the repository root."""
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
                self.argv,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        """Return True while the main process has not exited."""
        return self.process is not None and self.process.poll() is None

    def group_alive(self) -> bool:
        """Return True if any process of the group (the main one or its children) still exists."""
        if self.process is None:
            return False
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self, timeout: float = 30.0) -> int | None:
        """Stop gracefully (SIGTERM), kill whatever is left of the group; return the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait()

    def kill(self) -> int | None:
        """Kill the whole group at once (SIGKILL): no stop event, nothing saved on the way out."""
        if self.process is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait()


def home_assistant_process(config_dir: Path) -> ManagedProcess:
    """Return Home Assistant for ``config_dir``, run by the interpreter that runs this code.

    So the test exercises whichever Home Assistant the running environment holds (the oldest in
    ``.venv``, the newest in the ``scripts/test-latest`` environment).
    """
    argv = [sys.executable, "-m", "homeassistant", "-c", str(config_dir)]
    return ManagedProcess("Home Assistant", argv, config_dir / "hass.stdout.log")


def simulator_process(port: int, log_path: Path, *options: str) -> ManagedProcess:
    """Return the Axle simulator on ``port`` with extra command-line ``options``."""
    argv = [sys.executable, "-m", "tools.axle_simulator", "--port", str(port), *options]
    return ManagedProcess("Axle simulator", argv, log_path)


class HttpError(AssertionError):
    """An HTTP call answered with an unexpected status."""


async def wait_for(
    check: Callable[[], Any], within: float, what: str, interval: float = POLL_INTERVAL
) -> Any:
    """Await ``check()`` (sync or async) until it gives something truthy; fail after ``within``."""
    deadline = monotonic() + within
    last_error: Exception | None = None
    while True:
        try:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
        except (aiohttp.ClientError, HttpError, OSError) as err:
            result, last_error = None, err
        if result:
            return result
        if monotonic() > deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}{detail}")
        await asyncio.sleep(interval)


class SimulatorClient:
    """The simulator's admin endpoints."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Use ``session`` for calls to ``base_url``."""
        self._session = session
        self.base_url = base_url

    async def _get(self, endpoint: str, **params: str) -> Any:
        async with self._session.get(f"{self.base_url}{endpoint}", params=params) as response:
            if response.status != 200:
                text = await response.text()
                raise HttpError(f"GET {endpoint}: HTTP {response.status}: {text}")
            return await response.json()

    async def state(self) -> dict[str, Any]:
        """Return ``GET /_sim/state``."""
        result: dict[str, Any] = await self._get("/_sim/state")
        return result

    async def set_asset_pause(
        self, external_id: str, *, soon_offset: float, soon_length: float
    ) -> None:
        """Give one charger its own "soon" pauses (``POST /_sim/asset-pause``)."""
        body = {
            "external_id": external_id,
            "mode": "soon",
            "soon_offset": soon_offset,
            "soon_length": soon_length,
        }
        async with self._session.post(f"{self.base_url}/_sim/asset-pause", json=body) as response:
            if response.status != 200:
                text = await response.text()
                raise HttpError(f"POST /_sim/asset-pause: HTTP {response.status}: {text}")

    async def requests(self, path_fragment: str) -> list[dict[str, Any]]:
        """Return the recorded requests whose path contains ``path_fragment``."""
        result = await self._get("/_sim/requests", path=path_fragment)
        requests: list[dict[str, Any]] = result["requests"]
        return requests


class HomeAssistantClient:
    """Home Assistant's REST API, authenticated like the frontend after onboarding."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Use ``session`` for calls to ``base_url``; no token until ``onboard``."""
        self._session = session
        self.base_url = base_url
        self.client_id = f"{base_url}/"
        self.access_token: str | None = None
        self.refresh_token: str | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: dict[str, str] | None = None,
        authenticated: bool = True,
        expect: int = 200,
    ) -> Any:
        """Call the API and return the decoded JSON answer; fail on any other status."""
        headers = {}
        if authenticated:
            headers["Authorization"] = f"Bearer {self.access_token}"
        async with self._session.request(
            method, f"{self.base_url}{path}", json=json, data=form, headers=headers
        ) as response:
            if response.status != expect:
                raise HttpError(
                    f"{method} {path}: HTTP {response.status} (expected {expect}): "
                    f"{(await response.text())[:500]}"
                )
            if response.content_type == "application/json":
                return await response.json()
            return await response.text()

    async def is_up(self) -> bool:
        """Return True once the frontend answers (the first thing a browser asks for)."""
        await self.request("GET", "/manifest.json", authenticated=False)
        return True

    async def onboard(self, name: str, username: str, password: str) -> None:
        """Create the owner, log in, and finish the other onboarding steps the browser shows."""
        created = await self.request(
            "POST",
            "/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
            authenticated=False,
        )
        await self._token(
            {
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": self.client_id,
            }
        )
        await self.request("POST", "/api/onboarding/analytics", json={})
        await self.request(
            "POST",
            "/api/onboarding/integration",
            json={"client_id": self.client_id, "redirect_uri": f"{self.base_url}/?auth_callback=1"},
        )

    async def login(self, username: str, password: str) -> None:
        """Log in through the login flow, as the login page does."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
            authenticated=False,
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json={"client_id": self.client_id, "username": username, "password": password},
            authenticated=False,
        )
        if result.get("type") != "create_entry":
            raise AssertionError(f"login refused: {result.get('errors')}")
        await self._token(
            {
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": self.client_id,
            }
        )

    async def refresh(self) -> None:
        """Get a new access token with the refresh token (after a restart, say)."""
        assert self.refresh_token, "onboard first"
        await self._token(
            {
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
            }
        )

    async def _token(self, form: dict[str, str]) -> None:
        tokens = await self.request("POST", "/auth/token", form=form, authenticated=False)
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens.get("refresh_token", self.refresh_token)

    async def onboarding_done(self) -> bool:
        """Return True when every onboarding step is done."""
        async with self._session.get(f"{self.base_url}/api/onboarding") as response:
            if response.status == 404:
                return True  # onboarding serves nothing once it is complete (after a restart)
            if response.status != 200:
                raise HttpError(f"GET /api/onboarding: HTTP {response.status}")
            steps = await response.json()
        return all(step["done"] for step in steps)

    async def state(self, entity_id: str) -> dict[str, Any]:
        """Return the state object of ``entity_id``."""
        result: dict[str, Any] = await self.request("GET", f"/api/states/{entity_id}")
        return result

    async def call_service(self, domain: str, service: str, **data: Any) -> None:
        """Call an action and wait for it to finish."""
        await self.request("POST", f"/api/services/{domain}/{service}", json=data)

    async def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """Return the config entries of ``domain``."""
        entries = await self.request("GET", f"/api/config/config_entries/entry?domain={domain}")
        return [entry for entry in entries if entry["domain"] == domain]

    async def start_flow(self, handler: str) -> dict[str, Any]:
        """Start a config flow as the "Add integration" dialog does."""
        result: dict[str, Any] = await self.request(
            "POST",
            "/api/config/config_entries/flow",
            json={"handler": handler, "show_advanced_options": False},
        )
        return result

    async def run_config_flow(
        self, handler: str, forms: Sequence[tuple[str, dict[str, Any]]]
    ) -> dict[str, Any]:
        """Fill in each expected form in turn; return what the last answer led to."""
        flow = await self.start_flow(handler)
        for step_id, user_input in forms:
            shown = (flow["type"], flow.get("step_id"), flow.get("errors") or {})
            if shown != ("form", step_id, {}):
                raise AssertionError(f"expected the form {step_id!r} without errors, got {flow}")
            flow = await self.flow_step(flow["flow_id"], user_input)
        return flow

    async def run_subentry_flow(
        self, entry_id: str, subentry_type: str, forms: Sequence[tuple[str, dict[str, Any]]]
    ) -> dict[str, Any]:
        """Run a subentry flow (the entry page's "Add ..." button), filling in each form in turn.

        Both releases we test take ``{"handler": [entry_id, subentry_type]}`` here; the newer
        one no longer reads ``show_advanced_options``, so it is left out.
        """
        flows = "/api/config/config_entries/subentries/flow"
        flow = await self.request("POST", flows, json={"handler": [entry_id, subentry_type]})
        for step_id, user_input in forms:
            shown = (flow["type"], flow.get("step_id"), flow.get("errors") or {})
            if shown != ("form", step_id, {}):
                raise AssertionError(f"expected the form {step_id!r} without errors, got {flow}")
            flow = await self.request("POST", f"{flows}/{flow['flow_id']}", json=user_input)
        result: dict[str, Any] = flow
        return result

    async def flow_step(self, flow_id: str, user_input: dict[str, Any]) -> dict[str, Any]:
        """Submit one form of a config flow."""
        result: dict[str, Any] = await self.request(
            "POST", f"/api/config/config_entries/flow/{flow_id}", json=user_input
        )
        return result


@dataclass(frozen=True, slots=True)
class Lateness:
    """How late a command reached the charger, against the moment the plan set for it."""

    edge: str
    planned: datetime
    reached: datetime

    @property
    def seconds(self) -> float:
        """Seconds after the planned moment (negative: early)."""
        return (self.reached - self.planned).total_seconds()


def lateness_table(rows: Sequence[Lateness]) -> str:
    """Return the rows as a small text table (times UTC, to the millisecond)."""
    width = max((len(row.edge) for row in rows), default=4)
    lines = [f"{'edge':<{width}}  planned       reached       lateness"]
    lines += [
        f"{row.edge:<{width}}  {row.planned:%H:%M:%S.%f}"[:-3]
        + f"  {row.reached:%H:%M:%S.%f}"[:-3]
        + f"  {row.seconds:+8.3f} s"
        for row in rows
    ]
    return "\n".join(lines)


def set_restored_states(config_dir: Path, states: Mapping[str, str]) -> None:
    """Give entities the state Home Assistant restores for them at its next start.

    After a kill, the helpers that make up the simulated charger come back with whatever Home
    Assistant last wrote to its restore file (at start, every 15 minutes, at stop), while a real
    charger keeps its state through its controller's crash. This writes that state.
    """
    path = config_dir / ".storage" / "core.restore_state"
    stored = json.loads(path.read_text(encoding="utf-8"))
    records = {record["state"]["entity_id"]: record for record in stored["data"]}
    for entity_id, state in states.items():
        assert entity_id in records, f"{entity_id} is not in the restore file"
        records[entity_id]["state"]["state"] = state
    path.write_text(json.dumps(stored), encoding="utf-8")


@dataclass(frozen=True, slots=True)
class ServiceCallSeen:
    """One action call, as Home Assistant timestamped it (``call_service`` event)."""

    domain: str
    service: str
    entity_ids: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class StateChange:
    """One state change of one entity, as Home Assistant timestamped it."""

    state: str
    changed_at: datetime
    attributes: dict[str, Any]


class HomeAssistantWebSocket:
    """Home Assistant's WebSocket API: commands, and a log of state changes."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        """Prepare a connection; ``connect`` opens it."""
        self._session = session
        self._url = base_url.replace("http", "ws", 1) + "/api/websocket"
        self._token = token
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._next_id = 1
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()
        self.changes: dict[str, list[StateChange]] = {}
        self.calls: list[ServiceCallSeen] = []

    async def connect(self) -> None:
        """Open the socket, authenticate and subscribe to state changes and action calls."""
        self._ws = await self._session.ws_connect(self._url)
        hello = await self._ws.receive_json()
        assert hello["type"] == "auth_required", hello
        await self._ws.send_json({"type": "auth", "access_token": self._token})
        answer = await self._ws.receive_json()
        assert answer["type"] == "auth_ok", answer
        self._reader = asyncio.create_task(self._read())
        await self.command("subscribe_events", event_type="state_changed")
        await self.command("subscribe_events", event_type="call_service")

    async def close(self) -> None:
        """Close the socket and stop reading."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def command(self, command_type: str, **fields: Any) -> Any:
        """Send one command and return its result; fail if Home Assistant reports an error."""
        assert self._ws is not None, "connect first"
        message_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send_json({"id": message_id, "type": command_type, **fields})
        return await asyncio.wait_for(future, 30)

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            payload = message.json()
            for item in payload if isinstance(payload, list) else [payload]:
                await self._dispatch(item)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("Home Assistant closed the WebSocket"))

    async def _dispatch(self, item: dict[str, Any]) -> None:
        if item.get("type") == "result":
            future = self._pending.pop(item["id"], None)
            if future is None or future.done():
                return
            if item["success"]:
                future.set_result(item.get("result"))
            else:
                future.set_exception(AssertionError(f"WebSocket command failed: {item['error']}"))
        elif item.get("type") == "event" and item["event"]["event_type"] == "call_service":
            data = item["event"]["data"]
            target = (data.get("service_data") or {}).get("entity_id") or []
            self.calls.append(
                ServiceCallSeen(
                    domain=data["domain"],
                    service=data["service"],
                    entity_ids=tuple([target] if isinstance(target, str) else target),
                    at=datetime.fromisoformat(item["event"]["time_fired"]),
                )
            )
        elif item.get("type") == "event":
            data = item["event"]["data"]
            new_state = data.get("new_state")
            if new_state is None:
                return
            change = StateChange(
                state=new_state["state"],
                changed_at=datetime.fromisoformat(new_state["last_changed"]),
                attributes=new_state["attributes"],
            )
            async with self._changed:
                self.changes.setdefault(data["entity_id"], []).append(change)
                self._changed.notify_all()

    def first_call_to(self, entity_id: str, *, after: datetime) -> ServiceCallSeen | None:
        """Return the first action call aimed at ``entity_id`` stamped later than ``after``."""
        return next(
            (call for call in self.calls if entity_id in call.entity_ids and call.at > after), None
        )

    async def wait_for_change(
        self, entity_id: str, state: str, *, after: datetime, within: float
    ) -> StateChange:
        """Return the first change of ``entity_id`` to ``state`` stamped later than ``after``."""

        def find() -> StateChange | None:
            for change in self.changes.get(entity_id, []):
                if change.state == state and change.changed_at > after:
                    return change
            return None

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(find), within)
            except TimeoutError:
                seen = [
                    (c.state, c.changed_at.isoformat()) for c in self.changes.get(entity_id, [])
                ]
                raise AssertionError(
                    f"{entity_id} did not change to {state!r} after {after.isoformat()} "
                    f"within {within:.0f} s; changes seen: {seen}"
                ) from None
        change = find()
        assert change is not None
        return change
