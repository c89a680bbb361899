"""The quality scale file names every rule of Home Assistant's scale once, and no other rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from custom_components.axle_flex_lite.const import DOMAIN

QUALITY_SCALE = Path(__file__).parent.parent / "custom_components" / DOMAIN / "quality_scale.yaml"

# The rules by tier, as Home Assistant's hassfest knows them (script/hassfest/quality_scale.py in
# Home Assistant core). Kept here because hassfest is not installed with the test environments.
RULES_BY_TIER: dict[str, tuple[str, ...]] = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}
ALL_RULES = frozenset(rule for rules in RULES_BY_TIER.values() for rule in rules)


def load_rules() -> dict[str, Any]:
    """The ``rules`` mapping of the integration's quality scale file."""
    content = yaml.safe_load(QUALITY_SCALE.read_text(encoding="utf-8"))
    assert set(content) == {"rules"}
    rules: dict[str, Any] = content["rules"]
    return rules


def test_every_rule_and_no_other() -> None:
    """A rule missing from the file, or one the scale does not have, fails here by name."""
    named = set(load_rules())
    assert sorted(ALL_RULES - named) == [], "rules missing from quality_scale.yaml"
    assert sorted(named - ALL_RULES) == [], "rules quality_scale.yaml names that do not exist"


def test_no_rule_twice() -> None:
    """YAML would keep the last of two equal keys silently: count the rule lines themselves."""
    rule_lines = [
        line.strip().removesuffix(":")
        for line in QUALITY_SCALE.read_text(encoding="utf-8").splitlines()
        if line.startswith("  ") and not line.startswith("   ") and line.strip().endswith(":")
    ]
    assert len(rule_lines) == len(set(rule_lines))
    assert set(rule_lines) == ALL_RULES


def test_each_status_is_known_and_explained() -> None:
    """Done, todo or exempt; an exemption or a todo always says why."""
    for name, rule in load_rules().items():
        assert rule["status"] in {"done", "todo", "exempt"}, name
        assert set(rule) <= {"status", "comment"}, name
        if rule["status"] != "done":
            assert rule.get("comment", "").strip(), f"{name} needs a reason"
