"""Privacy: nothing personal reaches the log or the diagnostics, whatever happens in a session.

A whole session runs with every logger at debug level: set-up, plug-in, a pause, Axle forgetting
the token (a new login), Axle failing and echoing the household's details back in its error
bodies, participation switched off and on, a withdrawal link, unplug, reload. Then every log record
(message, arguments and traceback) and the entry's diagnostics are searched for the password,
every token Axle issued, the MPAN, the street address, the postcode and the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
import json
import logging
import re
from typing import TYPE_CHECKING, Any

from homeassistant.const import CONF_PASSWORD
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.axle_flex_lite import const
from custom_components.axle_flex_lite.controller import SessionController, SessionStatus
from custom_components.axle_flex_lite.diagnostics import async_get_config_entry_diagnostics
from tests.helpers import SCHEDULE_PATH, utc
from tools.axle_simulator.state import DEFAULT_USERNAME

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from tests.plugins.integration import Clock, SimulatedCharger
    from tools.axle_simulator import AxleSimulator

# Distinctive, so that a match cannot be a coincidence.
PASSWORD = "Pr1vate-Passw0rd-5e7c"


def spellings(value: str, *, as_id: bool = True) -> set[str]:
    """Return the ways a value may turn up (lower case): as given, without spaces, as an id slug."""
    forms = {value.lower(), re.sub(r"\s+", "", value).lower()}
    if as_id:
        forms.add(re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_"))
    return forms


def record_text(record: logging.LogRecord) -> str:
    """Return everything a log handler could write for a record: message, arguments, traceback."""
    parts = [record.getMessage(), repr(record.args)]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        parts.append(record.exc_text)
    return "\n".join(parts).lower()


def leaks(text: str, secrets: dict[str, set[str]]) -> list[str]:
    """Return the names of the secrets that appear in ``text`` (lower case)."""
    return sorted(name for name, forms in secrets.items() if any(form in text for form in forms))


@pytest.fixture
def issued_tokens(axle_simulator: AxleSimulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token the simulator hands out (it forgets them when they expire)."""
    tokens: list[str] = []
    issue = axle_simulator.issue_token

    def issue_and_keep(username: str, password: str) -> str:
        token = issue(username, password)
        tokens.append(token)
        return token

    monkeypatch.setattr(axle_simulator, "issue_token", issue_and_keep)
    return tokens


@pytest.fixture
def private_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, axle_simulator: AxleSimulator
) -> MockConfigEntry:
    """The test entry with a distinctive password that the simulator accepts."""
    axle_simulator.accounts[DEFAULT_USERNAME] = PASSWORD
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_PASSWORD: PASSWORD}
    )
    return config_entry


async def refused(
    hass: HomeAssistant, domain: str, service: str, data: dict[str, Any], **kwargs: Any
) -> str:
    """Call an action that must fail; return the error the user is shown."""
    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(domain, service, data, blocking=True, **kwargs)
    return str(raised.value)


async def run_session(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    simulator: AxleSimulator,
) -> list[str]:
    """Set up and run a night with the faults above; return the errors the user was shown."""
    details = (
        f"MPAN {entry.data[const.CONF_MPAN]} at {entry.data[const.CONF_STREET_ADDRESS]}, "
        f"{entry.data[const.CONF_POSTCODE]} ({entry.data[const.CONF_EMAIL]}) is not known"
    )
    shown: list[str] = []
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    controller: SessionController = entry.runtime_data.controller

    # Axle refuses the first schedule and echoes the household's details in its error body.
    simulator.fail_next(SCHEDULE_PATH, status=500, detail=details)
    await charger.plug_in()
    assert controller.status is SessionStatus.FALLBACK
    await clock.advance(timedelta(minutes=2))
    assert controller.status is SessionStatus.WAITING

    # The token dies: the next call logs in again.
    simulator.expire_tokens()
    await clock.move_to(utc(26, 1))
    await hass.services.async_call(
        const.DOMAIN, "resend_schedule", {"config_entry_id": entry.entry_id}, blocking=True
    )
    await clock.move_to(utc(26, 2))
    assert controller.pause_active

    # Participation off and on; Axle refuses the first enrolment with the details again.
    participation = next(
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if entity.domain == "switch"
    )
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": participation}, blocking=True
    )
    turn_on = ("switch", "turn_on", {"entity_id": participation})
    simulator.fail_next("/enrol", status=404, detail=details)
    shown.append(await refused(hass, *turn_on))
    await hass.services.async_call(*turn_on, blocking=True)
    get_link = (const.DOMAIN, "get_withdrawal_link", {"config_entry_id": entry.entry_id})
    simulator.fail_next("/url/balance", status=422, detail=details)
    shown.append(await refused(hass, *get_link, return_response=True))
    await hass.services.async_call(*get_link, blocking=True, return_response=True)

    await clock.move_to(utc(26, 2, 30))
    await clock.move_to(utc(26, 7))
    await charger.unplug()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    return shown


@dataclass(slots=True)
class PrivateSession:
    """What a session with debug logging left behind, and what must not be in it."""

    records: list[logging.LogRecord]
    diagnostics: dict[str, Any]
    shown: list[str]
    secrets: dict[str, set[str]]  # every spelling, id slugs included
    written: dict[str, set[str]]  # the values as a person writes them
    entity_ids: list[str]


@pytest.fixture
async def private_session(
    hass: HomeAssistant,
    *,
    private_entry: MockConfigEntry,
    charger: SimulatedCharger,
    clock: Clock,
    axle_simulator: AxleSimulator,
    issued_tokens: list[str],
    caplog: pytest.LogCaptureFixture,
) -> PrivateSession:
    """Run the session with every logger at debug level and collect what it left."""
    caplog.set_level(logging.DEBUG)
    for name in ("custom_components.axle_flex_lite", "homeassistant", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    shown = await run_session(hass, private_entry, charger, clock, axle_simulator)
    diagnostics = await async_get_config_entry_diagnostics(hass, private_entry)
    data = private_entry.data
    personal = {
        "mpan": data[const.CONF_MPAN],
        "street address": data[const.CONF_STREET_ADDRESS],
        "email": data[const.CONF_EMAIL],
        "postcode": data[const.CONF_POSTCODE],
    }
    credentials = {
        "password": {PASSWORD.lower()},
        "token": {token.lower() for token in issued_tokens},
    }
    # The session really went through the paths that could leak.
    assert len(issued_tokens) >= 3
    assert len(shown) == 2
    assert len(caplog.records) > 100
    # Participation off ended the first session; on again started a second one.
    assert diagnostics["chargers"][0]["controller"]["history_length"] == 2
    return PrivateSession(
        records=list(caplog.records),
        diagnostics=diagnostics,
        shown=shown,
        secrets=credentials | {name: spellings(value) for name, value in personal.items()},
        written=credentials
        | {name: spellings(value, as_id=False) for name, value in personal.items()},
        entity_ids=[
            entity.entity_id
            for entity in er.async_entries_for_config_entry(
                er.async_get(hass), private_entry.entry_id
            )
        ],
    )


async def test_nothing_personal_in_logs_or_diagnostics(private_session: PrivateSession) -> None:
    """No log record, diagnostics or error message carries anything personal.

    Our own loggers are searched for every spelling; Home Assistant's for the values as written
    (its lines quote our entity ids, which test_postcode_stays_out_of_entity_ids covers).
    """
    own = "custom_components.axle_flex_lite"
    leaked = {
        f"{record.name}: {record.getMessage()[:120]}": found
        for record in private_session.records
        if (
            found := leaks(
                record_text(record),
                private_session.secrets if record.name.startswith(own) else private_session.written,
            )
        )
    }
    assert leaked == {}
    diagnostics = json.dumps(private_session.diagnostics, default=str).lower()
    assert leaks(diagnostics, private_session.secrets) == []
    assert [leaks(text.lower(), private_session.secrets) for text in private_session.shown] == [
        [],
        [],
    ]


async def test_postcode_stays_out_of_entity_ids(private_session: PrivateSession) -> None:
    """Entity ids, which Home Assistant logs and records freely, do not carry the postcode."""
    postcode = {"postcode": private_session.secrets["postcode"]}
    assert [
        entity_id for entity_id in private_session.entity_ids if leaks(entity_id, postcode)
    ] == []
    assert [
        record.getMessage()
        for record in private_session.records
        if leaks(record_text(record), postcode)
    ] == []


def test_spellings() -> None:
    """The search covers the forms a value takes in text and in entity ids."""
    assert spellings("CT1 2EH") == {"ct1 2eh", "ct12eh", "ct1_2eh"}
    assert leaks("sensor.axle_flex_lite_ct1_2eh_status", {"postcode": spellings("CT1 2EH")}) == [
        "postcode"
    ]
    assert leaks("nothing here", {"postcode": spellings("CT1 2EH")}) == []
