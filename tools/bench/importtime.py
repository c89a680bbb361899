"""Import time of the integration, measured with ``python -X importtime`` in fresh interpreters.

Home Assistant has already imported its core and the entity platforms an integration builds on by
the time it loads ours, so those are imported first; what follows a marker line is what loading
this integration costs on top: our modules plus anything they pull in that Home Assistant had not.

Home Assistant starts from cached bytecode, so the interpreters here do too: they may write it (into
a cache folder of their own, whatever the caller's environment says), and a first run that fills
that cache is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
import os
import re
import subprocess
import sys
import tempfile

PACKAGE = "custom_components.axle_flex_lite"
MODULES = (
    PACKAGE,
    f"{PACKAGE}.config_flow",
    f"{PACKAGE}.diagnostics",
    *(
        f"{PACKAGE}.{platform}"
        for platform in (
            "sensor",
            "binary_sensor",
            "switch",
            "button",
            "time",
            "select",
            "calendar",
            "event",
        )
    ),
)
# What Home Assistant has loaded before it imports a custom integration with these platforms.
PRELOADED = (
    "homeassistant.core",
    "homeassistant.config_entries",
    "homeassistant.helpers.config_validation",
    "homeassistant.helpers.entity_platform",
    "homeassistant.helpers.update_coordinator",
    "homeassistant.helpers.storage",
    "homeassistant.helpers.event",
    "homeassistant.helpers.aiohttp_client",
    "homeassistant.helpers.issue_registry",
    "homeassistant.components.sensor",
    "homeassistant.components.binary_sensor",
    "homeassistant.components.switch",
    "homeassistant.components.button",
    "homeassistant.components.time",
    "homeassistant.components.select",
    "homeassistant.components.calendar",
    "homeassistant.components.event",
    "homeassistant.components.diagnostics",
    "homeassistant.components.repairs",
)
MARKER = "--- axle bench marker ---"
_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


@dataclass(frozen=True, slots=True)
class ImportCost:
    """One interpreter's cost of importing the integration after Home Assistant's own modules."""

    total_us: int  # every module first imported after the marker (ours and new dependencies)
    own_us: int  # self time of our own modules only
    own_modules: int


def _program() -> str:
    preload = "; ".join(f"import {name}" for name in PRELOADED)
    ours = "; ".join(f"import {name}" for name in MODULES)
    return f"{preload}; import sys; sys.stderr.write({MARKER!r} + '\\n'); {ours}"


def measure_once(python: str = sys.executable, env: dict[str, str] | None = None) -> ImportCost:
    """Run one fresh interpreter and add up the import times after the marker."""
    completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed program
        [python, "-X", "importtime", "-c", _program()],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if completed.returncode != 0:
        last_line = completed.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"importing the integration failed: {last_line[0]}")
    _, _, after = completed.stderr.partition(MARKER)
    total = own = count = 0
    for line in after.splitlines():
        if (match := _LINE.match(line)) is None:
            continue
        self_us, name = int(match.group(1)), match.group(4)
        total += self_us
        if name == PACKAGE or name.startswith(f"{PACKAGE}."):
            own += self_us
            count += 1
    if count == 0:
        raise RuntimeError("the integration's modules did not show up in the import log")
    return ImportCost(total_us=total, own_us=own, own_modules=count)


def measure(runs: int = 7, python: str = sys.executable) -> list[ImportCost]:
    """Measure ``runs`` times, each in a fresh interpreter (nothing cached in memory).

    The bytecode is cached on disk, as for Home Assistant: without that, each run would compile
    our sources again and the figure would be the compiler's.
    """
    with tempfile.TemporaryDirectory(prefix="axle-bench-pycache-") as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        measure_once(python, env)  # fills the cache
        return [measure_once(python, env) for _ in range(runs)]
