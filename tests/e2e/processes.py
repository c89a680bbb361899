"""The end-to-end test's processes: a real Home Assistant and the Axle simulator.

Each runs as a child process in a process group of its own, from a configuration directory written
here (the development configuration, the integration linked from the working tree).
"""

from __future__ import annotations

from collections import deque
import contextlib
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from tests.sim_charger.install import install as install_sim_chargers

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

REPO = Path(__file__).resolve().parents[2]
CONFIG_TEMPLATE = Path(__file__).parent / "config" / "configuration.yaml"
DOMAIN = "axle_flex_lite"
LOOPBACK = "127.0.0.1"
# The HTTP server's address, for configuration.yaml on releases that read it from there.
HTTP_YAML = "\nhttp:\n  server_host: {host}\n  server_port: {port}\n"


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
