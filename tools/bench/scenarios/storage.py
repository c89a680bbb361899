"""Storage: bytes stored per session, the store's size once bounded, and the cost of a save."""

from __future__ import annotations

from datetime import datetime, time as wall_time, timedelta
import itertools
from pathlib import Path
import tempfile
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from homeassistant.util.file import write_utf8_file_atomic
import orjson

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.storage import storage_key
from tests.helpers import controller_of
from tests.plugins.integration import TIME_ZONE

from ..results import Figure, record
from .shared import run_until, stopwatch_ms

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger

SECTION_STORAGE = "Storage"
STORAGE_NIGHTS = const.HISTORY_DAYS + 5


async def test_storage_size(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    hass_storage: dict[str, Any],
) -> None:
    """Bytes stored per session, and the store's size once 30 days of nightly sessions are kept."""
    controller = controller_of(init_integration)
    key = storage_key(init_integration.entry_id)
    local = ZoneInfo(TIME_ZONE)
    started = clock.now
    sizes: list[int] = []

    def stored_bytes() -> int:
        # What Home Assistant writes to disk: the whole store file, indented by two spaces.
        return len(orjson.dumps(hass_storage[key], option=orjson.OPT_INDENT_2))

    for night in range(STORAGE_NIGHTS):
        evening = datetime.combine(
            started.astimezone(local).date() + timedelta(days=night), wall_time(18), local
        )
        await clock.move_to(evening)
        await charger.plug_in()
        await run_until(clock, controller, evening + timedelta(hours=13), timedelta(hours=6))
        await charger.unplug()
        sizes.append(stored_bytes())

    per_session = [later - earlier for earlier, later in itertools.pairwise(sizes)]
    growing = per_session[: const.HISTORY_DAYS - 2]
    after_month = sizes[const.HISTORY_DAYS - 1]
    record(
        Figure(
            section=SECTION_STORAGE,
            name="stored bytes per finished session",
            unit="B",
            samples=[float(size) for size in growing],
        )
    )
    record(
        Figure(
            section=SECTION_STORAGE,
            name=f"store file after {const.HISTORY_DAYS} nightly sessions",
            unit="B",
            value=after_month,
        )
    )
    record(
        Figure(
            section=SECTION_STORAGE,
            name=f"store file after {STORAGE_NIGHTS} nightly sessions",
            unit="B",
            value=sizes[-1],
            target=f"<= {after_month + max(growing)} (bounded)",
            met=sizes[-1] <= after_month + max(growing),
            note=f"history keeps {len(controller.history)} sessions ({const.HISTORY_DAYS} days)",
        )
    )
    document = orjson.dumps(hass_storage[key], option=orjson.OPT_INDENT_2).decode()
    with tempfile.TemporaryDirectory(prefix="axle-bench-store-") as scratch:
        target = Path(scratch) / "store.json"
        writes = []
        for _ in range(50):
            began = stopwatch_ms()
            write_utf8_file_atomic(str(target), document)
            writes.append(stopwatch_ms() - began)
    record(
        Figure(
            section=SECTION_STORAGE,
            name="atomic write of that file to local disk",
            unit="ms",
            samples=writes,
            note="the harness keeps stores in memory; this is what a save costs on this disk",
        )
    )
