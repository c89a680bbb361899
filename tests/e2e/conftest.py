"""Fixtures for the end-to-end test: ports, a fresh configuration and guaranteed clean-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from .chargers import TWIN_CHARGERS, Lateness, lateness_table
from .processes import (
    ManagedProcess,
    free_port,
    home_assistant_process,
    log_tail,
    prepare_config_dir,
)

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator
    from pathlib import Path

LATENESS = pytest.StashKey[list[Lateness]]()


@dataclass(slots=True)
class Deployment:
    """Where the processes of one test live. The test starts them; the fixture stops them."""

    work_dir: Path
    config_dir: Path
    hass_port: int
    simulator_port: int
    hass: ManagedProcess
    simulator: ManagedProcess | None = None

    @property
    def hass_url(self) -> str:
        """Return Home Assistant's base URL."""
        return f"http://127.0.0.1:{self.hass_port}"

    @property
    def simulator_url(self) -> str:
        """Return the simulator's base URL."""
        return f"http://127.0.0.1:{self.simulator_port}"

    def processes(self) -> list[ManagedProcess]:
        """Return the processes started so far."""
        return [p for p in (self.hass, self.simulator) if p is not None]


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """Prepare a fresh Home Assistant configuration on free ports; stop everything afterwards."""
    config_dir = tmp_path / "config"
    hass_port = free_port()
    prepare_config_dir(config_dir, hass_port, TWIN_CHARGERS)
    deployed = Deployment(
        work_dir=tmp_path,
        config_dir=config_dir,
        hass_port=hass_port,
        simulator_port=free_port(),
        hass=home_assistant_process(config_dir),
    )
    yield deployed
    for process in deployed.processes():
        process.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the tails of Home Assistant's and the simulator's logs to a failure."""
    report: pytest.TestReport = yield
    deployed = getattr(item, "funcargs", {}).get("deployment")
    if report.failed and isinstance(deployed, Deployment):
        hass_log = deployed.config_dir / "home-assistant.log"
        # Home Assistant writes its log to stdout too; that copy matters only if it died early.
        log_path = hass_log if hass_log.exists() else deployed.hass.log_path
        report.sections.append(("Home Assistant log (tail)", log_tail(log_path)))
        if deployed.simulator is not None:
            report.sections.append(
                ("Axle simulator log (tail)", log_tail(deployed.simulator.log_path, 30))
            )
    return report


@pytest.fixture
def lateness(request: pytest.FixtureRequest) -> list[Lateness]:
    """Where the test notes how late each charger command was; printed at the end of the run."""
    return request.config.stash.setdefault(LATENESS, [])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the lateness of each charger command against the plan (also when all passed)."""
    rows = terminalreporter.config.stash.get(LATENESS, [])
    if rows:
        terminalreporter.write_sep("-", "charger commands against the plan")
        terminalreporter.write_line(lateness_table(rows))
