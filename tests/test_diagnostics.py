"""Tests of the diagnostics: useful content, nothing secret or personal anywhere in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from typing import TYPE_CHECKING

from homeassistant.components.diagnostics import REDACTED
from homeassistant.helpers.json import json_dumps

from custom_components.axle_flex_lite.const import CONF_POSTCODE, CONF_SITE_ID
from custom_components.axle_flex_lite.diagnostics import async_get_config_entry_diagnostics
from tests.helpers import charger_settings
from tools.axle_simulator.state import DEFAULT_PASSWORD, DEFAULT_USERNAME

if TYPE_CHECKING:
    from tests.plugins.home import Home

UNPLUG_AT = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
# What the entry holds about the household and its id at Axle, besides the credentials.
PERSONAL = (
    "mpan",
    "street_address",
    "postcode",
    "email",
    "site_id",
    "consent_at",
)
# What a charger's settings hold about its ids at Axle.
CHARGER_IDS = ("asset_id", "external_id")


async def test_diagnostics(home: Home) -> None:
    """Sessions, API exchanges and rewards are there; no personal value is, in any form."""
    home.axle.set_balance(home.entry.data[CONF_SITE_ID], 412, 1650, False)
    await home.charger.plug_in()
    await home.clock.move_to(UNPLUG_AT)
    await home.charger.unplug()
    await home.clock.advance(timedelta(hours=12))
    await home.charger.plug_in()

    # Through Home Assistant's JSON encoder, as the download does. (The download's HTTP view
    # cannot be used here: its access token expires while the frozen clock crosses the night.)
    diagnostics = json.loads(
        json_dumps(await async_get_config_entry_diagnostics(home.hass, home.entry))
    )

    entry = diagnostics["entry"]
    assert entry["title"] == REDACTED
    assert entry["unique_id"] == REDACTED
    for key in ("username", "password", *PERSONAL):
        assert entry["data"][key] == REDACTED, key
    assert entry["data"]["environment"] == "custom"
    (charger,) = diagnostics["chargers"]
    assert charger["data"]["switch_entity"] == home.charger.switch
    for key in CHARGER_IDS:
        assert charger["data"][key] == REDACTED, key

    controller = charger["controller"]
    assert controller["status"] == "waiting"
    assert controller["participating"] is True
    assert controller["session"]["plan"]["pauses"]
    assert len(controller["recent_history"]) == 1
    assert controller["recent_history"][0]["outcome"] == "completed"
    exchanges = diagnostics["api_exchanges"]
    assert {"method": "POST", "status": 200}.items() <= exchanges[-1].items()
    assert exchanges[-1]["path"] == "/entities/asset/{asset_id}/event/plug-in-schedule"
    assert diagnostics["rewards"] == {
        "last_update_success": True,
        "data": {
            "current_balance_pence": 412,
            "total_earnings_pence": 1650,
            "minimum_withdrawal_threshold_pence": 1000,
            "withdrawal_min_wait_days": 30,
            "can_withdraw": False,
        },
    }

    dumped = json.dumps(diagnostics).lower()
    data = home.entry.data
    secrets = [
        DEFAULT_USERNAME,
        DEFAULT_PASSWORD,
        *(data[key] for key in PERSONAL),
        *(charger_settings(home.entry)[key] for key in CHARGER_IDS),
        data[CONF_POSTCODE].replace(" ", ""),
        *home.axle.tokens,
    ]
    assert home.axle.tokens
    for secret in secrets:
        assert secret.lower() not in dumped, secret
