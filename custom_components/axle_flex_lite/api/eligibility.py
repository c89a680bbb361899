"""Models for Axle's eligibility answers and its meter search (typed, immutable, shape-checked).

Eligibility issue codes stay plain strings: Axle may add codes, and an unknown one must still reach
the user rather than break the parse. The known codes are listed in ``EligibilityCode``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from .exceptions import AxleInvalidResponseError
from .models import Proposition
from .wire import JsonModel, json_object, read_bool, read_list, read_str, read_strings

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "KNOWN_ELIGIBILITY_CODES",
    "AssetEligibility",
    "EligibilityCheck",
    "EligibilityCode",
    "Meter",
    "MeterAddress",
    "PropositionEligibility",
    "SiteEligibility",
]


class EligibilityCode(StrEnum):
    """Why Axle finds a site or charger not eligible (``EligibilityCode``)."""

    ASSET_MODEL_NOT_SET = "asset_model_not_set"
    ASSET_MODEL_NOT_FOUND = "asset_model_not_found"
    ASSET_MODEL_NOT_COP11_QUALIFIED = "asset_model_not_cop11_qualified"
    ASSET_INSTALLATION_DATE_NOT_SET = "asset_installation_date_not_set"
    ASSET_MODEL_ENROL_ELIGIBILITY_OVERRIDE = "asset_model_enrol_eligibility_override"
    NON_DOMESTIC_SITE = "non_domestic_site"


KNOWN_ELIGIBILITY_CODES = frozenset(str(code) for code in EligibilityCode)


def _optional_bool(data: Mapping[str, Any], key: str, what: str) -> bool | None:
    """Read an optional boolean member (missing or null gives ``None``)."""
    if data.get(key) is None:
        return None
    return read_bool(data, key, what)


@dataclass(frozen=True, slots=True, kw_only=True)
class PropositionEligibility(JsonModel, json_name="proposition eligibility"):
    """Whether one programme is open, and the issues in the way (``PropositionEligibility``)."""

    proposition: str
    is_eligible: bool
    issues: tuple[str, ...] = ()


def _find(
    propositions: tuple[PropositionEligibility, ...], proposition: Proposition
) -> PropositionEligibility | None:
    return next((item for item in propositions if item.proposition == proposition), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class EligibilityCheck(JsonModel, json_name="eligibility check"):
    """Axle's dry-run verdict on an MPAN, maybe with a charger model (``EligibilityCheckResponse``).

    Nothing is saved by the check.
    """

    is_half_hourly_settled: bool
    propositions: tuple[PropositionEligibility, ...] = ()

    def for_proposition(
        self, proposition: Proposition = Proposition.LIMITED_PAUSE
    ) -> PropositionEligibility | None:
        """Return the verdict for one programme, if Axle gave one."""
        return _find(self.propositions, proposition)


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetEligibility(JsonModel, json_name="asset eligibility"):
    """One charger's eligibility per programme (``AssetEligibilityDetail``)."""

    asset_id: str
    external_id: str
    propositions: tuple[PropositionEligibility, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteEligibility:
    """A saved site's eligibility (``SiteEligibilityDetail``)."""

    site_id: str
    eligible_propositions: tuple[str, ...]
    is_half_hourly_settled: bool
    has_meter_consent: bool
    assets: tuple[AssetEligibility, ...] = ()

    def is_eligible(self, proposition: Proposition = Proposition.LIMITED_PAUSE) -> bool:
        """Whether the site may take part in the programme."""
        return str(proposition) in self.eligible_propositions

    def issues(self, proposition: Proposition = Proposition.LIMITED_PAUSE) -> tuple[str, ...]:
        """Every charger's issues for the programme, each code once, in the order seen."""
        seen: dict[str, None] = {}
        for asset in self.assets:
            if (verdict := _find(asset.propositions, proposition)) is not None:
                seen.update(dict.fromkeys(verdict.issues))
        return tuple(seen)

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse the site's eligibility detail."""
        what = "site eligibility"
        body = json_object(data, what)
        properties = json_object(body.get("site_properties"), "site eligibility properties")
        return cls(
            site_id=read_str(body, "site_id", what),
            eligible_propositions=read_strings(body, "eligible_propositions", what, required=False),
            is_half_hourly_settled=read_bool(properties, "is_half_hourly_settled", what),
            has_meter_consent=read_bool(properties, "has_meter_consent", what),
            assets=tuple(
                AssetEligibility.from_json(raw)
                for raw in read_list(body, "assets", what, required=False)
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MeterAddress(JsonModel, json_name="meter search result"):
    """One address of a meter search (``MeterSearchResponse``): an opaque reference to look up."""

    ref: str = field(repr=False)
    address: str = field(repr=False)


def meter_addresses_from_json(data: object) -> tuple[MeterAddress, ...]:
    """Parse the meter search's answer: a JSON list, possibly empty."""
    if not isinstance(data, list):
        raise AxleInvalidResponseError("meter search response is not a list")
    return tuple(MeterAddress.from_json(item) for item in data)


@dataclass(frozen=True, slots=True, kw_only=True)
class Meter:
    """A meter's details (``MeterResponse``); the MPAN is personal data, kept out of ``repr``."""

    mpan: str = field(repr=False)
    half_hourly_settled: bool | None = None
    supplier_name: str | None = None
    eligible_markets: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> Self:
        """Parse a meter's details."""
        body = json_object(data, "meter")
        supplier = body.get("supplier_name")
        if supplier is not None and not isinstance(supplier, str):
            raise AxleInvalidResponseError("meter.supplier_name is not a string")
        return cls(
            mpan=read_str(body, "mpan", "meter"),
            half_hourly_settled=_optional_bool(body, "half_hourly_settled", "meter"),
            supplier_name=supplier,
            eligible_markets=read_strings(body, "eligible_markets", "meter", required=True),
        )
