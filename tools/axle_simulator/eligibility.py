"""The simulator's meter table, its charger models and Axle's eligibility rule.

Rule (Axle's EV eligibility page and the OpenAPI descriptions): a non-domestic site can join
nothing; a half-hourly-settled home qualifies with any charger; any other home needs a charger
whose ``asset_model`` is a CoP11-qualified model Axle knows, with its ``installation_date``
(the dry-run check has no date field, so it judges the model only).

An MPAN missing from the meter table is a half-hourly-settled domestic meter: tests that do not
care about eligibility keep passing.
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

PROPOSITIONS = ("limited_pause", "full_asset_schedule_control")

# Model names Axle looks assets up by, and whether each is CoP11 qualified.
ASSET_MODELS: dict[str, bool] = {
    "axle_charger_v1": True,
    "zappi": True,
    "legacy_charger_v0": False,
}


@dataclass(slots=True, kw_only=True)
class Meter:
    """One electricity meter the simulator's meter data provider knows."""

    mpan: str
    postcode: str
    building: str
    street: str
    town: str = "Canterbury"
    half_hourly_settled: bool = True
    domestic: bool = True
    supplier_name: str = "Example Energy"
    supplier_mpid: str = "EXEN"

    @property
    def address(self) -> str:
        """The full address as a meter search shows it."""
        return f"{self.building} {self.street}, {self.town}, {self.postcode}"

    @property
    def ref(self) -> str:
        """An opaque, stable reference standing in for Axle's encrypted one."""
        return "mref-" + hashlib.sha256(self.mpan.encode()).hexdigest()[:24]

    def to_json(self) -> dict[str, Any]:
        """Axle's ``MeterResponse``."""
        return {
            "mpan": self.mpan,
            "half_hourly_settled": self.half_hourly_settled,
            "supplier_mpid": self.supplier_mpid,
            "supplier_name": self.supplier_name,
            "eligible_markets": ["wholesale"] if self.domestic else ["wholesale", "cm"],
        }


def default_meters() -> dict[str, Meter]:
    """Return the meter table a fresh simulator starts with (made-up, checksum-valid MPANs)."""
    meters = [
        # 4 Sample Lane: half-hourly settled, the address most tests onboard.
        Meter(mpan="1900000000013", postcode="CT1 2EH", building="4", street="Sample Lane"),
        # 6 Sample Lane: not half-hourly settled, so it needs a CoP11 charger.
        Meter(
            mpan="1900000000403",
            postcode="CT1 2EH",
            building="6",
            street="Sample Lane",
            half_hourly_settled=False,
        ),
        # A shop: non-domestic.
        Meter(
            mpan="1900000000101",
            postcode="CT1 2EH",
            building="8",
            street="Sample Lane",
            domestic=False,
        ),
        # Two flats behind one front door: a search by house number finds both.
        Meter(mpan="1900000000209", postcode="CT2 7NZ", building="Flat 1, 10", street="Mill Row"),
        Meter(mpan="1900000000306", postcode="CT2 7NZ", building="Flat 2, 10", street="Mill Row"),
    ]
    return {meter.mpan: meter for meter in meters}


def matches_building(meter: Meter, building: str | None) -> bool:
    """Whether a house number or name picks this meter (case and spacing ignored)."""
    if not building:
        return True
    wanted = " ".join(building.lower().replace(",", " ").split())
    words = " ".join(meter.building.lower().replace(",", " ").split())
    return wanted == words or wanted in words.split() or words.endswith(f" {wanted}")


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the last three characters (no pattern check)."""
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


@dataclass(slots=True, kw_only=True)
class AssetFacts:
    """What eligibility needs to know of one charger."""

    asset_model: str | None
    installation_date: str | None


def issues_for(
    meter_hh: bool, domestic: bool, assets: Iterable[AssetFacts], *, need_date: bool
) -> list[str]:
    """Return the eligibility issues of a site for any proposition; none means eligible.

    With several chargers, the site is eligible when one of them qualifies.
    """
    if not domestic:
        return ["non_domestic_site"]
    if meter_hh:
        return []
    best: list[str] | None = None
    for asset in assets:
        issues = _asset_issues(asset, need_date=need_date)
        if best is None or len(issues) < len(best):
            best = issues
    return ["asset_model_not_set"] if best is None else best


def _asset_issues(asset: AssetFacts, *, need_date: bool) -> list[str]:
    if not asset.asset_model:
        issues = ["asset_model_not_set"]
    elif asset.asset_model not in ASSET_MODELS:
        issues = ["asset_model_not_found"]
    elif not ASSET_MODELS[asset.asset_model]:
        issues = ["asset_model_not_cop11_qualified"]
    else:
        issues = []
    if need_date and not asset.installation_date:
        issues.append("asset_installation_date_not_set")
    return issues


def propositions_json(issues: list[str]) -> list[dict[str, Any]]:
    """``PropositionEligibility`` items: the same verdict for every proposition."""
    return [
        {"proposition": proposition, "is_eligible": not issues, "issues": list(issues)}
        for proposition in PROPOSITIONS
    ]
