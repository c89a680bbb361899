"""The end-to-end test's simulated chargers: their entities, twins, restored states and timing."""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime
    from pathlib import Path

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
