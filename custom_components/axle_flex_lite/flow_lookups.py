"""Look-ups behind the config flow: Axle's eligibility verdict and its meter search.

Each returns plain values or raises one ``OnboardFailedError`` kind (see onboarding.py), so the
flow only decides which form to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from .api import (
    AxleError,
    AxleNotFoundError,
    EligibilityCode,
    Proposition,
)
from .api.validation import InvalidPostcodeError, normalise_postcode
from .const import CONF_ASSET_MODEL, CONF_INSTALLATION_DATE
from .onboarding import OnboardFailedError, UnknownAssetModelError, raise_for_axle_error

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .api import AxleClient, MeterAddress


@dataclass(frozen=True, slots=True, kw_only=True)
class HomeVerdict:
    """What Axle says about a home (and maybe a charger model) for Flex Lite."""

    half_hourly_settled: bool
    eligible: bool
    issues: tuple[str, ...]
    propositions: tuple[str, ...]  # the programmes the home could join as it stands

    @property
    def non_domestic(self) -> bool:
        """A business site: it cannot join at all."""
        return EligibilityCode.NON_DOMESTIC_SITE in self.issues


async def async_check_home(
    client: AxleClient, mpan: str, asset_model: str | None = None
) -> HomeVerdict:
    """Ask Axle whether the home (with ``asset_model``, if given) could join Flex Lite."""
    try:
        check = await client.async_check_eligibility(mpan, asset_model)
    except AxleNotFoundError as err:
        raise UnknownAssetModelError from err
    except AxleError as err:
        raise_for_axle_error(err, "checking eligibility")
    verdict = check.for_proposition(Proposition.LIMITED_PAUSE)
    return HomeVerdict(
        half_hourly_settled=check.is_half_hourly_settled,
        eligible=verdict is not None and verdict.is_eligible,
        issues=() if verdict is None else verdict.issues,
        propositions=tuple(item.proposition for item in check.propositions if item.is_eligible),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DetailsCheck:
    """The charger details step checked: the details to keep, or form errors, or an abort."""

    details: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    abort: str | None = None  # the home cannot join with this charger: nothing is sent to Axle


async def async_check_details(
    client: AxleClient, mpan: str, user_input: Mapping[str, Any], *, needs_cop11: bool
) -> DetailsCheck:
    """Check the charger's model (and, for the CoP11 route, its installation date) with Axle."""
    details: dict[str, Any] = {}
    if model := str(user_input.get(CONF_ASSET_MODEL) or "").strip():
        details[CONF_ASSET_MODEL] = model
    if installed := user_input.get(CONF_INSTALLATION_DATE):
        if date.fromisoformat(installed) > dt_util.now().date():
            return DetailsCheck(errors={CONF_INSTALLATION_DATE: "date_in_future"})
        details[CONF_INSTALLATION_DATE] = installed
    if not (needs_cop11 or model):
        return DetailsCheck(details=details)
    try:
        verdict = await async_check_home(client, mpan, model)
    except UnknownAssetModelError as failure:
        return DetailsCheck(errors={CONF_ASSET_MODEL: failure.error})
    except OnboardFailedError as failure:
        return DetailsCheck(errors={"base": failure.error})
    if needs_cop11 and not verdict.eligible:
        # Without a CoP11 charger this home cannot join.
        if EligibilityCode.ASSET_MODEL_NOT_COP11_QUALIFIED in verdict.issues:
            return DetailsCheck(abort="charger_not_qualified")
        return DetailsCheck(abort="cop11_charger_required")
    return DetailsCheck(details=details)


async def async_find_meters(
    client: AxleClient, postcode: str, building: str | None
) -> tuple[MeterAddress, ...]:
    """List the addresses with a meter at a postcode (and house number or name, if given)."""
    try:
        return await client.async_search_meters(postcode, building or None)
    except AxleError as err:
        raise_for_axle_error(err, "searching for the meter")


async def async_meter_mpan(client: AxleClient, meter: MeterAddress) -> str:
    """Read the MPAN behind a search result."""
    try:
        return (await client.async_get_meter_by_ref(meter.ref)).mpan
    except AxleError as err:
        raise_for_axle_error(err, "reading the meter")


def street_and_postcode(address: str) -> tuple[str, str | None]:
    """Split a search result's address into the street address and the postcode.

    Axle's addresses read "4 Sample Lane, Canterbury, CT1 2EH": the last part is the postcode, the
    one before it the town; what comes first is the street address.
    """
    parts = [part.strip() for part in address.split(",") if part.strip()]
    postcode: str | None = None
    if parts:
        try:
            postcode = normalise_postcode(parts[-1])
        except InvalidPostcodeError:
            pass
        else:
            parts.pop()
    if len(parts) > 1:
        parts.pop()  # the town
    return ", ".join(parts), postcode
