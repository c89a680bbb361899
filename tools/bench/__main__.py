"""Run the benchmark and print the table: ``python -m tools.bench [pytest arguments]``.

The scenarios run in a child pytest process (the Home Assistant test harness, with the Axle
simulator on loopback); the import time is measured in fresh interpreters of its own.
"""

from __future__ import annotations

import os
from pathlib import Path
import platform
import subprocess
import sys
import tempfile

from homeassistant.const import __version__ as ha_version

from .importtime import measure
from .results import RESULTS_ENV, Figure, load, table
from .scenarios import SECTIONS

SCENARIOS = [Path(__file__).with_name("scenarios") / f"{section}.py" for section in SECTIONS]
IMPORT_RUNS = 7
PYTEST_ARGS = (
    "-q",
    "-s",
    "-p",
    "no:cacheprovider",
    "--no-cov",
    "-W",
    "ignore::DeprecationWarning",
)


def _import_figures() -> list[Figure]:
    """Import time: our modules alone, and everything new they bring in."""
    try:
        costs = measure(IMPORT_RUNS)
    except RuntimeError as err:
        return [Figure(section="Import", name="integration import", unit="", value=str(err))]
    return [
        Figure(
            section="Import",
            name=f"integration modules, self time ({costs[0].own_modules} modules)",
            unit="ms",
            samples=[cost.own_us / 1000 for cost in costs],
        ),
        Figure(
            section="Import",
            name="everything new after Home Assistant's own platforms",
            unit="ms",
            samples=[cost.total_us / 1000 for cost in costs],
        ),
    ]


def _run_scenarios(results: Path, log: Path, extra: list[str]) -> int:
    """Run the scenarios in a child pytest; its output is shown only if it fails."""
    env = {**os.environ, RESULTS_ENV: str(results)}
    command = [sys.executable, "-m", "pytest", *map(str, SCENARIOS), *PYTEST_ARGS, *extra]
    print("Running the scenarios (a few minutes)...", flush=True)
    with log.open("w") as output:
        code = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command, env=env, check=False, stdout=output, stderr=subprocess.STDOUT
        ).returncode
    if code != 0:
        print(f"The scenarios failed (pytest exit code {code}); the end of their output:")
        print("\n".join(log.read_text().splitlines()[-60:]))
    return code


def main(argv: list[str]) -> int:
    """Measure, then print the table; the exit code is the scenarios' pytest exit code."""
    print(
        f"Axle Flex Lite benchmark: Home Assistant {ha_version},"
        f" Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
    )
    print("Measuring the import time...", flush=True)
    figures = _import_figures()
    with tempfile.TemporaryDirectory(prefix="axle-bench-") as scratch:
        results = Path(scratch) / "results.json"
        code = _run_scenarios(results, Path(scratch) / "pytest.log", argv)
        figures += load(results)
    print()
    print(table(figures))
    missed = [figure.name for figure in figures if figure.met is False]
    if missed:
        print(f"\nTargets missed: {', '.join(missed)}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
