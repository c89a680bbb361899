"""Tests of the sensors: a whole session against the simulator, rewards, and the recorder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
import logging
from typing import TYPE_CHECKING

from homeassistant.components.recorder.history import get_significant_states
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    EntityCategory,
)
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.axle_flex_lite.const import CONF_SITE_ID, DOMAIN
from tests.helpers import entity_of, state_of
from tests.plugins.integration import FIRST_PAUSE_END, FIRST_PAUSE_START, POSTCODE

if TYPE_CHECKING:
    from collections.abc import Generator

    from homeassistant.components.recorder import Recorder
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.home import Home
    from tools.axle_simulator import AxleSimulator

# The simulator's price curve puts the pause of a 23:30-05:30 (GMT) window at 02:00-02:30 UTC.
WINDOW_START = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
WINDOW_END = datetime(2026, 11, 26, 5, 30, tzinfo=UTC)

# The low-use entities start disabled (see test_init.py); these tests look at them too.
pytestmark = pytest.mark.usefixtures("all_entities_enabled")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_db_url: str, enable_custom_integrations: None
) -> Generator[None]:
    """Prepare the recorder's database before ``hass`` starts, as the recorder test needs.

    The test harness sets SQLAlchemy's engine logger to INFO, which prints every statement the
    recorder's thread runs into the test output; WARNING keeps the output readable.
    """
    engine_logger = logging.getLogger("sqlalchemy.engine")
    level = engine_logger.level
    engine_logger.setLevel(logging.WARNING)
    yield
    engine_logger.setLevel(level)


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """Find a sensor by its unique id."""
    return entity_of(hass, entry, "sensor", key)


def state(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The state of a sensor, by key."""
    return state_of(hass, entry, "sensor", key)


async def test_device_and_registry(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """One service device for a home with one charger: the home's entities and the charger's.

    Every sensor has a stable unique id and a translation key: the rewards are the home's, the
    session's sensors the charger's (a charger moved from an older entry keeps its unique ids). The
    home's first charger's entities belong to the entry, as the home's do (see entity.py).
    """
    device_registry = dr.async_get(hass)
    (home,) = dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    assert home.via_device_id is None
    assert home.entry_type is dr.DeviceEntryType.SERVICE
    assert home.identifiers == {(DOMAIN, init_integration.entry_id)}
    assert home.manufacturer == "Axle Energy"
    assert home.model == "Flex Lite"
    assert home.name == "Axle Flex Lite CT1"
    assert POSTCODE not in home.name

    registry = er.async_get(hass)
    entries = er.async_entries_for_config_entry(registry, init_integration.entry_id)
    assert all(entry.unique_id.startswith(f"{init_integration.entry_id}_") for entry in entries)
    assert {"balance", "participation", "status", "skip_pause"} <= {
        entry.translation_key for entry in entries
    }
    assert all(entry.device_id == home.id for entry in entries)
    assert all(entry.config_subentry_id is None for entry in entries)
    assert all(entry.translation_key for entry in entries)
    sensors = {entry.translation_key: entry for entry in entries if entry.domain == "sensor"}
    assert set(sensors) == {
        "status",
        "next_pause_start",
        "next_pause_end",
        "session_pause_minutes",
        "last_schedule_sync",
        "balance",
        "total_earnings",
    }
    assert sensors["last_schedule_sync"].entity_category is EntityCategory.DIAGNOSTIC
    assert sensors["status"].entity_category is None


async def test_sensors_through_a_session(home: Home) -> None:
    """Status, pause times, pause minutes and sync time follow a night's session."""
    entry = home.entry
    status = home.hass.states.get(entity_id(home.hass, entry, "status"))
    assert status is not None
    assert status.state == "unplugged"
    assert status.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENUM
    assert status.attributes["options"] == [
        "unplugged",
        "scheduling",
        "waiting",
        "charging",
        "paused",
        "overridden",
        "fallback",
        "not_participating",
    ]
    assert "pauses" not in status.attributes
    for key in ("next_pause_start", "next_pause_end", "session_pause_minutes"):
        assert state(home.hass, entry, key) == STATE_UNKNOWN
    assert state(home.hass, entry, "last_schedule_sync") == STATE_UNKNOWN

    await home.charger.plug_in()
    plugged_at = home.clock.now
    status = home.hass.states.get(entity_id(home.hass, entry, "status"))
    assert status is not None
    assert status.state == "waiting"
    assert status.attributes["plugged_in_at"] == plugged_at.isoformat()
    assert status.attributes["fallback_reason"] is None
    assert status.attributes["submitted_schedule"] == [
        {"start": WINDOW_START.isoformat(), "end": WINDOW_END.isoformat()}
    ]
    assert status.attributes["modified_schedule"] == [
        {"start": WINDOW_START.isoformat(), "end": FIRST_PAUSE_START.isoformat()},
        {"start": FIRST_PAUSE_END.isoformat(), "end": WINDOW_END.isoformat()},
    ]
    assert status.attributes["pauses"] == [
        {"start": FIRST_PAUSE_START.isoformat(), "end": FIRST_PAUSE_END.isoformat()}
    ]
    assert state(home.hass, entry, "next_pause_start") == FIRST_PAUSE_START.isoformat()
    assert state(home.hass, entry, "next_pause_end") == FIRST_PAUSE_END.isoformat()
    assert state(home.hass, entry, "last_schedule_sync") == plugged_at.isoformat()
    minutes = home.hass.states.get(entity_id(home.hass, entry, "session_pause_minutes"))
    assert minutes is not None
    assert float(minutes.state) == 30
    assert minutes.attributes[ATTR_UNIT_OF_MEASUREMENT] == "min"
    assert minutes.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.DURATION

    await home.clock.move_to(WINDOW_START)
    assert state(home.hass, entry, "status") == "charging"
    await home.clock.move_to(FIRST_PAUSE_START)
    assert state(home.hass, entry, "status") == "paused"
    assert state(home.hass, entry, "next_pause_start") == FIRST_PAUSE_START.isoformat()
    await home.clock.move_to(FIRST_PAUSE_END)
    assert state(home.hass, entry, "status") == "charging"
    # The pause is over: nothing is left to come in this session.
    assert state(home.hass, entry, "next_pause_start") == STATE_UNKNOWN
    assert state(home.hass, entry, "next_pause_end") == STATE_UNKNOWN
    await home.clock.move_to(WINDOW_END)
    assert state(home.hass, entry, "status") == "waiting"

    await home.clock.advance(timedelta(minutes=30))
    await home.charger.unplug()
    status = home.hass.states.get(entity_id(home.hass, entry, "status"))
    assert status is not None
    assert status.state == "unplugged"
    assert "pauses" not in status.attributes
    # The finished session still tells how long it was paused.
    assert float(state(home.hass, entry, "session_pause_minutes")) == 30


async def test_status_fallback_when_axle_fails(home: Home) -> None:
    """Axle failing shows as fallback, with the reason, and no pause."""
    home.axle.fail_next("plug-in-schedule", status=400)
    await home.charger.plug_in()
    status = home.hass.states.get(entity_id(home.hass, home.entry, "status"))
    assert status is not None
    assert status.state == "fallback"
    assert "400" in status.attributes["fallback_reason"]
    assert status.attributes["pauses"] == []
    assert state(home.hass, home.entry, "next_pause_start") == STATE_UNKNOWN
    assert float(state(home.hass, home.entry, "session_pause_minutes")) == 0


@pytest.fixture
def balance(axle_simulator: AxleSimulator, config_entry: MockConfigEntry) -> None:
    """A balance of £4.12 out of £16.50 earned, set before the integration starts."""
    axle_simulator.set_balance(config_entry.data[CONF_SITE_ID], 412, 1650, False)


@pytest.mark.usefixtures("balance")
async def test_rewards_sensors(home: Home) -> None:
    """Balance and earnings are shown in pounds and refreshed 6-hourly; a failure is unavailable."""
    balance = home.hass.states.get(entity_id(home.hass, home.entry, "balance"))
    assert balance is not None
    assert float(balance.state) == pytest.approx(4.12)
    assert balance.attributes[ATTR_UNIT_OF_MEASUREMENT] == "GBP"
    assert balance.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.MONETARY
    assert float(state(home.hass, home.entry, "total_earnings")) == pytest.approx(16.5)

    home.axle.set_balance(home.entry.data[CONF_SITE_ID], 0, 1800, False)
    await home.clock.advance(timedelta(hours=5, minutes=59))
    assert float(state(home.hass, home.entry, "balance")) == pytest.approx(4.12)
    await home.clock.advance(timedelta(minutes=1))
    assert float(state(home.hass, home.entry, "balance")) == 0
    assert float(state(home.hass, home.entry, "total_earnings")) == pytest.approx(18)

    home.axle.fail_next("/rewards/", status=404)
    await home.clock.advance(timedelta(hours=6))
    assert state(home.hass, home.entry, "balance") == STATE_UNAVAILABLE
    assert state(home.hass, home.entry, "total_earnings") == STATE_UNAVAILABLE


@pytest.mark.usefixtures("balance")
async def test_rewards_refresh_on_request_and_after_a_session(home: Home) -> None:
    """The balance is fetched when the user asks and when a session ends, not in between."""
    site_id = home.entry.data[CONF_SITE_ID]
    fetches = len(home.axle.requests_to("/info"))
    home.axle.set_balance(site_id, 500, 1738, False)
    assert await async_setup_component(home.hass, "homeassistant", {})
    await home.hass.services.async_call(
        "homeassistant",
        "update_entity",
        {"entity_id": entity_id(home.hass, home.entry, "balance")},
        blocking=True,
    )
    assert float(state(home.hass, home.entry, "balance")) == pytest.approx(5)
    assert len(home.axle.requests_to("/info")) == fetches + 1

    await home.charger.plug_in()
    await home.clock.advance(timedelta(hours=1))
    home.axle.set_balance(site_id, 530, 1768, False)
    assert float(state(home.hass, home.entry, "balance")) == pytest.approx(5)
    await home.charger.unplug()
    await home.clock.advance(timedelta(seconds=1))
    assert float(state(home.hass, home.entry, "balance")) == pytest.approx(5.3)
    assert len(home.axle.requests_to("/info")) == fetches + 2


async def test_schedules_stay_out_of_the_recorder(recorder_mock: Recorder, home: Home) -> None:
    """The status sensor's schedule lists are shown but not written to the database."""
    await home.charger.plug_in()
    status_id = entity_id(home.hass, home.entry, "status")
    live = home.hass.states.get(status_id)
    assert live is not None
    assert live.attributes["pauses"]
    await async_wait_recording_done(home.hass)

    history = await recorder_mock.async_add_executor_job(
        partial(
            get_significant_states,
            home.hass,
            home.clock.now - timedelta(hours=1),
            None,
            [status_id],
            significant_changes_only=False,
        )
    )
    recorded = history[status_id][-1]
    assert recorded.state == "waiting"
    assert recorded.attributes["plugged_in_at"] == live.attributes["plugged_in_at"]
    for attribute in ("submitted_schedule", "modified_schedule", "pauses"):
        assert attribute not in recorded.attributes
