"""The home's reconfigure step of the config flow: its details and consent, onboarded again.

A mixin of the config flow class. Every charger of the home is sent to Axle as it is saved; the
installation date is asked only of a home with one charger (an added charger gives its own).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .api import AxleConfigurationError
from .const import (
    CONF_EMAIL,
    CONF_ENVIRONMENT,
    CONF_INSTALLATION_DATE,
    CONF_MPAN,
    CONF_POSTCODE,
    CONF_SITE_ID,
    CONF_STREET_ADDRESS,
)
from .flow_schemas import (
    FIND_MPAN_URL,
    RECONFIGURE_SCHEMA,
    RECONFIGURE_SITE_SCHEMA,
    show_filled_form,
)
from .onboarding import (
    NotEligibleError,
    OnboardFailedError,
    UnknownAssetModelError,
    async_onboard,
    build_client,
    entry_title,
    home_onboard_request,
    validate_site,
)
from .subentries import charger_subentries, home_chargers


class HomeReconfigureStep(ConfigFlow):
    """``reconfigure``: the home's details and consent; Axle onboards the home again."""

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the home details or give consent again, and onboard once more."""
        entry = self._get_reconfigure_entry()
        chargers = {key: dict(value) for key, value in home_chargers(entry).items()}
        only = next(iter(chargers.values())) if len(chargers) == 1 else None
        errors: dict[str, str] = {}
        if user_input is not None:
            site, errors = validate_site(user_input, entry.data[CONF_ENVIRONMENT])
            if CONF_MPAN in site:
                await self.async_set_unique_id(site[CONF_MPAN])
                self._abort_if_unique_id_mismatch()
            if only is not None and (installed := user_input.get(CONF_INSTALLATION_DATE)):
                if date.fromisoformat(installed) > dt_util.now().date():
                    errors[CONF_INSTALLATION_DATE] = "date_in_future"
                only[CONF_INSTALLATION_DATE] = installed
            if not errors:
                # The user asked to be in Flex Lite by submitting this form with consent ticked.
                request = home_onboard_request(site, chargers, override_withdrawal=True)
                try:
                    client = build_client(self.hass, entry.data)
                    ids = await async_onboard(client, request)
                except AxleConfigurationError:
                    errors = {"base": "invalid_base_url"}
                except UnknownAssetModelError:
                    errors = {"base": "unknown_asset_model"}
                except NotEligibleError as failure:
                    return self.async_abort(
                        reason="not_eligible", description_placeholders={"reason": failure.reason}
                    )
                except OnboardFailedError as failure:
                    errors = {"base": failure.error}
                else:
                    return self._async_save_reconfigured(entry, site, ids, only)
        suggested = user_input or {
            key: value
            for key, value in {**entry.data, **(only or {})}.items()
            if key
            in (CONF_MPAN, CONF_STREET_ADDRESS, CONF_POSTCODE, CONF_EMAIL, CONF_INSTALLATION_DATE)
        }
        return show_filled_form(
            self,
            "reconfigure",
            RECONFIGURE_SCHEMA if only is not None else RECONFIGURE_SITE_SCHEMA,
            suggested,
            errors,
            description_placeholders={"find_mpan_url": FIND_MPAN_URL},
        )

    @callback
    def _async_save_reconfigured(
        self,
        entry: ConfigEntry,
        site: dict[str, Any],
        ids: dict[str, str],
        only: dict[str, Any] | None,
    ) -> ConfigFlowResult:
        """Save what Axle took: the home, and the installation date of its one charger."""
        if not (subentries := charger_subentries(entry)):
            # An entry not migrated yet: its charger is in the options, its ids in the data.
            return self.async_update_reload_and_abort(
                entry,
                title=entry_title(site[CONF_POSTCODE]),
                data_updates={**site, **ids},
                options=only or entry.options,
            )
        if only is not None and only != dict(subentries[0].data):
            self.hass.config_entries.async_update_subentry(entry, subentries[0], data=only)
        return self.async_update_reload_and_abort(
            entry,
            title=entry_title(site[CONF_POSTCODE]),
            data_updates={**site, CONF_SITE_ID: ids[CONF_SITE_ID]},
        )
