"""Look-ups behind the config flow: Axle's eligibility verdict and its meter search.

Each returns plain values or raises one ``OnboardFailedError`` kind (see onboarding.py), so the
flow only decides which form to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .api import (
    AxleError,
    AxleNotFoundError,
    EligibilityCode,
    Proposition,
)
from .api.validation import InvalidPostcodeError, normalise_postcode
from .onboarding import UnknownAssetModelError, raise_for_axle_error

if TYPE_CHECKING:
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
