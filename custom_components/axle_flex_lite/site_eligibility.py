"""After set-up, read the site's eligibility from Axle and keep a repair issue in step with it.

Axle may stop planning pauses for a home that is no longer eligible (a charger model or date it no
longer accepts, a meter that changed). A repair issue names Axle's reasons until the home is
eligible again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers import issue_registry as ir

from .api import AxleError, Proposition
from .const import CONF_SITE_ID, DOMAIN, ISSUE_SITE_NOT_ELIGIBLE, LOGGER

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import AxleClient


def site_issue_id(entry_id: str) -> str:
    """Return the repair issue id of one entry's eligibility."""
    return f"{ISSUE_SITE_NOT_ELIGIBLE}_{entry_id}"


async def async_check_site_eligibility(
    hass: HomeAssistant, entry: ConfigEntry, client: AxleClient
) -> None:
    """Raise or clear the entry's "not eligible" issue from Axle's answer (best effort)."""
    try:
        eligibility = await client.async_get_site_eligibility(entry.data[CONF_SITE_ID])
    except AxleError as err:
        LOGGER.debug("Could not read the site's eligibility from Axle: %s", err)
        return
    if eligibility.is_eligible(Proposition.LIMITED_PAUSE):
        ir.async_delete_issue(hass, DOMAIN, site_issue_id(entry.entry_id))
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        site_issue_id(entry.entry_id),
        is_fixable=False,
        data={"entry_id": entry.entry_id},
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_SITE_NOT_ELIGIBLE,
        translation_placeholders={
            "title": entry.title,
            "reasons": ", ".join(eligibility.issues(Proposition.LIMITED_PAUSE)) or "-",
        },
    )
